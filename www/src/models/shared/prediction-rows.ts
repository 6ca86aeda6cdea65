/**
 * How many rows a prediction kept, and what may have dropped the others: the model's
 * cleaning pipeline (a filter, dropna, dropDuplicates, a StringIndexer skipping unseen
 * values) and `handleInvalid = skip` (rows with a NULL or NaN feature). The engine reports
 * only the rows in and out, so the summary names what could remove rows, not each one's
 * share.
 */
import type { HandleInvalid, PipelineSpec, Step } from '../../contract';

/** What in a step removes rows, in words; undefined for steps that keep every row. */
function stepRemoves(step: Step): string | undefined {
  switch (step.op) {
    case 'filter':
      return `the pipeline's filter (${step.condition})`;
    case 'dropna':
      return "the pipeline's dropna";
    case 'dropDuplicates':
      return "the pipeline's dropDuplicates";
    case 'stringIndexer':
      return step.handleInvalid === 'skip' ? `the pipeline's StringIndexer skipping unseen or NULL ${step.inputCols.join(', ')}` : undefined;
    default:
      return undefined;
  }
}

/** Everything that may remove rows when scoring with this pipeline and handleInvalid. */
export function rowRemovers(pipeline: PipelineSpec | undefined, handleInvalid: HandleInvalid): string[] {
  const removers = (pipeline?.steps ?? []).map(stepRemoves).filter((r): r is string => r !== undefined);
  if (handleInvalid === 'skip') removers.push('handleInvalid = skip (a NULL or NaN feature)');
  return [...new Set(removers)];
}

/** `40 rows in, 38 predictions (2 removed by the pipeline's filter (age > 18))`. */
export function predictionRowsText(rowsIn: number, predictions: number, removers: string[]): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const text = `${count(rowsIn)} rows in, ${count(predictions)} prediction${predictions === 1 ? '' : 's'}`;
  const removed = rowsIn - predictions;
  if (removed <= 0) return text;
  return `${text} (${count(removed)} removed${removers.length ? ` by ${removers.join(' or ')}` : ''})`;
}
