/**
 * A cleaning pipeline in PySpark: each Brasa step as the DataFrame or `pyspark.ml` call a
 * Spark user writes, and the assembler's inputs as Spark names them.
 *
 * Brasa refits a pipeline's estimators on each fold's training rows (Spark's
 * CrossValidator over a `Pipeline`), so the script does too: the steps before the first
 * estimator still to fit are DataFrame calls run once (`stepCode`), the steps from it on
 * are stages of the tuned `Pipeline` (`stageCode`), a DataFrame call between estimators
 * wrapped in a `DataFrameStep` transformer.
 */
import type { Step } from '../../clean/shared/pipeline';
import { py } from './python-literal';
import { type SparkParam, pyParams } from './spark-params';

/** One cleaning step as DataFrame API code assigning `df`. */
export function stepCode(step: Step): string {
  switch (step.op) {
    case 'filter':
      return `df = df.filter(${py(step.condition)})`;
    case 'drop':
      return `df = df.drop(${step.columns.map((c) => py(c)).join(', ')})`;
    case 'select':
      return `df = df.select(${step.columns.map((c) => (c.alias ? `F.col(${py(c.name)}).alias(${py(c.alias)})` : `F.col(${py(c.name)})`)).join(', ')})`;
    case 'dropna':
      return `df = df.dropna(how=${py(step.how)}${step.thresh !== undefined ? `, thresh=${step.thresh}` : ''}${step.subset ? `, subset=${py(step.subset)}` : ''})`;
    case 'fillna':
      return `df = df.fillna(${py(step.values)})`;
    case 'imputer':
    case 'stringIndexer':
    case 'oneHotEncoder':
      return `df = ${stageCode(step)}.fit(df).transform(df)`;
    case 'cast':
      return `df = df.withColumn(${py(step.column)}, F.col(${py(step.column)}).cast(${py(step.dataType)}))`;
    case 'withColumn':
      return `df = df.withColumn(${py(step.column)}, F.expr(${py(step.expr)}))`;
    case 'dropDuplicates':
      return `df = df.dropDuplicates(${step.subset ? py(step.subset) : ''})`;
    case 'repartition':
      return `df = df.repartition(${step.numPartitions})`;
    case 'cache':
      return 'df = df.cache()';
  }
}

/** Whether a step learns from the rows it is applied to and has not learned yet. */
function isUnfittedEstimator(step: Step): boolean {
  return (step.op === 'imputer' || step.op === 'stringIndexer' || step.op === 'oneHotEncoder') && !step.fitted;
}

/** The steps run once on the whole table, and the steps refitted on each fold's rows. */
export function splitForRefit(steps: readonly Step[]): { once: Step[]; refitted: Step[] } {
  const at = steps.findIndex(isUnfittedEstimator);
  return at < 0 ? { once: [...steps], refitted: [] } : { once: steps.slice(0, at), refitted: steps.slice(at) };
}

/** The Python class that makes a DataFrame call a `Pipeline` stage. */
export const DATAFRAME_STEP_CLASS = [
  'class DataFrameStep(Transformer):',
  '    """A DataFrame call as a Pipeline stage, between estimators refitted on each fold."""',
  '',
  '    def __init__(self, apply):',
  '        super().__init__()',
  '        self.apply = apply',
  '',
  '    def _transform(self, df):',
  '        return self.apply(df)',
];

/** A fitted-in-Spark step: the `pyspark.ml.feature` estimator and its params. */
export interface SparkFeatureStage {
  name: 'Imputer' | 'StringIndexer' | 'OneHotEncoder';
  params: SparkParam[];
}

const param = (name: string, value: unknown, double = false): SparkParam => ({ name, value, double });

/** The Spark estimator a learning step is, with its params; undefined for DataFrame calls. */
export function sparkFeatureStage(step: Step): SparkFeatureStage | undefined {
  switch (step.op) {
    case 'imputer':
      return {
        name: 'Imputer',
        params: [
          param('inputCols', step.inputCols),
          param('outputCols', step.outputCols),
          param('strategy', step.strategy),
          ...(step.missingValue !== undefined && step.missingValue !== null ? [param('missingValue', step.missingValue, true)] : []),
        ],
      };
    case 'stringIndexer':
      return {
        name: 'StringIndexer',
        params: [
          param('inputCols', step.inputCols),
          param('outputCols', step.outputCols),
          param('stringOrderType', step.stringOrderType),
          param('handleInvalid', step.handleInvalid),
        ],
      };
    case 'oneHotEncoder':
      return {
        name: 'OneHotEncoder',
        params: [
          param('inputCols', step.inputCols),
          param('outputCols', step.outputCols),
          param('dropLast', step.dropLast),
          param('handleInvalid', step.handleInvalid),
        ],
      };
    default:
      return undefined;
  }
}

/** One refitted step as a `Pipeline` stage (an expression). */
export function stageCode(step: Step): string {
  const stage = sparkFeatureStage(step);
  return stage ? `${stage.name}(${pyParams(stage.params)})` : `DataFrameStep(lambda df: ${stepCode(step).replace(/^df = /, '')})`;
}

/**
 * The assembler's input columns in Spark: Brasa keeps each one-hot slot as its own column
 * (`<outputCol>_<label>`) where Spark has one vector column `<outputCol>`, so the slots of
 * an encoder's output become that vector, once, where its first slot was.
 */
export function sparkFeatures(features: string[], steps: readonly Step[]): string[] {
  const vectors = steps.flatMap((s) => (s.op === 'oneHotEncoder' ? s.outputCols : []));
  const out: string[] = [];
  for (const feature of features) {
    const vector = vectors.find((v) => feature.startsWith(`${v}_`));
    const name = vector ?? feature;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
