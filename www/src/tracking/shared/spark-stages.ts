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
 * dropna and fillna are SQLTransformers too, with Spark's rule that NaN is missing in
 * floating-point columns. What Spark cannot express yet (dropDuplicates; dropna without a
 * subset; fillna of a column whose type is unknown) is refused with a `MODEL_EXPORT`
 * error naming the step; a model is never written with a step left out. `repartition`
 * and `cache` change no row and have no stage.
 */
import type { PipelineSpec, Step } from '../../clean/shared/pipeline';
import type { SparkStageData } from '../../contract';
import { codedError, type ErrorCode } from '../../engine/shared/errors';
import { estimatorInfo } from '../../ml/shared/training';
import type { InputColumn, LoggedModel } from './logged-model';
import { sparkEstimatorParams } from './pyspark-estimators';
import { sparkFeatureStage, sparkFeatures } from './pyspark-steps';
import type { SparkParam } from './spark-params';

export const MODEL_EXPORT = 'MODEL_EXPORT' satisfies ErrorCode;

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

/** An error saying which step cannot be exported and what to do. */
function cannotExport(what: string, todo: string): Error {
  return codedError(MODEL_EXPORT, `This model cannot be written as a Spark ML PipelineModel: ${what}. ${todo}`);
}

/** A Spark SQL identifier: backticks, doubled inside. */
const ident = (name: string) => `\`${name.replaceAll('`', '``')}\``;

/**
 * The columns known at each point of the pipeline, for the SQL statements that must list
 * them (Spark SQL has no `SELECT * EXCEPT`): those scoring reads, then what the steps
 * made, with their Spark SQL types where known (dropna and fillna depend on them).
 * `present` also knows the training table's other columns, so that a step replacing one
 * of them replaces it rather than adding a second column of the same name.
 */
class Columns {
  private readonly known: string[];
  private readonly present: Set<string>;
  private readonly types = new Map<string, string>();

  constructor(read: InputColumn[], tableColumns: string[]) {
    this.known = read.map((c) => c.name);
    for (const c of read) this.types.set(c.name.toLowerCase(), c.type);
    this.present = new Set([...this.known, ...tableColumns].map((c) => c.toLowerCase()));
  }

  has(name: string): boolean {
    return this.present.has(name.toLowerCase());
  }

  /** The column's Spark SQL type, when known. */
  type(name: string): string | undefined {
    return this.types.get(name.toLowerCase());
  }

  /** A column made or replaced by a step, of `type` when known. */
  add(name: string, type?: string): void {
    if (!this.known.some((c) => c.toLowerCase() === name.toLowerCase())) this.known.push(name);
    this.present.add(name.toLowerCase());
    if (type === undefined) this.types.delete(name.toLowerCase());
    else this.types.set(name.toLowerCase(), type);
  }

  /** `SELECT` items for every known column, with `replace` giving some an expression. */
  list(replace: Map<string, string> = new Map()): string {
    const items = this.known.map((c) => {
      const expr = replace.get(c.toLowerCase());
      return expr === undefined ? ident(c) : `${expr} AS ${ident(c)}`;
    });
    return items.join(', ');
  }

  /** Keeps only `names` (in that order, with their new names and their types). */
  keep(names: { name: string; as: string }[]): void {
    const types = names.map((n) => this.type(n.name));
    this.known.splice(0, this.known.length, ...names.map((n) => n.as));
    this.present.clear();
    this.types.clear();
    names.forEach((n, i) => {
      this.present.add(n.as.toLowerCase());
      if (types[i] !== undefined) this.types.set(n.as.toLowerCase(), types[i]);
    });
  }

  drop(names: string[]): void {
    const gone = new Set(names.map((n) => n.toLowerCase()));
    const left = this.known.filter((c) => !gone.has(c.toLowerCase()));
    this.known.splice(0, this.known.length, ...left);
    for (const n of gone) {
      this.present.delete(n);
      this.types.delete(n);
    }
  }
}

const FLOATING = new Set(['double', 'float']);

/**
 * SQL that is true where the column holds a value: not NULL and, in a floating-point
 * column, not NaN (Spark's `df.na` rule). A column of unknown type asks `typeof` at run
 * time (`try_cast` keeps the analysis valid for any type).
 */
function presentSql(name: string, type: string | undefined): string {
  const c = ident(name);
  if (type === undefined) return `(${c} IS NOT NULL AND NOT (typeof(${c}) IN ('double', 'float') AND isnan(try_cast(${c} AS DOUBLE))))`;
  return FLOATING.has(type) ? `(${c} IS NOT NULL AND NOT isnan(${c}))` : `${c} IS NOT NULL`;
}

/** A Spark SQL string literal (backslash escapes, Spark's default). */
const sqlString = (text: string) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/** dropna as a filter: rows with at least `thresh` present values among the subset. */
function dropnaStage(step: Extract<Step, { op: 'dropna' }>, where: string, columns: Columns): SparkStage {
  const subset = step.subset ?? [];
  if (subset.length === 0) {
    throw cannotExport(
      `${where} reads every column of the table, which a Spark ML stage cannot list`,
      'Give the dropna step a subset (the columns that must have values), then train again.',
    );
  }
  const thresh = step.thresh ?? (step.how === 'all' ? 1 : subset.length);
  const count = subset.map((c) => `CASE WHEN ${presentSql(c, columns.type(c))} THEN 1 ELSE 0 END`).join(' + ');
  return sqlTransformer(`SELECT * FROM __THIS__ WHERE (${count}) >= ${thresh}`);
}

/** fillna as a replacement of each filled column: its value where present, else the fill cast to its type. */
function fillnaStage(step: Extract<Step, { op: 'fillna' }>, where: string, columns: Columns): SparkStage {
  const replace = new Map<string, string>();
  for (const [name, value] of Object.entries(step.values)) {
    const type = columns.type(name);
    if (type === undefined || type === 'vector') {
      throw cannotExport(
        `${where} fills ${name}, whose type is not known at that step`,
        'Fill columns of the loaded table (or cast the column first), then train again.',
      );
    }
    const fill = typeof value === 'boolean' ? String(value) : typeof value === 'number' ? `CAST(${value} AS ${type})` : type === 'string' ? sqlString(value) : `CAST(${sqlString(value)} AS ${type})`;
    replace.set(name.toLowerCase(), `CASE WHEN ${presentSql(name, type)} THEN ${ident(name)} ELSE ${fill} END`);
    columns.add(name, type);
  }
  return sqlTransformer(`SELECT ${columns.list(replace)} FROM __THIS__`);
}

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
function stepStages(step: Step, index: number, columns: Columns): SparkStage[] {
  const where = `step ${index + 1} of the cleaning pipeline (${STEP_NAMES[step.op]})`;
  switch (step.op) {
    case 'filter':
      return [sqlTransformer(`SELECT * FROM __THIS__ WHERE (${step.condition})`)];
    case 'withColumn': {
      if (!columns.has(step.column)) {
        columns.add(step.column);
        return [sqlTransformer(`SELECT *, (${step.expr}) AS ${ident(step.column)} FROM __THIS__`)];
      }
      columns.add(step.column);
      return [sqlTransformer(`SELECT ${columns.list(new Map([[step.column.toLowerCase(), `(${step.expr})`]]))} FROM __THIS__`)];
    }
    case 'cast':
      columns.add(step.column, step.dataType);
      return [sqlTransformer(`SELECT ${columns.list(new Map([[step.column.toLowerCase(), `CAST(${ident(step.column)} AS ${step.dataType})`]]))} FROM __THIS__`)];
    case 'drop':
      columns.drop(step.columns);
      return [sqlTransformer(`SELECT ${columns.list()} FROM __THIS__`)];
    case 'select': {
      const items = step.columns.map((c) => (c.alias ? `${ident(c.name)} AS ${ident(c.alias)}` : ident(c.name)));
      columns.keep(step.columns.map((c) => ({ name: c.name, as: c.alias ?? c.name })));
      return [sqlTransformer(`SELECT ${items.join(', ')} FROM __THIS__`)];
    }
    case 'imputer':
    case 'stringIndexer':
    case 'oneHotEncoder':
      return [featureStage(step, where, columns)];
    case 'repartition':
    case 'cache':
      return [];
    case 'dropna':
      return [dropnaStage(step, where, columns)];
    case 'fillna':
      return [fillnaStage(step, where, columns)];
    case 'dropDuplicates':
      throw cannotExport(
        `${where} has no Spark ML stage in Brasa's export yet`,
        'Express it as a filter or withColumn step (SQL), or leave it out of the pipeline the model is trained with, then train again.',
      );
  }
}

/** ImputerModel, StringIndexerModel or OneHotEncoderModel of a fitted step. */
function featureStage(step: Extract<Step, { op: 'imputer' | 'stringIndexer' | 'oneHotEncoder' }>, where: string, columns: Columns): SparkStage {
  const stage = sparkFeatureStage(step);
  const unfitted = () => cannotExport(`${where} was never fitted`, 'Use the pipeline its training run recorded (model/pipeline.json).');
  if (!stage) throw unfitted();
  // ImputerModel keeps each input's type; StringIndexer makes doubles, OneHotEncoder vectors.
  step.outputCols.forEach((c, i) => columns.add(c, step.op === 'imputer' ? columns.type(step.inputCols[i]) : step.op === 'stringIndexer' ? 'double' : 'vector'));
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
 * Every stage of the model's PipelineModel. `tableColumns` are the training table's
 * columns (the run's source dataset), so that a step replacing one is written as a
 * replacement; without them, the columns scoring reads stand for the table.
 */
export function sparkStages(model: LoggedModel, pipeline?: PipelineSpec | null, tableColumns: string[] = []): SparkStage[] {
  const steps = pipeline?.steps ?? [];
  const columns = new Columns(model.inputSchema, tableColumns);
  const stages = steps.flatMap((step, i) => stepStages(step, i, columns));
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
