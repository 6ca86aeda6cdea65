/** The venv that scripts/setup.sh makes (MLflow, PySpark); BRASA_PYTHON overrides it. */
import os from 'node:os';
import path from 'node:path';

export const PYTHON = process.env.BRASA_PYTHON ?? path.join(os.homedir(), '.cache/brasa/venv/bin/python');
