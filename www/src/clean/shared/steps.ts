/** Names and one-line descriptions of cleaning steps, as a PySpark user would read them. */
import type { Step, StepOp } from './pipeline';

/** Every op, in the order the "Add step" menu offers them, with its PySpark name. */
export const STEP_OPS: { op: StepOp; label: string }[] = [
  { op: 'filter', label: 'filter (SQL condition)' },
  { op: 'drop', label: 'drop columns' },
  { op: 'select', label: 'select / rename columns' },
  { op: 'dropna', label: 'dropna' },
  { op: 'fillna', label: 'fillna' },
  { op: 'imputer', label: 'Imputer (mean / median / mode)' },
  { op: 'stringIndexer', label: 'StringIndexer' },
  { op: 'oneHotEncoder', label: 'OneHotEncoder' },
  { op: 'cast', label: 'cast' },
  { op: 'withColumn', label: 'withColumn (SQL expression)' },
  { op: 'dropDuplicates', label: 'dropDuplicates' },
  { op: 'repartition', label: 'repartition' },
  { op: 'cache', label: 'cache' },
];

const list = (names: string[]) => names.join(', ');

/** The step as PySpark code would say it, in one line. */
export function describeStep(step: Step): string {
  switch (step.op) {
    case 'filter':
      return `filter(${JSON.stringify(step.condition)})`;
    case 'drop':
      return `drop(${list(step.columns)})`;
    case 'select':
      return `select(${list(step.columns.map((c) => (c.alias ? `${c.name} AS ${c.alias}` : c.name)))})`;
    case 'dropna':
      return `dropna(how=${step.how}${step.thresh !== undefined ? `, thresh=${step.thresh}` : ''}${step.subset?.length ? `, subset=[${list(step.subset)}]` : ''})`;
    case 'fillna':
      return `fillna({${Object.entries(step.values).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')}})`;
    case 'imputer':
      return `Imputer(strategy=${step.strategy}, ${pairs(step.inputCols, step.outputCols)}${step.missingValue !== undefined ? `, missingValue=${step.missingValue}` : ''})`;
    case 'stringIndexer':
      return `StringIndexer(${pairs(step.inputCols, step.outputCols)}, ${step.stringOrderType}, handleInvalid=${step.handleInvalid})`;
    case 'oneHotEncoder':
      return `OneHotEncoder(${pairs(step.inputCols, step.outputCols)}, dropLast=${step.dropLast}, handleInvalid=${step.handleInvalid})`;
    case 'cast':
      return `cast(${step.column} AS ${step.dataType})`;
    case 'withColumn':
      return `withColumn(${step.column}, ${JSON.stringify(step.expr)})`;
    case 'dropDuplicates':
      return `dropDuplicates(${step.subset?.length ? list(step.subset) : ''})`;
    case 'repartition':
      return `repartition(${step.numPartitions})`;
    case 'cache':
      return 'cache()';
  }
}

function pairs(inputs: string[], outputs: string[]): string {
  return inputs.map((c, i) => (outputs[i] === c ? c : `${c} → ${outputs[i]}`)).join(', ');
}

/** What an estimator step learned, one line per column (empty for plain transformations). */
export function describeLearned(step: Step): string[] {
  switch (step.op) {
    case 'imputer':
      return step.fitted ? step.inputCols.map((c, i) => `${c}: surrogate ${step.fitted?.surrogates[i]}`) : [];
    case 'stringIndexer':
      return step.fitted
        ? step.inputCols.map((c, i) => {
            const labels = step.fitted?.labels[i] ?? [];
            const shown = labels.slice(0, 20).map((l, k) => `${k}=${l}`).join(', ');
            return `${c}: ${shown}${labels.length > 20 ? `, … (${labels.length} labels)` : ''}`;
          })
        : [];
    case 'oneHotEncoder':
      return step.fitted ? step.inputCols.map((c, i) => `${c}: ${step.fitted?.categorySizes[i]} categories`) : [];
    default:
      return [];
  }
}

/** The step without what it learned, so applying it fits it again. */
export function unfitted(step: Step): Step {
  if (step.op === 'imputer' || step.op === 'stringIndexer' || step.op === 'oneHotEncoder') {
    const { fitted: _fitted, ...rest } = step;
    return rest as Step;
  }
  return step;
}
