/**
 * A Spark ML `PipelineModel` saved by PySpark (`model.write().save(path)`, zipped) as a
 * Brasa model: the other way of `spark-stages.ts`. The stages are read in order:
 *
 * - ImputerModel, StringIndexerModel and OneHotEncoderModel become fitted cleaning steps
 *   (a StringIndexer whose output is the model's `labelCol` is the label's indexer: its
 *   labels name the classes, and scoring never reads the label);
 * - SQLTransformer, when its statement is one Brasa's own export writes (filter,
 *   withColumn, cast, drop, select, dropna, fillna, dropDuplicates: `spark-sql-steps.ts`),
 *   becomes that step;
 * - VectorAssembler gives the features, each OneHotEncoder vector as its slots
 *   (`<outputCol>_<label>`, as Brasa's encoder names them);
 * - StandardScalerModel, then the estimator's model (LinearRegression,
 *   LogisticRegression, KMeans, DecisionTree, RandomForest, GBT), then IndexToString.
 *
 * Any other stage, or these in an order Brasa's scoring cannot follow, is refused with a
 * `MODEL_IMPORT` error naming the stage. The stages' `data/` Parquet files are read by
 * the engine (`readSparkStageData`); the metadata lines are JSON, read here.
 *
 * An imported model has no training summary: its logistic model reports 0 iterations,
 * its KMeans model no cluster sizes or cost, its GBT model no loss history.
 */
import type { PipelineSpec, Step } from '../../clean/shared/pipeline';
import type {
  EstimatorSpec,
  HandleInvalid,
  SparkDataPart,
  SparkStageData,
  StandardScalerModel,
  TaskKind,
  TrainedModel,
  TreeNode,
} from '../../contract';
import { PIPELINE_VERSION } from '../../contract';
import { codedError, type ErrorCode } from '../../engine/shared/errors';
import { type EstimatorName, estimatorInfo } from '../../ml/shared/training';
import { type LoggedModel, MODEL_FLAVOR, MODEL_FORMAT_VERSION } from './logged-model';
import { requiredColumns, type SchemaColumn } from './schema-check';
import { dataFrameStep } from './spark-sql-steps';

export const MODEL_IMPORT = 'MODEL_IMPORT' satisfies ErrorCode;

/** Reads a stage's Parquet part files (the engine's `readSparkStageData`). */
export type StageDataReader = (className: string, part: SparkDataPart, files: Uint8Array[]) => Promise<SparkStageData>;

export interface ImportedModel {
  model: LoggedModel;
  /** The fitted cleaning steps before the assembler, if any. */
  pipeline: PipelineSpec | null;
  /** Each stage's simple class name, in order (what the run records). */
  stages: string[];
  /** The Spark version that saved the model. */
  sparkVersion: string;
}

/** One stage's metadata line (Spark's `DefaultParamsWriter`). */
interface StageMetadata {
  class: string;
  uid: string;
  sparkVersion?: string;
  paramMap?: Record<string, unknown>;
  defaultParamMap?: Record<string, unknown>;
  numFeatures?: number;
  numClasses?: number;
  numTrees?: number;
}

interface Stage {
  meta: StageMetadata;
  /** The class's simple name: `ImputerModel`. */
  name: string;
  /** `Stage 3 of 8 (StandardScalerModel)`, for messages. */
  where: string;
  dir: string;
}

const MODEL_CLASSES: Record<string, EstimatorName> = {
  LinearRegressionModel: 'linearRegression',
  LogisticRegressionModel: 'logisticRegression',
  KMeansModel: 'kMeans',
  DecisionTreeClassificationModel: 'decisionTreeClassifier',
  DecisionTreeRegressionModel: 'decisionTreeRegressor',
  RandomForestClassificationModel: 'randomForestClassifier',
  RandomForestRegressionModel: 'randomForestRegressor',
  GBTClassificationModel: 'gbtClassifier',
  GBTRegressionModel: 'gbtRegressor',
};

const SUPPORTED = 'Brasa imports Imputer, StringIndexer, OneHotEncoder, VectorAssembler, StandardScaler, IndexToString, the SQLTransformer statements of its own export, and LinearRegression, LogisticRegression, KMeans, DecisionTree, RandomForest and GBT models';

function importError(message: string): Error {
  return codedError(MODEL_IMPORT, message);
}

const decoder = new TextDecoder();

function parseMetadata(bytes: Uint8Array, path: string): StageMetadata {
  try {
    const meta = JSON.parse(decoder.decode(bytes).trim().split('\n')[0]) as StageMetadata;
    if (typeof meta?.class !== 'string' || typeof meta.uid !== 'string') throw new Error('no class or uid');
    return meta;
  } catch (error) {
    throw importError(`${path} is not a Spark ML metadata line (${(error as Error).message}).`);
  }
}

/** A Spark part file (`part-00000…`), not its `.crc` twin or `_SUCCESS`. */
const isPart = (path: string, dir: string) => path.startsWith(dir) && /^part-[^/]*$/.test(path.slice(dir.length));

function partsOf(files: Map<string, Uint8Array>, dir: string): Uint8Array[] {
  return [...files.keys()].filter((p) => isPart(p, dir)).sort().map((p) => files.get(p) as Uint8Array);
}

/** The folder holding the PipelineModel (`''`, `spend/`, `model/sparkml/`): the shallowest with a PipelineModel metadata line. */
function pipelineRoot(files: Map<string, Uint8Array>): { root: string; meta: StageMetadata } {
  const candidates = [...files.keys()]
    .filter((p) => /(^|\/)metadata\/part-[^/]*$/.test(p) && !/(^|\/)stages\//.test(p))
    .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  for (const path of candidates) {
    const meta = parseMetadata(files.get(path) as Uint8Array, path);
    const root = path.slice(0, path.lastIndexOf('metadata/'));
    if (meta.class === 'org.apache.spark.ml.PipelineModel') return { root, meta };
    throw importError(`The zip holds a single ${simpleName(meta.class)}, not a PipelineModel: Brasa needs the whole pipeline (its VectorAssembler names the features). Save the fitted Pipeline's model (pipeline.fit(df).write().save(path)) and zip that folder.`);
  }
  throw importError('The zip holds no Spark ML PipelineModel (a metadata/part-00000 file saying class PipelineModel). Zip the folder PipelineModel.write().save(path) made, or an MLflow model folder with the spark flavor.');
}

const simpleName = (className: string) => className.slice(className.lastIndexOf('.') + 1);

/** The stages in order, each with its metadata and folder. */
function stagesOf(files: Map<string, Uint8Array>, root: string, pipeline: StageMetadata): Stage[] {
  const uids = pipeline.paramMap?.stageUids;
  if (!Array.isArray(uids) || uids.some((u) => typeof u !== 'string')) throw importError('The PipelineModel\'s metadata lists no stageUids.');
  const paths = [...files.keys()];
  return (uids as string[]).map((uid, i) => {
    const metaPath = paths.find((p) => p.startsWith(`${root}stages/`) && p.slice(`${root}stages/`.length).match(/^\d+_(.*)\/metadata\/part-[^/]*$/)?.[1] === uid);
    if (!metaPath) throw importError(`Stage ${i + 1} (${uid}) of the PipelineModel is missing from the zip (no ${root}stages/${i}_${uid}/metadata).`);
    const meta = parseMetadata(files.get(metaPath) as Uint8Array, metaPath);
    const name = simpleName(meta.class);
    return { meta, name, where: `stage ${i + 1} of ${uids.length} (${name})`, dir: metaPath.slice(0, metaPath.lastIndexOf('metadata/')) };
  });
}

/** A param as the stage set it, else its default. */
function param<T>(stage: Stage, name: string): T | undefined {
  const set = stage.meta.paramMap?.[name];
  return (set !== undefined ? set : stage.meta.defaultParamMap?.[name]) as T | undefined;
}

/** `inputCols`, or the one `inputCol` (Spark's feature stages take either). */
function columnsParam(stage: Stage, plural: string, singular: string): string[] {
  const many = stage.meta.paramMap?.[plural];
  if (Array.isArray(many)) return many.map(String);
  const one = stage.meta.paramMap?.[singular];
  if (typeof one === 'string') return [one];
  throw importError(`${capital(stage.where)} sets neither ${plural} nor ${singular}.`);
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function handleInvalidOf(stage: Stage): HandleInvalid {
  const value = param<string>(stage, 'handleInvalid') ?? 'error';
  if (value !== 'error' && value !== 'keep' && value !== 'skip') throw importError(`${capital(stage.where)} has handleInvalid = ${value}, which Brasa does not know.`);
  return value;
}

function expectData<K extends SparkStageData['stage']>(data: SparkStageData, kind: K, stage: Stage): Extract<SparkStageData, { stage: K }> {
  if (data.stage !== kind) throw importError(`${capital(stage.where)}: its data is not a ${kind}'s.`);
  return data as Extract<SparkStageData, { stage: K }>;
}

/** The cleaning step of a SQLTransformer whose statement Brasa's export wrote. */
function sqlStep(stage: Stage): Step {
  const statement = String(param<string>(stage, 'statement') ?? '').trim();
  const step = dataFrameStep(statement);
  if (step) return step;
  throw importError(
    `${capital(stage.where)} runs the statement "${statement.slice(0, 200)}${statement.length > 200 ? '…' : ''}", which Brasa cannot import: it reads a SQLTransformer only in the shapes its own export writes for filter (SELECT * FROM __THIS__ WHERE (…)), withColumn (SELECT *, (…) AS \`name\` FROM __THIS__), cast, drop, select, dropna, fillna and dropDuplicates. Do that step in the page's cleaning pipeline instead.`,
  );
}

/** Everything the stages before the model said, as the walk goes. */
class Walk {
  readonly steps: Step[] = [];
  /** Labels of each StringIndexer output column (with `__unknown` when it keeps invalid values). */
  readonly indexed = new Map<string, string[]>();
  /** The slot columns of each OneHotEncoder output vector. */
  readonly slots = new Map<string, string[]>();
  /** The raw input columns and the type scoring expects of them. */
  readonly types = new Map<string, string>();
  features: string[] | null = null;
  assembled = '';
  handleInvalid: HandleInvalid = 'error';
  scaler: StandardScalerModel | null = null;
  scaled = '';
  labelIndexer: { column: string; labels: string[] } | null = null;

  constructor(readonly labelCol: string | undefined) {}
}

async function featureStage(stage: Stage, walk: Walk, data: () => Promise<SparkStageData>): Promise<void> {
  const inputCols = columnsParam(stage, 'inputCols', 'inputCol');
  const outputCols = columnsParam(stage, 'outputCols', 'outputCol');
  if (inputCols.length !== outputCols.length) throw importError(`${capital(stage.where)} has ${inputCols.length} input and ${outputCols.length} output columns.`);
  switch (stage.name) {
    case 'ImputerModel': {
      const read = expectData(await data(), 'imputer', stage);
      const surrogates = inputCols.map((c) => {
        const k = read.inputCols.findIndex((r) => r === c);
        if (k < 0) throw importError(`${capital(stage.where)} has no surrogate for ${c}.`);
        return read.surrogates[k];
      });
      const missing = Number(param(stage, 'missingValue') ?? NaN);
      const strategy = param<string>(stage, 'strategy') ?? 'mean';
      if (strategy !== 'mean' && strategy !== 'median' && strategy !== 'mode') throw importError(`${capital(stage.where)} has strategy ${strategy}, which Brasa does not know.`);
      for (const c of inputCols) walk.types.set(c, 'double');
      walk.steps.push({ op: 'imputer', inputCols, outputCols, strategy, ...(Number.isNaN(missing) ? {} : { missingValue: missing }), fitted: { surrogates } });
      return;
    }
    case 'StringIndexerModel': {
      const labels = expectData(await data(), 'stringIndexer', stage).labelsArray;
      if (labels.length !== inputCols.length) throw importError(`${capital(stage.where)} has ${labels.length} label lists for ${inputCols.length} columns.`);
      const handleInvalid = handleInvalidOf(stage);
      const keep = inputCols.map((_, k) => outputCols[k] !== walk.labelCol);
      const label = keep.indexOf(false);
      if (label >= 0) walk.labelIndexer = { column: inputCols[label], labels: labels[label] };
      const ins = inputCols.filter((_, k) => keep[k]);
      if (ins.length === 0) return;
      const outs = outputCols.filter((_, k) => keep[k]);
      const kept = labels.filter((_, k) => keep[k]);
      outs.forEach((c, k) => walk.indexed.set(c, handleInvalid === 'keep' ? [...kept[k], '__unknown'] : kept[k]));
      for (const c of ins) if (!walk.types.has(c)) walk.types.set(c, 'unknown');
      const order = param<string>(stage, 'stringOrderType') ?? 'frequencyDesc';
      if (!['frequencyDesc', 'frequencyAsc', 'alphabetDesc', 'alphabetAsc'].includes(order)) throw importError(`${capital(stage.where)} has stringOrderType ${order}, which Brasa does not know.`);
      walk.steps.push({ op: 'stringIndexer', inputCols: ins, outputCols: outs, stringOrderType: order as 'frequencyDesc', handleInvalid, fitted: { labels: kept } });
      return;
    }
    case 'OneHotEncoderModel': {
      const sizes = expectData(await data(), 'oneHotEncoder', stage).categorySizes;
      if (sizes.length !== inputCols.length) throw importError(`${capital(stage.where)} has ${sizes.length} category counts for ${inputCols.length} columns.`);
      const dropLast = param<boolean>(stage, 'dropLast') ?? true;
      const handleInvalid = handleInvalidOf(stage);
      if (handleInvalid === 'skip') throw importError(`${capital(stage.where)} has handleInvalid = skip, which Spark's OneHotEncoder does not take.`);
      const names = inputCols.map((c, k) => {
        const labels = walk.indexed.get(c);
        return labels && labels.length === sizes[k] ? labels : Array.from({ length: sizes[k] }, (_, i) => String(i));
      });
      outputCols.forEach((out, k) => {
        const slots = names[k].map((n) => `${out}_${n}`);
        if (handleInvalid === 'keep') slots.push(`${out}___invalid`);
        if (dropLast) slots.pop();
        walk.slots.set(out, slots);
      });
      for (const c of inputCols) if (!walk.types.has(c) && !walk.indexed.has(c)) walk.types.set(c, 'double');
      walk.steps.push({ op: 'oneHotEncoder', inputCols, outputCols, dropLast, handleInvalid, fitted: { categorySizes: sizes, categoryNames: names } });
      return;
    }
  }
}

function assemble(stage: Stage, walk: Walk): void {
  if (walk.features) throw importError(`${capital(stage.where)} is a second VectorAssembler; Brasa's models read one.`);
  const inputs = columnsParam(stage, 'inputCols', 'inputCol');
  walk.features = inputs.flatMap((c) => walk.slots.get(c) ?? [c]);
  for (const c of inputs) if (!walk.slots.has(c) && !walk.types.has(c)) walk.types.set(c, 'double');
  walk.assembled = String(param(stage, 'outputCol'));
  walk.handleInvalid = handleInvalidOf(stage);
}

async function scale(stage: Stage, walk: Walk, data: () => Promise<SparkStageData>): Promise<void> {
  if (!walk.features || param(stage, 'inputCol') !== walk.assembled || walk.scaler) {
    throw importError(`${capital(stage.where)} does not scale the assembled features (${walk.assembled || 'no VectorAssembler before it'}); Brasa scales them once, right before the model.`);
  }
  const read = expectData(await data(), 'standardScaler', stage);
  walk.scaler = { withMean: param<boolean>(stage, 'withMean') ?? false, withStd: param<boolean>(stage, 'withStd') ?? true, mean: read.mean, std: read.std };
  walk.scaled = String(param(stage, 'outputCol'));
}

/** The model's params Brasa knows, as the stage set them, over Brasa's defaults (Spark's). */
function estimatorParams(name: EstimatorName, stage: Stage): EstimatorSpec {
  const info = estimatorInfo(name);
  const params: Record<string, unknown> = { ...info.defaults };
  for (const key of info.params.map((p) => p.name)) {
    const value = stage.meta.paramMap?.[key];
    const fallback = (info.defaults as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (fallback === undefined || fallback === null || typeof value === typeof fallback) params[key] = value;
  }
  if (stage.meta.numTrees !== undefined && 'numTrees' in params) params.numTrees = stage.meta.numTrees;
  return { estimator: name, params } as EstimatorSpec;
}

/** A classifier stage's `thresholds` (Spark's HasThresholds), when it set them. */
function thresholdsOf(stage: Stage): number[] | null {
  const thresholds = param<unknown>(stage, 'thresholds');
  return Array.isArray(thresholds) ? thresholds.map(Number) : null;
}

const treeOf = (nodes: TreeNode[], numFeatures: number, numClasses: number) => ({ nodes, numFeatures, numClasses });

async function trainedModel(name: EstimatorName, stage: Stage, features: number, data: (part?: SparkDataPart) => Promise<SparkStageData>): Promise<TrainedModel> {
  const numClasses = stage.meta.numClasses ?? 0;
  switch (name) {
    case 'linearRegression': {
      const read = expectData(await data(), 'linearRegression', stage);
      return { kind: 'linearRegression', model: { coefficients: read.coefficients, intercept: read.intercept } };
    }
    case 'logisticRegression': {
      const read = expectData(await data(), 'logisticRegression', stage);
      return {
        kind: 'logisticRegression',
        model: {
          numClasses: read.numClasses,
          numFeatures: read.numFeatures,
          isMultinomial: read.isMultinomial,
          coefficientMatrix: read.coefficientMatrix,
          interceptVector: read.interceptVector,
          threshold: Number(param(stage, 'threshold') ?? 0.5),
          thresholds: thresholdsOf(stage),
          numIterations: 0,
          converged: true,
        },
      };
    }
    case 'kMeans': {
      const read = expectData(await data(), 'kMeans', stage);
      const distance = param<string>(stage, 'distanceMeasure') ?? 'euclidean';
      if (distance !== 'euclidean' && distance !== 'cosine') throw importError(`${capital(stage.where)} measures distance by ${distance}, which Brasa does not know.`);
      return { kind: 'kMeans', model: { clusterCenters: read.clusterCenters, distanceMeasure: distance, trainingCost: 0, numIter: 0, clusterSizes: [], clusterWeights: [] } };
    }
    case 'decisionTreeClassifier':
    case 'decisionTreeRegressor': {
      const read = expectData(await data(), 'decisionTree', stage);
      return { kind: 'decisionTree', model: treeOf(read.nodes, stage.meta.numFeatures ?? features, numClasses), thresholds: thresholdsOf(stage) };
    }
    case 'randomForestClassifier':
    case 'randomForestRegressor': {
      const read = expectData(await data(), 'treeEnsemble', stage);
      const numFeatures = stage.meta.numFeatures ?? features;
      return { kind: 'randomForest', model: { trees: read.trees.map((t) => treeOf(t, numFeatures, numClasses)), numFeatures, numClasses }, thresholds: thresholdsOf(stage) };
    }
    case 'gbtClassifier':
    case 'gbtRegressor': {
      const read = expectData(await data(), 'treeEnsemble', stage);
      const weights = expectData(await data('treesMetadata'), 'treesMetadata', stage).weights;
      const numFeatures = stage.meta.numFeatures ?? features;
      const classifier = name === 'gbtClassifier';
      const loss = param<string>(stage, 'lossType') ?? (classifier ? 'logistic' : 'squared');
      if (loss !== 'logistic' && loss !== 'squared' && loss !== 'absolute') throw importError(`${capital(stage.where)} has lossType ${loss}, which Brasa does not know.`);
      return {
        kind: 'gbt',
        model: { trees: read.trees.map((t) => treeOf(t, numFeatures, 0)), treeWeights: weights, numFeatures, classifier, loss, trainingLoss: [], validationLoss: [] },
        thresholds: classifier ? thresholdsOf(stage) : null,
      };
    }
  }
}

/**
 * The PipelineModel in a zip's files (path → bytes) as a Brasa model and its fitted
 * pipeline. `read` reads a stage's Parquet files (the engine).
 */
export async function importSparkPipeline(files: Map<string, Uint8Array>, read: StageDataReader): Promise<ImportedModel> {
  const { root, meta } = pipelineRoot(files);
  const stages = stagesOf(files, root, meta);
  const at = stages.findIndex((s) => s.name in MODEL_CLASSES);
  if (at < 0) {
    throw importError(`The PipelineModel has no model stage (${stages.map((s) => s.name).join(', ') || 'no stages'}). ${SUPPORTED}.`);
  }
  const modelStage = stages[at];
  const estimator = MODEL_CLASSES[modelStage.name];
  const task: TaskKind = estimatorInfo(estimator).task;
  const walk = new Walk(task === 'clustering' ? undefined : String(param(modelStage, 'labelCol') ?? 'label'));
  const dataOf = (stage: Stage) => async (part: SparkDataPart = 'data') => {
    const parts = partsOf(files, `${stage.dir}${part}/`);
    return read(stage.meta.class, part, parts);
  };
  for (const stage of stages.slice(0, at)) {
    const afterAssembler = walk.features !== null;
    switch (stage.name) {
      case 'ImputerModel':
      case 'StringIndexerModel':
      case 'OneHotEncoderModel': {
        const before = walk.steps.length;
        await featureStage(stage, walk, dataOf(stage));
        if (afterAssembler && walk.steps.length > before) {
          throw importError(`${capital(stage.where)} comes after the VectorAssembler; Brasa runs the cleaning steps before assembling the features. Move it before the VectorAssembler.`);
        }
        break;
      }
      case 'SQLTransformer':
        if (afterAssembler) throw importError(`${capital(stage.where)} comes after the VectorAssembler; Brasa runs the cleaning steps before assembling the features.`);
        walk.steps.push(sqlStep(stage));
        break;
      case 'VectorAssembler':
        assemble(stage, walk);
        break;
      case 'StandardScalerModel':
        await scale(stage, walk, dataOf(stage));
        break;
      default:
        throw importError(`${capital(stage.where)} is not a stage Brasa can import (${stage.meta.class}). ${SUPPORTED}.`);
    }
  }
  if (!walk.features) throw importError(`The PipelineModel has no VectorAssembler before its ${modelStage.name}: Brasa needs it to know the feature columns.`);
  const featuresCol = String(param(modelStage, 'featuresCol') ?? 'features');
  const expectedCol = walk.scaler ? walk.scaled : walk.assembled;
  if (featuresCol !== expectedCol) throw importError(`${capital(modelStage.where)} reads ${featuresCol}, not the ${walk.scaler ? 'scaled' : 'assembled'} features (${expectedCol}).`);
  const trained = await trainedModel(estimator, modelStage, walk.features.length, dataOf(modelStage));
  const model = (walk.scaler ? { ...trained, scaler: walk.scaler } : trained) as TrainedModel;
  const numFeatures = model.kind === 'linearRegression' ? model.model.coefficients.length : model.kind === 'logisticRegression' ? model.model.numFeatures : model.kind === 'kMeans' ? (model.model.clusterCenters[0]?.length ?? 0) : model.model.numFeatures;
  if (numFeatures !== walk.features.length) {
    throw importError(`${capital(modelStage.where)} reads ${numFeatures} features, but the VectorAssembler makes ${walk.features.length} (${walk.features.join(', ')}).`);
  }
  let labels = walk.labelIndexer?.labels ?? [];
  for (const stage of stages.slice(at + 1)) {
    if (stage.name !== 'IndexToString') throw importError(`${capital(stage.where)} comes after the model; Brasa can import only an IndexToString there.`);
    const given = param<unknown[]>(stage, 'labels');
    if (Array.isArray(given) && given.length) labels = given.map(String);
  }
  if (task !== 'classification') labels = [];
  const pipeline: PipelineSpec | null = walk.steps.length ? { version: PIPELINE_VERSION, steps: walk.steps } : null;
  const schema: SchemaColumn[] = [...walk.types].map(([name, type]) => ({ name, type }));
  const inputSchema = requiredColumns(schema, walk.features, pipeline).map(({ name, type }) => ({ name, type }));
  const label = task === 'clustering' ? null : (walk.labelIndexer?.column ?? walk.labelCol ?? null);
  const sparkName = estimatorInfo(estimator).sparkName;
  return {
    model: {
      flavor: MODEL_FLAVOR,
      formatVersion: MODEL_FORMAT_VERSION,
      estimator: walk.scaler ? `Pipeline(StandardScaler, ${sparkName})` : sparkName,
      task,
      features: walk.features,
      label,
      labels,
      inputSchema,
      handleInvalid: walk.handleInvalid,
      model,
      bestParams: estimatorParams(estimator, modelStage),
    },
    pipeline,
    stages: stages.map((s) => s.name),
    sparkVersion: meta.sparkVersion ?? 'unknown',
  };
}
