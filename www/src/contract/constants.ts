// The engine↔page contract, generated from the engine's Rust types (crate/src/api.rs).
// Do not edit: run `npm run contract`.
import type { JsonOptions } from './JsonOptions';
import type { LinearRegressionParams } from './LinearRegressionParams';
import type { LogisticRegressionParams } from './LogisticRegressionParams';
import type { KMeansParams } from './KMeansParams';
import type { TreeParams } from './TreeParams';
import type { ForestParams } from './ForestParams';
import type { GbtParams } from './GbtParams';
import type { StandardScalerParams } from './StandardScalerParams';
import type { MetricInfo } from './MetricInfo';

/** The cleaning-pipeline format version this engine writes and reads. */
export const PIPELINE_VERSION = 1;

/** Spark's spark.read.json defaults (multiLine told from the file). */
export const JSON_OPTIONS_DEFAULTS: JsonOptions = {"allowBackslashEscapingAnyCharacter":false,"allowComments":false,"allowNonNumericNumbers":true,"allowNumericLeadingZeros":false,"allowSingleQuotes":true,"allowUnquotedControlChars":false,"allowUnquotedFieldNames":false,"columnNameOfCorruptRecord":"_corrupt_record","dateFormat":null,"dropFieldIfAllNull":false,"encoding":null,"inferTimestamp":false,"lineSep":null,"mode":"PERMISSIVE","multiLine":null,"prefersDecimal":false,"primitivesAsString":false,"samplingRatio":1.0,"schema":null,"timestampFormat":null};

/** Spark's LinearRegression defaults. */
export const LINEAR_REGRESSION_DEFAULTS: LinearRegressionParams = {"elasticNetParam":0.0,"fitIntercept":true,"maxIter":100,"regParam":0.0,"standardization":true,"tol":1e-6};

/** Spark's LogisticRegression defaults. */
export const LOGISTIC_REGRESSION_DEFAULTS: LogisticRegressionParams = {"elasticNetParam":0.0,"family":"auto","fitIntercept":true,"maxIter":100,"regParam":0.0,"standardization":true,"threshold":0.5,"tol":1e-6};

/** Spark's KMeans defaults, but for the seed: Brasa's default seed, 42 (Spark's is a 64-bit number a JavaScript number cannot hold exactly). */
export const KMEANS_DEFAULTS: KMeansParams = {"distanceMeasure":"euclidean","initMode":"k-means||","initSteps":2,"k":2,"maxIter":20,"seed":42,"tol":0.0001};

/** Spark's DecisionTreeClassifier defaults. */
export const DECISION_TREE_CLASSIFIER_DEFAULTS: TreeParams = {"impurity":"gini","maxBins":32,"maxDepth":5,"minInfoGain":0.0,"minInstancesPerNode":1,"minWeightFractionPerNode":0.0};

/** Spark's DecisionTreeRegressor defaults. */
export const DECISION_TREE_REGRESSOR_DEFAULTS: TreeParams = {"impurity":"variance","maxBins":32,"maxDepth":5,"minInfoGain":0.0,"minInstancesPerNode":1,"minWeightFractionPerNode":0.0};

/** Spark's RandomForestClassifier defaults, but for the seed: Brasa's, 42. */
export const RANDOM_FOREST_CLASSIFIER_DEFAULTS: ForestParams = {"bootstrap":true,"featureSubsetStrategy":"auto","impurity":"gini","maxBins":32,"maxDepth":5,"minInfoGain":0.0,"minInstancesPerNode":1,"minWeightFractionPerNode":0.0,"numTrees":20,"seed":42,"subsamplingRate":1.0};

/** Spark's RandomForestRegressor defaults, but for the seed: Brasa's, 42. */
export const RANDOM_FOREST_REGRESSOR_DEFAULTS: ForestParams = {"bootstrap":true,"featureSubsetStrategy":"auto","impurity":"variance","maxBins":32,"maxDepth":5,"minInfoGain":0.0,"minInstancesPerNode":1,"minWeightFractionPerNode":0.0,"numTrees":20,"seed":42,"subsamplingRate":1.0};

/** Spark's GBTClassifier defaults, but for the seed: Brasa's, 42. */
export const GBT_CLASSIFIER_DEFAULTS: GbtParams = {"featureSubsetStrategy":"all","impurity":"variance","lossType":"logistic","maxBins":32,"maxDepth":5,"maxIter":20,"minInfoGain":0.0,"minInstancesPerNode":1,"minWeightFractionPerNode":0.0,"seed":42,"stepSize":0.1,"subsamplingRate":1.0,"validationTol":0.01};

/** Spark's GBTRegressor defaults, but for the seed: Brasa's, 42. */
export const GBT_REGRESSOR_DEFAULTS: GbtParams = {"featureSubsetStrategy":"all","impurity":"variance","lossType":"squared","maxBins":32,"maxDepth":5,"maxIter":20,"minInfoGain":0.0,"minInstancesPerNode":1,"minWeightFractionPerNode":0.0,"seed":42,"stepSize":0.1,"subsamplingRate":1.0,"validationTol":0.01};

/** Spark's StandardScaler defaults. */
export const STANDARD_SCALER_DEFAULTS: StandardScalerParams = {"withMean":false,"withStd":true};

/** Every evaluator metric: Spark's name, its evaluator, and whether larger is better. */
export const METRICS: Array<MetricInfo> = [{"evaluator":"RegressionEvaluator","largerIsBetter":false,"name":"rmse"},{"evaluator":"RegressionEvaluator","largerIsBetter":false,"name":"mse"},{"evaluator":"RegressionEvaluator","largerIsBetter":true,"name":"r2"},{"evaluator":"RegressionEvaluator","largerIsBetter":false,"name":"mae"},{"evaluator":"RegressionEvaluator","largerIsBetter":true,"name":"var"},{"evaluator":"BinaryClassificationEvaluator","largerIsBetter":true,"name":"areaUnderROC"},{"evaluator":"BinaryClassificationEvaluator","largerIsBetter":true,"name":"areaUnderPR"},{"evaluator":"MulticlassClassificationEvaluator","largerIsBetter":true,"name":"f1"},{"evaluator":"MulticlassClassificationEvaluator","largerIsBetter":true,"name":"accuracy"},{"evaluator":"MulticlassClassificationEvaluator","largerIsBetter":true,"name":"weightedPrecision"},{"evaluator":"MulticlassClassificationEvaluator","largerIsBetter":true,"name":"weightedRecall"},{"evaluator":"MulticlassClassificationEvaluator","largerIsBetter":true,"name":"weightedFMeasure"},{"evaluator":"MulticlassClassificationEvaluator","largerIsBetter":false,"name":"logLoss"},{"evaluator":"MulticlassClassificationEvaluator","largerIsBetter":false,"name":"hammingLoss"},{"evaluator":"ClusteringEvaluator","largerIsBetter":true,"name":"silhouette"}];
