/**
 * A cleaning pipeline in PySpark: each Brasa step as the DataFrame or `pyspark.ml` call a
 * Spark user writes (estimators fitted on the whole table, as Brasa fits them), and the
 * assembler's inputs as Spark names them.
 */
import type { Step } from '../../clean/shared/pipeline';
import { py } from './python-literal';

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
      return `df = Imputer(inputCols=${py(step.inputCols)}, outputCols=${py(step.outputCols)}, strategy=${py(step.strategy)}${
        step.missingValue !== undefined ? `, missingValue=${py(step.missingValue, true)}` : ''
      }).fit(df).transform(df)`;
    case 'stringIndexer':
      return `df = StringIndexer(inputCols=${py(step.inputCols)}, outputCols=${py(step.outputCols)}, stringOrderType=${py(step.stringOrderType)}, handleInvalid=${py(step.handleInvalid)}).fit(df).transform(df)`;
    case 'oneHotEncoder':
      return `df = OneHotEncoder(inputCols=${py(step.inputCols)}, outputCols=${py(step.outputCols)}, dropLast=${py(step.dropLast)}, handleInvalid=${py(step.handleInvalid)}).fit(df).transform(df)`;
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
