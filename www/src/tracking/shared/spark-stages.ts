/**
 * A logged model as the stages of a Spark ML `PipelineModel`, in order: the cleaning
 * steps (SQLTransformer for the DataFrame calls, ImputerModel, StringIndexerModel,
 * OneHotEncoderModel), VectorAssembler, StandardScalerModel, the estimator's model
 * (LinearRegression, LogisticRegression, KMeans, DecisionTree, RandomForest, GBT) and,
 * for a classifier with named classes, IndexToString. Each stage has the params Spark
 * saves with it and, for a fitted model, what its `data/` file holds (written by the
 * engine, see `ml::sparkml`).
 *
 * Spark's output for the same rows is Brasa's Predict: `prediction` (a value, the class
 * index or the cluster) and, for a classifier, `predictedLabel` (the class name, from
 * IndexToString). The label's own StringIndexer is not a stage: scoring never reads the
 * label.
 *
 * The DataFrame steps (filter, withColumn, cast, drop, select, dropna, fillna,
 * dropDuplicates) are SQLTransformers: `spark-dataframe-sql.ts` says how each gives
 * Brasa's rows, NaN counting as missing in floating-point columns as in Spark's `df.na`,
 * dropDuplicates keeping Brasa's row (the first of each key) where Spark's own keeps any.
 * dropna and dropDuplicates without a subset read every column of the training table at
 * that step: the exported model reads them all (`exportedInputs`), so its signature
 * lists them. A withColumn result has the type the engine gave it in training
 * (`LoggedModel.stepColumns`), which a later fill is cast to. What the export cannot
 * write (such a step when the run did not record its table's columns; a fill of a
 * withColumn result when it did not record the steps' types) is
 * refused with a `MODEL_EXPORT` error naming the step; a model is never written with a
 * step left out. `repartition` and `cache` change no row and have no stage.
 */
import type { PipelineSpec, Step } from '../../clean/shared/pipeline';
import type { SparkStageData } from '../../contract';
import { estimatorInfo } from '../../ml/shared/training';
import type { LoggedModel } from './logged-model';
import { sparkEstimatorParams } from './pyspark-estimators';
import { sparkFeatureStage, sparkFeatures } from './pyspark-steps';
import { exportedInputs, type SchemaColumn } from './schema-check';
import { StepColumns } from './spark-columns';
import { dataFrameStatement } from './spark-dataframe-sql';
import { cannotExport } from './spark-export-error';
import type { SparkParam } from './spark-params';

/** One stage of the PipelineModel. */
export interface SparkStage {
  /** Spark's class, e.g. `org.apache.spark.ml.feature.VectorAssembler`. */
  className: string;
  /** The uid's prefix: the estimator's simple name (a model keeps its estimator's uid). */
  uidPrefix: string;
  /** The params set on the stage. */
  params: SparkParam[];
  /** The stage's data file's content, for fitted models. */
  data?: SparkStageData;
  /** Numbers Spark writes in the metadata line after the params (a tree model's `numFeatures`, …). */
  extraMetadata?: Record<string, number>;
  /** A tree ensemble's trees (each a stage of its own in `treesMetadata/`) and their weights. */
  trees?: { stages: SparkStage[]; weights: number[] };
}

/** The assembled and the scaled features' column names (Spark's usual ones). */
const FEATURES = 'features';
const SCALED = 'scaledFeatures';

const p = (name: string, value: unknown, double = false): SparkParam => ({ name, value, double });

function sqlTransformer(statement: string): SparkStage {
  return { className: 'org.apache.spark.ml.feature.SQLTransformer', uidPrefix: 'SQLTransformer', params: [p('statement', statement)] };
}

const STEP_NAMES: Record<Step['op'], string> = {
  filter: 'filter',
  drop: 'drop',
  select: 'select',
  dropna: 'dropna',
  fillna: 'fillna',
  imputer: 'Imputer',
  stringIndexer: 'StringIndexer',
  oneHotEncoder: 'OneHotEncoder',
  cast: 'cast',
  withColumn: 'withColumn',
  dropDuplicates: 'dropDuplicates',
  repartition: 'repartition',
  cache: 'cache',
};

/** The stages of one cleaning step (none for repartition and cache). */
function stepStages(step: Step, index: number, columns: StepColumns): SparkStage[] {
  const where = `step ${index + 1} of the cleaning pipeline (${STEP_NAMES[step.op]})`;
  switch (step.op) {
    case 'imputer':
    case 'stringIndexer':
    case 'oneHotEncoder':
      return [featureStage(step, where, columns)];
    case 'repartition':
    case 'cache':
      return [];
    default:
      return [sqlTransformer(dataFrameStatement(step, where, columns))];
  }
}

/** ImputerModel, StringIndexerModel or OneHotEncoderModel of a fitted step. */
function featureStage(step: Extract<Step, { op: 'imputer' | 'stringIndexer' | 'oneHotEncoder' }>, where: string, columns: StepColumns): SparkStage {
  const stage = sparkFeatureStage(step);
  const unfitted = () => cannotExport(`${where} was never fitted`, 'Use the pipeline its training run recorded (model/pipeline.json).');
  if (!stage) throw unfitted();
  addOutputs(step, columns);
  const model = (data: SparkStageData): SparkStage => ({ className: `org.apache.spark.ml.feature.${stage.name}Model`, uidPrefix: stage.name, params: stage.params, data });
  switch (step.op) {
    case 'imputer':
      if (!step.fitted) throw unfitted();
      return model({ stage: 'imputer', inputCols: step.inputCols, surrogates: step.fitted.surrogates });
    case 'stringIndexer':
      if (!step.fitted) throw unfitted();
      return model({ stage: 'stringIndexer', labelsArray: step.fitted.labels });
    case 'oneHotEncoder':
      if (!step.fitted) throw unfitted();
      return model({ stage: 'oneHotEncoder', categorySizes: step.fitted.categorySizes });
  }
}

/**
 * A fitted step's outputs: ImputerModel keeps each input's type, StringIndexer makes
 * doubles, OneHotEncoder a vector standing for Brasa's slot columns.
 */
function addOutputs(step: Extract<Step, { op: 'imputer' | 'stringIndexer' | 'oneHotEncoder' }>, columns: StepColumns): void {
  if (step.op === 'oneHotEncoder') {
    const slots = oneHotSlots([step]);
    for (const c of step.outputCols) columns.add(c, 'vector', slots.get(c)?.length ?? 0);
    return;
  }
  step.outputCols.forEach((c, i) => columns.add(c, step.op === 'imputer' ? columns.find(step.inputCols[i])?.type : 'double'));
}

/**
 * The slots Brasa's OneHotEncoder makes of each output (`<outputCol>_<category>`, an
 * `__invalid` slot with `handleInvalid = keep`, the last one dropped with `dropLast`):
 * the columns Spark's one vector column stands for.
 */
function oneHotSlots(steps: readonly Step[]): Map<string, string[]> {
  const slots = new Map<string, string[]>();
  for (const step of steps) {
    if (step.op !== 'oneHotEncoder' || !step.fitted) continue;
    step.outputCols.forEach((out, i) => {
      const names = (step.fitted?.categoryNames[i] ?? []).map((n) => `${out}_${n}`);
      if (step.handleInvalid === 'keep') names.push(`${out}___invalid`);
      if (step.dropLast) names.pop();
      slots.set(out, names);
    });
  }
  return slots;
}

/**
 * VectorAssembler's inputs: Brasa's features with each encoder's slots as its vector.
 * Spark assembles a whole vector, so the features must hold all of its slots, in order.
 */
function assemblerInputs(model: LoggedModel, steps: readonly Step[]): string[] {
  const inputs = sparkFeatures(model.features, steps);
  const slots = oneHotSlots(steps);
  for (const input of inputs) {
    const expected = slots.get(input);
    if (!expected) continue;
    const used = model.features.filter((f) => f.startsWith(`${input}_`));
    const start = model.features.indexOf(used[0] ?? '');
    const contiguous = model.features.slice(start, start + expected.length);
    if (used.length !== expected.length || contiguous.join('\u0000') !== expected.join('\u0000')) {
      throw cannotExport(
        `the features use ${used.length} of the ${expected.length} one-hot columns of ${input}, where Spark's VectorAssembler takes its whole vector`,
        `Train with all of ${input}'s columns as features, in order, to export this model.`,
      );
    }
  }
  return inputs;
}

/** The params of a decision tree inside an ensemble: what a tree model has of its ensemble's. */
const TREE_PARAMS = new Set(['featuresCol', 'labelCol', 'predictionCol', 'probabilityCol', 'rawPredictionCol', 'maxDepth', 'maxBins', 'minInstancesPerNode', 'minInfoGain', 'minWeightFractionPerNode', 'impurity', 'seed']);

/** The estimator's model stage, reading `featuresCol`. */
function modelStage(model: LoggedModel, featuresCol: string): SparkStage {
  const trained = model.model;
  const best = model.bestParams;
  const sparkName = estimatorInfo(best.estimator).sparkName;
  const classifier = model.task === 'classification';
  const params = [
    p('featuresCol', featuresCol),
    ...(model.label ? [p('labelCol', classifier ? 'label' : model.label)] : []),
    p('predictionCol', 'prediction'),
    ...(classifier ? [p('rawPredictionCol', 'rawPrediction'), p('probabilityCol', 'probability')] : []),
    ...sparkEstimatorParams(best),
  ];
  const kind = classifier ? 'classification' : 'regression';
  const Kind = classifier ? 'Classification' : 'Regression';
  switch (trained.kind) {
    case 'linearRegression':
      return {
        className: 'org.apache.spark.ml.regression.LinearRegressionModel',
        uidPrefix: sparkName,
        params,
        data: { stage: 'linearRegression', intercept: trained.model.intercept, coefficients: trained.model.coefficients },
      };
    case 'logisticRegression': {
      const m = trained.model;
      return {
        className: 'org.apache.spark.ml.classification.LogisticRegressionModel',
        uidPrefix: sparkName,
        params,
        data: {
          stage: 'logisticRegression',
          numClasses: m.numClasses,
          numFeatures: m.numFeatures,
          interceptVector: m.interceptVector,
          coefficientMatrix: m.coefficientMatrix,
          isMultinomial: m.isMultinomial,
        },
      };
    }
    case 'kMeans':
      return {
        className: 'org.apache.spark.ml.clustering.KMeansModel',
        uidPrefix: sparkName,
        params: params.filter((x) => x.name !== 'labelCol'),
        data: { stage: 'kMeans', clusterCenters: trained.model.clusterCenters },
      };
    case 'decisionTree':
      return {
        className: `org.apache.spark.ml.${kind}.DecisionTree${Kind}Model`,
        uidPrefix: sparkName,
        params,
        extraMetadata: { numFeatures: trained.model.numFeatures, ...(classifier ? { numClasses: trained.model.numClasses } : {}) },
        data: { stage: 'decisionTree', nodes: trained.model.nodes },
      };
    case 'randomForest': {
      const tree: SparkStage = {
        className: `org.apache.spark.ml.${kind}.DecisionTree${Kind}Model`,
        uidPrefix: classifier ? 'dtc' : 'dtr',
        params: params.filter((x) => TREE_PARAMS.has(x.name)),
      };
      return {
        className: `org.apache.spark.ml.${kind}.RandomForest${Kind}Model`,
        uidPrefix: sparkName,
        params,
        extraMetadata: { numFeatures: trained.model.numFeatures, ...(classifier ? { numClasses: trained.model.numClasses } : {}), numTrees: trained.model.trees.length },
        data: { stage: 'treeEnsemble', trees: trained.model.trees.map((t) => t.nodes) },
        trees: { stages: trained.model.trees.map(() => tree), weights: trained.model.trees.map(() => 1) },
      };
    }
    case 'gbt': {
      // GBT's trees are regression trees (of the pseudo-residuals), whatever the task.
      const tree: SparkStage = {
        className: 'org.apache.spark.ml.regression.DecisionTreeRegressionModel',
        uidPrefix: 'dtr',
        params: params.filter((x) => TREE_PARAMS.has(x.name) && x.name !== 'impurity' && x.name !== 'probabilityCol' && x.name !== 'rawPredictionCol'),
      };
      return {
        className: `org.apache.spark.ml.${kind}.GBT${Kind}Model`,
        uidPrefix: sparkName,
        params,
        extraMetadata: { numFeatures: trained.model.numFeatures, numTrees: trained.model.trees.length },
        data: { stage: 'treeEnsemble', trees: trained.model.trees.map((t) => t.nodes) },
        trees: { stages: trained.model.trees.map(() => tree), weights: trained.model.treeWeights },
      };
    }
  }
}

/** The model's stages: the estimator's model and, for a classifier with named classes, IndexToString. */
function modelStages(model: LoggedModel, featuresCol: string): SparkStage[] {
  const stages = [modelStage(model, featuresCol)];
  if (model.task === 'classification' && model.labels.length > 0) {
    stages.push({
      className: 'org.apache.spark.ml.feature.IndexToString',
      uidPrefix: 'IndexToString',
      params: [p('inputCol', 'prediction'), p('outputCol', 'predictedLabel'), p('labels', model.labels)],
    });
  }
  return stages;
}

/**
 * Every stage of the model's PipelineModel. `tableSchema` is the training table's
 * columns (the run's source dataset): the steps that read every column list them, and a
 * step replacing one is written as a replacement. Without it, the columns scoring reads
 * stand for the table, and those steps are refused.
 */
export function sparkStages(model: LoggedModel, pipeline?: PipelineSpec | null, tableSchema: readonly SchemaColumn[] = []): SparkStage[] {
  const steps = pipeline?.steps ?? [];
  const columns = new StepColumns(exportedInputs(model.inputSchema, model.features, pipeline, tableSchema), tableSchema);
  const stages = steps.flatMap((step, i) => {
    const made = stepStages(step, i, columns);
    // What the step made has the type the engine gave it in training, when recorded.
    columns.learnTypes(model.stepColumns?.[i] ?? []);
    return made;
  });
  stages.push({
    className: 'org.apache.spark.ml.feature.VectorAssembler',
    uidPrefix: 'VectorAssembler',
    params: [p('inputCols', assemblerInputs(model, steps)), p('outputCol', FEATURES), p('handleInvalid', model.handleInvalid)],
  });
  const scaler = model.model.scaler;
  if (scaler) {
    stages.push({
      className: 'org.apache.spark.ml.feature.StandardScalerModel',
      uidPrefix: 'StandardScaler',
      params: [p('inputCol', FEATURES), p('outputCol', SCALED), p('withMean', scaler.withMean), p('withStd', scaler.withStd)],
      // Spark keeps the mean even when withMean is off (the transform ignores it).
      data: { stage: 'standardScaler', std: scaler.std, mean: scaler.mean.length === scaler.std.length ? scaler.mean : scaler.std.map(() => 0) },
    });
  }
  stages.push(...modelStages(model, scaler ? SCALED : FEATURES));
  return stages;
}
