/**
 * A recorded job as a runnable PySpark script, for when the data outgrows one browser:
 * the cleaning steps as DataFrame calls (estimators fitted on the whole table, as Brasa
 * does), then VectorAssembler → (StandardScaler) → LinearRegression in a `Pipeline`,
 * tuned by CrossValidator or TrainValidationSplit over the same ParamGridBuilder grid with
 * a RegressionEvaluator. The script prints one `BRASA_RESULT {json}` line with the grid's
 * average metrics and the best point, so a test (or a person) can compare it with Brasa.
 */
import type { Step } from '../../clean/shared/pipeline';
import type { LinearRegressionParams } from '../../ml/shared/training';
import type { RecordedJob } from './autolog';

/** A Python literal for a JSON-like value (JSON strings are valid Python strings). */
function py(value: unknown, float = false): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return "float('nan')";
    if (!Number.isFinite(value)) return value > 0 ? "float('inf')" : "float('-inf')";
    return float && Number.isInteger(value) ? `${value}.0` : String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => py(v, float)).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${py(v)}`).join(', ')}}`;
}

const FLOAT_PARAMS = new Set<string>(['regParam', 'elasticNetParam', 'tol'] satisfies (keyof LinearRegressionParams)[]);

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

export interface ScriptOptions {
  /** Default path of the data file (the script also takes it as its first argument). */
  dataPath: string;
  /** Where the job came from, for the header comment. */
  runId?: string;
}

export function pysparkScript(job: RecordedJob, options: ScriptOptions): string {
  const { spec } = job;
  const tuning = spec.tuning.kind === 'crossValidator' ? 'CrossValidator' : 'TrainValidationSplit';
  const steps = spec.pipeline?.steps ?? [];
  const lrArgs = (Object.entries(spec.params) as [keyof LinearRegressionParams, number | boolean][])
    .map(([k, v]) => `${k}=${py(v, FLOAT_PARAMS.has(k))}`)
    .join(', ');
  const featuresCol = spec.scaler ? 'scaledFeatures' : 'features';
  const lines = [
    '"""',
    `Brasa job${options.runId ? ` from run ${options.runId}` : ''}: LinearRegression on table "${job.table}", tuned with ${tuning}.`,
    '',
    'Run it with spark-submit or python (pyspark installed):  python job.py DATA_FILE',
    "Spark's fold assignment (CrossValidator, randomSplit) is random per row and depends on the",
    "partitioning; Brasa's folds are reproducible from the seed and the row number. The grid's",
    'averages therefore differ a little from Brasa\'s; a clear best point is the same.',
    '"""',
    'import json',
    'import sys',
    '',
    'from pyspark.ml import Pipeline',
    'from pyspark.ml.evaluation import RegressionEvaluator',
    'from pyspark.ml.feature import Imputer, OneHotEncoder, StandardScaler, StringIndexer, VectorAssembler',
    'from pyspark.ml.regression import LinearRegression',
    'from pyspark.ml.tuning import CrossValidator, ParamGridBuilder, TrainValidationSplit',
    'from pyspark.sql import SparkSession',
    'from pyspark.sql import functions as F',
    '',
    `DATA = sys.argv[1] if len(sys.argv) > 1 else ${py(options.dataPath)}`,
    '',
    `spark = SparkSession.builder.appName(${py(`brasa-${job.table}`)}).getOrCreate()`,
    'if DATA.endswith(".parquet"):',
    '    df = spark.read.parquet(DATA)',
    'else:',
    '    df = spark.read.csv(DATA, header=True, inferSchema=True)',
    '',
    steps.length ? '# Cleaning pipeline (estimators fitted on the whole table, before tuning)' : '# No cleaning steps',
    ...steps.map(stepCode),
    '',
    `label = ${py(spec.label)}`,
    ...(sparkFeatures(spec.features, steps).length < spec.features.length
      ? ['# One-hot slots are columns in Brasa (plan_vec_basic, ...) and one vector column in Spark (plan_vec)']
      : []),
    `features = ${py(sparkFeatures(spec.features, steps))}`,
  ];
  if (spec.handleInvalid === 'skip') {
    lines.push('# handleInvalid="skip": rows with a NULL or NaN label or feature are dropped', 'df = df.dropna(subset=[label] + features)');
  }
  if (spec.testFraction > 0) {
    lines.push(`train, test = df.randomSplit([${py(1 - spec.testFraction, true)}, ${py(spec.testFraction, true)}], seed=${spec.seed})`);
  } else {
    lines.push('train, test = df, None');
  }
  lines.push(
    '',
    `assembler = VectorAssembler(inputCols=features, outputCol="features", handleInvalid=${py(spec.handleInvalid === 'skip' ? 'skip' : spec.handleInvalid)})`,
  );
  if (spec.scaler) {
    lines.push(`scaler = StandardScaler(inputCol="features", outputCol="scaledFeatures", withMean=${py(spec.scaler.withMean)}, withStd=${py(spec.scaler.withStd)})`);
  }
  lines.push(
    `lr = LinearRegression(featuresCol=${py(featuresCol)}, labelCol=label, ${lrArgs})`,
    `pipeline = Pipeline(stages=[assembler, ${spec.scaler ? 'scaler, ' : ''}lr])`,
    '',
    '# The last axis varies fastest (ParamGridBuilder), as in Brasa',
    'grid = (ParamGridBuilder()',
    ...spec.grid.map((axis) => `        .addGrid(lr.${axis.param}, ${py(axis.values, FLOAT_PARAMS.has(axis.param))})`),
    '        .build())',
    `evaluator = RegressionEvaluator(labelCol=label, predictionCol="prediction", metricName=${py(spec.metric)})`,
    spec.tuning.kind === 'crossValidator'
      ? `tuner = CrossValidator(estimator=pipeline, estimatorParamMaps=grid, evaluator=evaluator, numFolds=${spec.tuning.numFolds}, seed=${spec.seed}, parallelism=2)`
      : `tuner = TrainValidationSplit(estimator=pipeline, estimatorParamMaps=grid, evaluator=evaluator, trainRatio=${py(spec.tuning.trainRatio, true)}, seed=${spec.seed}, parallelism=2)`,
    'model = tuner.fit(train)',
    '',
    `metrics = list(model.${spec.tuning.kind === 'crossValidator' ? 'avgMetrics' : 'validationMetrics'})`,
    'pick = max if evaluator.isLargerBetter() else min',
    'best = metrics.index(pick(metrics))  # the first point wins ties, as in Spark and Brasa',
    'points = [{p.name: v for p, v in m.items()} for m in grid]',
    'lr_model = model.bestModel.stages[-1]',
    'result = {"metric": evaluator.getMetricName(), "avgMetrics": metrics, "grid": points, "bestIndex": best,',
    '          "bestParams": points[best], "coefficients": lr_model.coefficients.toArray().tolist(), "intercept": lr_model.intercept}',
    'if test is not None:',
    '    result["test"] = evaluator.evaluate(model.transform(test))',
    'print("BRASA_RESULT " + json.dumps(result))',
    'spark.stop()',
    '',
  );
  return lines.join('\n');
}
