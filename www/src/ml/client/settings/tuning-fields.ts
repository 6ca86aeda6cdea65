/**
 * How the grid is evaluated: CrossValidator (numFolds) or TrainValidationSplit
 * (trainRatio), the job's seed, the evaluator's metric and a held-out test fraction.
 *
 * The metrics offered are the task's evaluator's (Spark's default chosen). A classifier's
 * default depends on its number of classes (areaUnderROC for two, f1 for more), which
 * the page knows before training only for a boolean label; otherwise "Spark's default"
 * leaves the metric out of the job and the engine picks it once it has counted the
 * classes. A binary metric chosen for more classes is explained by the engine.
 */
import { h, replaceChildren } from '../../../ui/dom';
import { field, input, parseNumber, select } from '../../../ui/form';
import { type MetricName, type TaskKind, type TrainSpec, type Tuning, defaultMetric, metricsFor } from '../../shared/training';

/** The metric select's value for "no metric in the job: Spark's default for the classes found". */
const SPARK_DEFAULT = '';

export class TuningFields {
  readonly element: HTMLElement;
  private readonly tuning = select('train-tuning', [
    ['crossValidator', 'CrossValidator'],
    ['trainValidationSplit', 'TrainValidationSplit'],
  ]);
  private readonly numFolds = input('train-num-folds', '3', 3);
  private readonly trainRatio = input('train-train-ratio', '0.75', 4);
  private readonly seed = input('train-seed', '42', 6);
  private readonly metric = select('train-metric', []);
  private readonly testFraction = input('train-test-fraction', '0', 4);
  /** The task and classes the metrics offered are for. */
  private offered = '';

  constructor() {
    this.element = h('fieldset', {}, h('legend', {}, 'Tuning'),
      field('Validator', this.tuning), field('numFolds', this.numFolds), field('trainRatio', this.trainRatio),
      field('seed', this.seed, 'folds, test rows and random starts'), field('Metric', this.metric), field('Test fraction', this.testFraction, 'held out before tuning'));
  }

  /**
   * Offers `task`'s metrics with Spark's default chosen; `classes`: a classifier's
   * classes when known. The same offer again (the columns changed, not the task) keeps
   * the metric chosen.
   */
  offerMetrics(task: TaskKind, classes: number | undefined): void {
    const offer = `${task}/${classes ?? '?'}`;
    if (offer === this.offered) return;
    this.offered = offer;
    const metrics = metricsFor(task, classes ?? 2);
    const unknown = task === 'classification' && classes === undefined;
    replaceChildren(this.metric,
      unknown ? h('option', { attrs: { value: SPARK_DEFAULT } }, 'Spark\'s default: areaUnderROC for 2 classes, else f1') : null,
      ...metrics.map((m) => h('option', { attrs: { value: m.name } }, `${m.name} (${m.evaluator.replace('Evaluator', '')}${m.largerIsBetter ? ', larger is better' : ''})`)));
    this.metric.value = unknown ? SPARK_DEFAULT : defaultMetric(task, classes ?? 2);
  }

  /** The job's seed (whole and not negative: the engine's is a u64). */
  jobSeed(): number {
    const seed = parseNumber(this.seed.value, 'seed');
    if (!Number.isInteger(seed) || seed < 0) throw new Error(`seed: "${this.seed.value}" is not a whole number ≥ 0`);
    return seed;
  }

  /** The tuning part of a job. Throws on a field that is not a number. */
  read(): Pick<TrainSpec, 'tuning' | 'seed' | 'metric' | 'testFraction'> {
    const tuning: Tuning =
      this.tuning.value === 'crossValidator'
        ? { kind: 'crossValidator', numFolds: parseNumber(this.numFolds.value, 'numFolds') }
        : { kind: 'trainValidationSplit', trainRatio: parseNumber(this.trainRatio.value, 'trainRatio') };
    return {
      tuning,
      seed: this.jobSeed(),
      ...(this.metric.value === SPARK_DEFAULT ? {} : { metric: this.metric.value as MetricName }),
      testFraction: parseNumber(this.testFraction.value, 'Test fraction'),
    };
  }

  show(spec: TrainSpec): void {
    this.tuning.value = spec.tuning.kind;
    if (spec.tuning.kind === 'crossValidator') this.numFolds.value = String(spec.tuning.numFolds);
    else this.trainRatio.value = String(spec.tuning.trainRatio);
    this.seed.value = String(spec.seed);
    const metric = spec.metric ?? SPARK_DEFAULT;
    if (![...this.metric.options].some((o) => o.value === metric)) {
      this.metric.append(h('option', { attrs: { value: metric } }, metric === SPARK_DEFAULT ? 'Spark\'s default' : metric));
    }
    this.metric.value = metric;
    this.testFraction.value = String(spec.testFraction);
  }
}
