/**
 * A `PipelineModel` directory in Spark ML's persistence format, as `PipelineModel.load`
 * reads it:
 *
 * ```
 * metadata/part-00000                      one JSON line: class, timestamp, sparkVersion, uid,
 *                                          paramMap (stageUids), defaultParamMap
 * stages/<i>_<uid>/metadata/part-00000     the stage's line, its params in paramMap (i padded
 *                                          to the digits of the stage count)
 * stages/<i>_<uid>/data/part-00000-<uuid>-c000.snappy.parquet
 *                                          a fitted model's data (written by the engine)
 * stages/<i>_<uid>/treesMetadata/…parquet  a tree ensemble's trees: metadata line, weight
 * ```
 *
 * `defaultParamMap` holds Spark 4.3's defaults of each class, as Spark writes them (read
 * from the files PySpark 4.3 saves); Spark's reader needs the entry, and with it a stage
 * loads with the same defaults whatever Spark reads it. Uids are Spark's `<Class>_<12 hex>`,
 * derived from `seed` so that exporting the same model twice gives the same files.
 */
import type { SparkStageData } from '../../contract';
import type { SparkStage } from './spark-stages';
import type { SparkParam } from './spark-params';

/** The Spark version the files say wrote them (the PySpark the tests load them with). */
export const SPARK_VERSION = '4.3.0';

/** Writes a fitted stage's `data/` Parquet file (the engine's `sparkStageData`). */
export type StageDataWriter = (data: SparkStageData) => Promise<Uint8Array>;

/** A JSON number Spark's JSON reader takes as a long (KMeans' default seed), kept as text. */
interface RawNumber {
  raw: string;
}

type Default = [string, unknown, boolean?];

/** Spark 4.3's defaults per class; `outputCol` defaults are `<uid>__output`, added below. */
const DEFAULTS: Record<string, { defaults: Default[]; outputCol?: boolean }> = {
  'org.apache.spark.ml.feature.SQLTransformer': { defaults: [] },
  'org.apache.spark.ml.feature.VectorAssembler': { defaults: [['handleInvalid', 'error']], outputCol: true },
  'org.apache.spark.ml.feature.StandardScalerModel': { defaults: [['withMean', false], ['withStd', true]], outputCol: true },
  'org.apache.spark.ml.feature.ImputerModel': { defaults: [['missingValue', Number.NaN, true], ['relativeError', 0.001, true], ['strategy', 'mean']], outputCol: true },
  'org.apache.spark.ml.feature.StringIndexerModel': { defaults: [['handleInvalid', 'error'], ['stringOrderType', 'frequencyDesc']], outputCol: true },
  'org.apache.spark.ml.feature.OneHotEncoderModel': { defaults: [['dropLast', true], ['handleInvalid', 'error']], outputCol: true },
  'org.apache.spark.ml.feature.IndexToString': { defaults: [], outputCol: true },
  'org.apache.spark.ml.regression.LinearRegressionModel': {
    defaults: [
      ['aggregationDepth', 2], ['elasticNetParam', 0, true], ['epsilon', 1.35, true], ['featuresCol', 'features'], ['fitIntercept', true],
      ['labelCol', 'label'], ['loss', 'squaredError'], ['maxBlockSizeInMB', 0, true], ['maxIter', 100], ['predictionCol', 'prediction'],
      ['regParam', 0, true], ['solver', 'auto'], ['standardization', true], ['tol', 1e-6, true],
    ],
  },
  'org.apache.spark.ml.classification.LogisticRegressionModel': {
    defaults: [
      ['aggregationDepth', 2], ['elasticNetParam', 0, true], ['family', 'auto'], ['featuresCol', 'features'], ['fitIntercept', true],
      ['labelCol', 'label'], ['maxBlockSizeInMB', 0, true], ['maxIter', 100], ['predictionCol', 'prediction'], ['probabilityCol', 'probability'],
      ['rawPredictionCol', 'rawPrediction'], ['regParam', 0, true], ['standardization', true], ['threshold', 0.5, true], ['tol', 1e-6, true],
    ],
  },
  ...treeDefaults(),
  'org.apache.spark.ml.clustering.KMeansModel': {
    defaults: [
      ['distanceMeasure', 'euclidean'], ['featuresCol', 'features'], ['initMode', 'k-means||'], ['initSteps', 2],
      ['intermediateStorageLevel', 'MEMORY_AND_DISK'], ['k', 2], ['maxBlockSizeInMB', 0, true], ['maxIter', 20],
      ['predictionCol', 'prediction'], ['seed', { raw: '6694397590403997431' } satisfies RawNumber], ['solver', 'auto'], ['tol', 1e-4, true],
    ],
  },
};

/**
 * Spark 4.3's defaults of the tree models: what every tree learner has, then each class's
 * own (its impurity, a classifier's output columns, an ensemble's params, the seed Spark
 * derives from the class name).
 */
function treeDefaults(): Record<string, { defaults: Default[] }> {
  const tree = (impurity: string): Default[] => [
    ['cacheNodeIds', false], ['checkpointInterval', 10], ['featuresCol', 'features'], ['impurity', impurity], ['labelCol', 'label'], ['leafCol', ''],
    ['maxBins', 32], ['maxDepth', 5], ['maxMemoryInMB', 256], ['minInfoGain', 0, true], ['minInstancesPerNode', 1],
    ['minWeightFractionPerNode', 0, true], ['predictionCol', 'prediction'],
  ];
  const classifier: Default[] = [['probabilityCol', 'probability'], ['rawPredictionCol', 'rawPrediction']];
  const seed = (raw: string): Default => ['seed', { raw } satisfies RawNumber];
  const forest: Default[] = [['bootstrap', true], ['featureSubsetStrategy', 'auto'], ['numTrees', 20], ['subsamplingRate', 1, true]];
  const gbt = (loss: string): Default[] => [
    ['featureSubsetStrategy', 'all'], ['lossType', loss], ['maxIter', 20], ['stepSize', 0.1, true], ['subsamplingRate', 1, true], ['validationTol', 0.01, true],
  ];
  return {
    'org.apache.spark.ml.classification.DecisionTreeClassificationModel': { defaults: [...tree('gini'), ...classifier, ['pruneTree', true], seed('2685646851091410369')] },
    'org.apache.spark.ml.regression.DecisionTreeRegressionModel': { defaults: [...tree('variance'), seed('4844329623307088328')] },
    'org.apache.spark.ml.classification.RandomForestClassificationModel': { defaults: [...tree('gini'), ...classifier, ['pruneTree', true], ...forest, seed('-1716317415712059671')] },
    'org.apache.spark.ml.regression.RandomForestRegressionModel': { defaults: [...tree('variance'), ...forest, seed('-6530225657482715924')] },
    'org.apache.spark.ml.classification.GBTClassificationModel': { defaults: [...tree('variance'), ...classifier, ...gbt('logistic'), seed('8192590902557834337')] },
    'org.apache.spark.ml.regression.GBTRegressionModel': { defaults: [...tree('variance'), ...gbt('squared'), seed('116514777416827552')] },
  };
}

/** A value as Spark's param JSON: doubles always with a fraction or exponent, NaN as `"NaN"`. */
function jsonValue(value: unknown, double: boolean): string {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '"NaN"';
    if (!Number.isFinite(value)) return value > 0 ? '"Inf"' : '"-Inf"';
    const text = JSON.stringify(value);
    return double && /^-?\d+$/.test(text) ? `${text}.0` : text;
  }
  if (Array.isArray(value)) return `[${value.map((v) => jsonValue(v, double)).join(',')}]`;
  if (value && typeof value === 'object' && 'raw' in value) return (value as RawNumber).raw;
  return JSON.stringify(value);
}

/** A params object with its keys sorted, as Spark writes it. */
function paramsJson(params: SparkParam[]): string {
  const sorted = [...params].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return `{${sorted.map((p) => `${JSON.stringify(p.name)}:${jsonValue(p.value, p.double)}`).join(',')}}`;
}

/** The JSON line of a `metadata/` directory (without its newline); `extra` follows the params, as Spark writes a model's. */
function metadataLine(className: string, uid: string, timestamp: number, params: SparkParam[], defaults: SparkParam[], extra: Record<string, number> = {}): string {
  const more = Object.entries(extra).map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`).join('');
  return `{"class":${JSON.stringify(className)},"timestamp":${Math.round(timestamp)},"sparkVersion":${JSON.stringify(SPARK_VERSION)},"uid":${JSON.stringify(uid)},"paramMap":${paramsJson(params)},"defaultParamMap":${paramsJson(defaults)}${more}}`;
}

function defaultsOf(stage: SparkStage, uid: string): SparkParam[] {
  const known = DEFAULTS[stage.className];
  if (!known) throw new Error(`Brasa has no Spark defaults for ${stage.className} (a bug: every stage it writes needs them).`);
  const defaults: SparkParam[] = known.defaults.map(([name, value, double]) => ({ name, value, double: double ?? false }));
  if (known.outputCol) defaults.push({ name: 'outputCol', value: `${uid}__output`, double: false });
  return defaults;
}

/** 32-bit FNV-1a of a string, as 8 hex digits. */
function fnv(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** `n` hex digits derived from `seed` (ids that are the same each time the model is exported). */
export function hexFrom(seed: string, n: number): string {
  let out = '';
  for (let i = 0; out.length < n; i++) out += fnv(`${seed}\u0000${i}`);
  return out.slice(0, n);
}

const encoder = new TextEncoder();

/** The files of the PipelineModel directory, path (relative to it) → bytes. */
export async function pipelineModelFiles(
  stages: SparkStage[],
  writeData: StageDataWriter,
  options: { seed: string; timestamp: number },
): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  const uids = stages.map((s, i) => `${s.uidPrefix}_${hexFrom(`${options.seed}/stage/${i}`, 12)}`);
  const pipelineUid = `PipelineModel_${hexFrom(`${options.seed}/pipeline`, 12)}`;
  files['metadata/part-00000'] = encoder.encode(
    `${metadataLine('org.apache.spark.ml.PipelineModel', pipelineUid, options.timestamp, [{ name: 'stageUids', value: uids, double: false }], [])}\n`,
  );
  const uuid = (what: string) => hexFrom(`${options.seed}/${what}`, 32).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  for (const [i, stage] of stages.entries()) {
    // Spark pads the index to the digits of the stage count (`03_…` of 10 stages).
    const dir = `stages/${String(i).padStart(String(stages.length).length, '0')}_${uids[i]}`;
    const line = metadataLine(stage.className, uids[i], options.timestamp, stage.params, defaultsOf(stage, uids[i]), stage.extraMetadata);
    files[`${dir}/metadata/part-00000`] = encoder.encode(`${line}\n`);
    if (stage.data) files[`${dir}/data/part-00000-${uuid(`data/${i}`)}-c000.snappy.parquet`] = await writeData(stage.data);
    if (stage.trees) {
      // Each tree of an ensemble has its own metadata line, kept in treesMetadata/ with its weight.
      const metadata = stage.trees.stages.map((tree, t) => {
        const treeUid = `${tree.uidPrefix}_${hexFrom(`${options.seed}/stage/${i}/tree/${t}`, 12)}`;
        return metadataLine(tree.className, treeUid, options.timestamp, tree.params, defaultsOf(tree, treeUid));
      });
      files[`${dir}/treesMetadata/part-00000-${uuid(`trees/${i}`)}-c000.snappy.parquet`] = await writeData({ stage: 'treesMetadata', metadata, weights: stage.trees.weights });
    }
  }
  return files;
}
