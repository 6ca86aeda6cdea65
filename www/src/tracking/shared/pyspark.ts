/**
 * A recorded job as a runnable PySpark script, for when the data outgrows one browser.
 * It builds the same job in Spark, for every estimator:
 *
 * 1. the cleaning steps before the first estimator as DataFrame calls, run once;
 * 2. a classifier's label indexed by `StringIndexer` (`IndexToString` names the
 *    predictions), fitted on that table, as Brasa does;
 * 3. the cleaning steps from the first estimator on (refitted on each fold, as Brasa
 *    does, see `pyspark-steps.ts`) → VectorAssembler → (StandardScaler) → the estimator
 *    in a `Pipeline`, tuned by CrossValidator or TrainValidationSplit over the same
 *    ParamGridBuilder grid (same params, same order) with the evaluator and metric Brasa
 *    ranked the grid by.
 *
 * The script prints one `BRASA_RESULT {json}` line with the grid's average metrics, the
 * best point and the best model's numbers, so a test (or a person) can compare it with
 * Brasa.
 */
import type { MetricName } from '../../ml/shared/training';
import { estimatorInfo } from '../../ml/shared/training';
import {
  type ScriptColumns,
  estimatorCode,
  estimatorImport,
  estimatorVariable,
  evaluatorImports,
  evaluatorLines,
  isFloatParam,
  modelSummary,
} from './pyspark-estimators';
import { DATAFRAME_STEP_CLASS, sparkFeatures, splitForRefit, stageCode, stepCode } from './pyspark-steps';
import { py } from './python-literal';
import { type RecordedJob, tuningName } from './recorded-job';

export interface ScriptOptions {
  /** Default path of the data file (the script also takes it as its first argument). */
  dataPath: string;
  /** Where the job came from, for the header comment. */
  runId?: string;
  /**
   * The metric the run ranked its grid by, for jobs whose spec left it to Spark's default
   * (the run logs the one the engine chose as `metricName`).
   */
  metric?: MetricName;
}

/** The column a classifier's indexed label is written to (Spark's default `labelCol`). */
function indexedLabelColumn(label: string): string {
  return label === 'label' ? 'label_index' : 'label';
}

export function pysparkScript(job: RecordedJob, options: ScriptOptions): string {
  const { spec } = job;
  const info = estimatorInfo(spec.estimator);
  const tuning = tuningName(spec);
  const steps = spec.pipeline?.steps ?? [];
  const { once, refitted } = splitForRefit(steps);
  const wrapsDataFrameCalls = refitted.some((step) => !['imputer', 'stringIndexer', 'oneHotEncoder'].includes(step.op));
  const metric = spec.metric ?? options.metric;
  const classifier = info.task === 'classification';
  const indexed = classifier && !!spec.label && !!spec.labelIndexer;
  const labelColumn = spec.label ? (indexed ? indexedLabelColumn(spec.label) : spec.label) : undefined;
  const columns: ScriptColumns = {
    features: spec.scaler ? 'scaledFeatures' : 'features',
    label: labelColumn === undefined ? undefined : indexed ? py(labelColumn) : 'label',
    weight: spec.weightCol ? 'weight' : undefined,
    validation: spec.validationIndicatorCol ? 'validation' : undefined,
  };
  const variable = estimatorVariable(spec);
  const features = sparkFeatures(spec.features, steps);
  const lines = [
    '"""',
    `Brasa job${options.runId ? ` from run ${options.runId}` : ''}: ${info.sparkName} on table "${job.table}", tuned with ${tuning}.`,
    '',
    'Run it with spark-submit or python (pyspark installed):  python job.py DATA_FILE',
    "Spark's fold assignment (CrossValidator, randomSplit) is random per row and depends on the",
    "partitioning; Brasa's folds are reproducible from the seed and the row number. The grid's",
    'averages therefore differ a little from Brasa\'s; a clear best point is the same.',
    '"""',
    'import json',
    'import sys',
    '',
    `from pyspark.ml import Pipeline${wrapsDataFrameCalls ? ', Transformer' : ''}`,
    `from pyspark.ml.evaluation import ${evaluatorImports(spec, metric).join(', ')}`,
    'from pyspark.ml.feature import Imputer, IndexToString, OneHotEncoder, StandardScaler, StringIndexer, VectorAssembler',
    estimatorImport(spec),
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
    ...(wrapsDataFrameCalls ? ['', ...DATAFRAME_STEP_CLASS, '', ''] : []),
    ...(once.length
      ? [refitted.length ? '# Cleaning steps before the first estimator (run once, on every row)' : '# Cleaning pipeline', ...once.map(stepCode)]
      : [refitted.length ? '# The cleaning pipeline starts with an estimator: all of it is refitted on each fold' : '# No cleaning steps']),
    '',
    ...(spec.label ? [`label = ${py(spec.label)}`] : ['# Clustering: no label']),
    ...(features.length < spec.features.length
      ? ['# One-hot slots are columns in Brasa (plan_vec_basic, ...) and one vector column in Spark (plan_vec)']
      : []),
    `features = ${py(features)}`,
    ...(spec.weightCol ? [`weight = ${py(spec.weightCol)}`] : []),
    ...(spec.validationIndicatorCol ? [`validation = ${py(spec.validationIndicatorCol)}  # true: a validation row (early stopping)`] : []),
  ];
  if (indexed && spec.label && spec.labelIndexer) {
    lines.push(
      '',
      '# The label is indexed as Brasa indexes it: StringIndexer on the whole cleaned table, before',
      '# tuning (a boolean or numeric label by its text); IndexToString names the predictions.',
      'df = df.withColumn(label, F.col(label).cast("string"))',
      `label_indexer = StringIndexer(inputCol=label, outputCol=${py(labelColumn)}, stringOrderType=${py(spec.labelIndexer.stringOrderType)}, handleInvalid=${py(spec.handleInvalid === 'skip' ? 'skip' : 'error')}).fit(df)`,
      'df = label_indexer.transform(df)',
      'num_classes = len(label_indexer.labels)',
    );
  } else if (classifier && spec.label) {
    lines.push('', '# The label already holds class indices 0, 1, ...', 'num_classes = int(df.agg(F.max(label)).first()[0]) + 1');
  }
  if (spec.handleInvalid === 'skip') {
    const subset = [
      ...(labelColumn ? [indexed ? py(labelColumn) : 'label'] : []),
      ...(spec.weightCol ? ['weight'] : []),
      ...(spec.validationIndicatorCol ? ['validation'] : []),
    ];
    if (!refitted.length) {
      lines.push(
        `# handleInvalid="skip": rows with a NULL or NaN ${spec.label ? 'label, ' : ''}feature${spec.weightCol ? ' or weight' : ''} are dropped`,
        `df = df.dropna(subset=${subset.length ? `[${subset.join(', ')}] + ` : ''}features)`,
      );
    } else if (subset.length) {
      // The features are made by the pipeline's stages: VectorAssembler skips their rows.
      lines.push(
        `# handleInvalid="skip": rows with a NULL or NaN ${spec.label ? 'label' : ''}${spec.label && spec.weightCol ? ' or ' : ''}${spec.weightCol ? 'weight' : ''} are dropped (VectorAssembler skips the features')`,
        `df = df.dropna(subset=[${subset.join(', ')}])`,
      );
    }
  }
  if (spec.testFraction > 0) {
    lines.push(`train, test = df.randomSplit([${py(1 - spec.testFraction, true)}, ${py(spec.testFraction, true)}], seed=${spec.seed})`);
  } else {
    lines.push('train, test = df, None');
  }
  lines.push(
    '',
    `assembler = VectorAssembler(inputCols=features, outputCol="features", handleInvalid=${py(spec.handleInvalid)})`,
  );
  if (spec.scaler) {
    lines.push(`scaler = StandardScaler(inputCol="features", outputCol="scaledFeatures", withMean=${py(spec.scaler.withMean)}, withStd=${py(spec.scaler.withStd)})`);
  }
  lines.push(
    estimatorCode(spec, columns),
    ...(refitted.length
      ? ['# Cleaning steps refitted on each fold\'s training rows, as Brasa refits them', 'cleaning = [', ...refitted.map((step) => `    ${stageCode(step)},`), ']']
      : []),
    `pipeline = Pipeline(stages=[${refitted.length ? '*cleaning, ' : ''}assembler, ${spec.scaler ? 'scaler, ' : ''}${variable}])`,
    '',
    '# The last axis varies fastest (ParamGridBuilder), as in Brasa',
    'grid = (ParamGridBuilder()',
    ...spec.grid.map((axis) => `        .addGrid(${variable}.${axis.param}, ${py(axis.values, isFloatParam(spec, axis.param))})`),
    '        .build())',
    ...evaluatorLines(spec, metric, columns),
    spec.tuning.kind === 'crossValidator'
      ? `tuner = CrossValidator(estimator=pipeline, estimatorParamMaps=grid, evaluator=evaluator, numFolds=${spec.tuning.numFolds}, seed=${spec.seed}, parallelism=2)`
      : `tuner = TrainValidationSplit(estimator=pipeline, estimatorParamMaps=grid, evaluator=evaluator, trainRatio=${py(spec.tuning.trainRatio, true)}, seed=${spec.seed}, parallelism=2)`,
    'model = tuner.fit(train)',
    '',
    '',
    'def predict(frame):',
    indexed
      ? '    """Scores rows as Brasa\'s Predict does: the model\'s columns, then the class names (IndexToString)."""'
      : '    """Scores rows as Brasa\'s Predict does."""',
    '    scored = model.transform(frame)',
    indexed
      ? '    return IndexToString(inputCol="prediction", outputCol="predictedLabel", labels=label_indexer.labels).transform(scored)'
      : '    return scored',
    '',
    '',
    `metrics = list(model.${spec.tuning.kind === 'crossValidator' ? 'avgMetrics' : 'validationMetrics'})`,
    'pick = max if evaluator.isLargerBetter() else min',
    'best = metrics.index(pick(metrics))  # the first point wins ties, as in Spark and Brasa',
    'points = [{p.name: v for p, v in m.items()} for m in grid]',
    'fitted = model.bestModel.stages[-1]',
    'result = {"metric": evaluator.getMetricName(), "avgMetrics": metrics, "grid": points, "bestIndex": best, "bestParams": points[best]}',
    `result.update(${modelSummary(spec)})`,
    ...(indexed ? ['result["labels"] = list(label_indexer.labels)'] : []),
    'if test is not None:',
    '    result["test"] = evaluator.evaluate(predict(test))',
    'print("BRASA_RESULT " + json.dumps(result))',
    'spark.stop()',
    '',
  );
  return lines.join('\n');
}
