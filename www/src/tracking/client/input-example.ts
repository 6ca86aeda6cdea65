/**
 * The input example a training logs with its model (`model/input_example.json`, MLflow's
 * pandas `split` orientation): the first rows of the training table, the columns the
 * model reads. MLflow shows it with the model and `mlflow models serve` documents the
 * request with it.
 */
import { tableFromIPC } from 'apache-arrow';

import type { EngineClient } from '../../engine/client/engine-client';
import type { InputColumn } from '../shared/logged-model';
import { type InputExample, INPUT_EXAMPLE_ROWS, inputExampleOf } from '../shared/mlflow-model';

/** The example, or null when the table cannot be read any more (it is optional). */
export async function inputExample(engine: EngineClient, table: string, columns: InputColumn[], tableColumns: number): Promise<InputExample | null> {
  try {
    const ipc = tableFromIPC(await engine.preview(table, 0, INPUT_EXAMPLE_ROWS, tableColumns));
    const header = ipc.schema.fields.map((f) => f.name);
    const vectors = header.map((_, c) => ipc.getChildAt(c));
    const rows: (string | null)[][] = [];
    for (let r = 0; r < ipc.numRows; r++) rows.push(vectors.map((v) => (v?.get(r) as string | null | undefined) ?? null));
    return inputExampleOf(columns, header, rows);
  } catch {
    return null;
  }
}
