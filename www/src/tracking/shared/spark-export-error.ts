/** The error an export raises for a model Spark's format cannot hold, naming what and what to do. */
import { codedError, type ErrorCode } from '../../engine/shared/errors';

export const MODEL_EXPORT = 'MODEL_EXPORT' satisfies ErrorCode;

/** An error saying which step cannot be exported and what to do. */
export function cannotExport(what: string, todo: string): Error {
  return codedError(MODEL_EXPORT, `This model cannot be written as a Spark ML PipelineModel: ${what}. ${todo}`);
}
