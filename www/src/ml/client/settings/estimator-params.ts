/**
 * One estimator's params as form fields, from its description in `ESTIMATORS` (Spark's
 * names, docs and defaults):
 * - a tunable number takes comma-separated values, each list a ParamGridBuilder axis in
 *   the order the fields are shown; empty leaves Spark's default, untuned;
 * - a boolean is a checkbox and a choice a select (one value, not tuned), or a text box
 *   suggesting the choices when other values are allowed (featureSubsetStrategy);
 * - any other number is one value, Spark's default when empty; a param named `seed`
 *   (KMeans') defaults to the job's seed;
 * - a list of numbers (`thresholds`) is one value, unset when empty.
 * The solver's settings (`solver` params: maxIter, tol, initSteps) sit folded under the others.
 */
import type { JsonValue } from '../../../contract/serde_json/JsonValue';
import { h } from '../../../ui/dom';
import { checkbox, field, input, parseNumber, select } from '../../../ui/form';
import type { EstimatorInfo, EstimatorSpec, GridAxis, ParamInfo, TrainSpec } from '../../shared/training';

/**
 * Test ids that are not `train-<param-name>`: the grids the Train tab had before it
 * offered more than LinearRegression (tests use them), and names another control has
 * (the job's seed, the results' threshold slider).
 */
const TEST_IDS: Record<string, string> = {
  regParam: 'train-reg-params',
  elasticNetParam: 'train-elastic-net-params',
  seed: 'train-estimator-seed',
  threshold: 'train-model-threshold',
};

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export const paramTestId = (name: string): string => TEST_IDS[name] ?? `train-${kebab(name)}`;

/** Parses "0, 0.01, 0.1" (whole numbers for an integer param); empty is no values. */
function parseList(text: string, param: ParamInfo): number[] {
  return text
    .split(/[,\s]+/)
    .filter((p) => p !== '')
    .map((p) => parseValue(p, param));
}

function parseValue(text: string, param: ParamInfo): number {
  const value = parseNumber(text, param.name);
  if (param.kind === 'integer' && !Number.isInteger(value)) throw new Error(`${param.name}: "${text}" is not a whole number`);
  return value;
}

/** One param's control: what it sets, and how it shows a recorded spec. */
interface ParamControl {
  readonly param: ParamInfo;
  readonly element: HTMLElement;
  /** The value it sets (undefined: Spark's default), or a grid axis. */
  read(jobSeed: number): { value?: JsonValue; axis?: GridAxis };
  show(value: JsonValue, axis: GridAxis | undefined, jobSeed: number): void;
}

function gridControl(param: ParamInfo, fallback: JsonValue, prefilled: string): ParamControl {
  const box = input(paramTestId(param.name), prefilled, 16);
  box.placeholder = `default ${String(fallback)}`;
  return {
    param,
    element: field(`${param.name} grid`, box, `${param.doc}; values to try, comma-separated (empty: ${String(fallback)})`),
    read() {
      const values = parseList(box.value, param);
      return values.length ? { axis: { param: param.name, values } } : {};
    },
    show(value, axis) {
      box.value = axis ? axis.values.map(String).join(', ') : value === fallback ? '' : String(value);
    },
  };
}

function numberControl(param: ParamInfo, fallback: JsonValue): ParamControl {
  const isSeed = param.name === 'seed';
  const box = input(paramTestId(param.name), isSeed ? '' : String(fallback), 8);
  if (isSeed) box.placeholder = "the job's seed";
  return {
    param,
    element: field(param.name, box, param.doc),
    read(jobSeed) {
      if (box.value.trim() === '') return { value: isSeed ? jobSeed : fallback };
      return { value: parseValue(box.value.trim(), param) };
    },
    show(value, _axis, jobSeed) {
      box.value = isSeed && value === jobSeed ? '' : String(value);
    },
  };
}

/** A list of numbers set as one value (a classifier's `thresholds`); empty leaves it unset. */
function numbersControl(param: ParamInfo): ParamControl {
  const box = input(paramTestId(param.name), '', 16);
  box.placeholder = 'unset';
  return {
    param,
    element: field(param.name, box, param.doc),
    read() {
      const values = parseList(box.value, param);
      return values.length ? { value: values } : {};
    },
    show(value) {
      box.value = Array.isArray(value) ? value.map(String).join(', ') : '';
    },
  };
}

function booleanControl(param: ParamInfo, fallback: JsonValue): ParamControl {
  const box = checkbox(paramTestId(param.name), fallback === true);
  return {
    param,
    element: field(param.name, box, param.doc),
    read: () => ({ value: box.checked }),
    show(value, axis) {
      box.checked = (axis ? axis.values[0] : value) === true;
    },
  };
}

/**
 * A choice that also takes other text (featureSubsetStrategy's `0.5` or `3`): a text box
 * suggesting the choices; the engine validates what is typed, with Spark's rule.
 */
function openChoiceControl(param: ParamInfo, fallback: JsonValue): ParamControl {
  const box = input(paramTestId(param.name), String(fallback), 10);
  const listId = `${paramTestId(param.name)}-choices`;
  box.setAttribute('list', listId);
  const suggestions = h('datalist', { attrs: { id: listId } }, ...(param.choices ?? []).map((c) => h('option', { attrs: { value: c } })));
  return {
    param,
    element: field(param.name, h('span', {}, box, suggestions), param.doc),
    read: () => ({ value: box.value.trim() === '' ? fallback : box.value.trim() }),
    show(value, axis) {
      box.value = String(axis ? axis.values[0] : value);
    },
  };
}

function choiceControl(param: ParamInfo, fallback: JsonValue): ParamControl {
  const menu = select(paramTestId(param.name), (param.choices ?? []).map((c) => [c, c === fallback ? `${c} (default)` : c]));
  menu.value = String(fallback);
  return {
    param,
    element: field(param.name, menu, param.doc),
    read: () => ({ value: menu.value }),
    show(value, axis) {
      menu.value = String(axis ? axis.values[0] : value);
    },
  };
}

export class EstimatorParams {
  readonly element: HTMLElement;
  private readonly controls: ParamControl[];

  /** `prefilled`: grid values a tunable field starts with (an example grid), by param. */
  constructor(readonly info: EstimatorInfo, prefilled: Record<string, string> = {}) {
    const defaults = info.defaults as Record<string, JsonValue>;
    this.controls = info.params.map((param) => {
      const fallback = defaults[param.name];
      if (param.kind === 'boolean') return booleanControl(param, fallback);
      if (param.kind === 'numbers') return numbersControl(param);
      if (param.kind === 'choice') return param.openChoice ? openChoiceControl(param, fallback) : choiceControl(param, fallback);
      if (param.tunable) return gridControl(param, fallback, prefilled[param.name] ?? '');
      return numberControl(param, fallback);
    });
    const main = this.controls.filter((c) => !c.param.solver);
    const solver = this.controls.filter((c) => c.param.solver);
    this.element = h('div', { className: 'estimator-params', attrs: { 'data-estimator': info.name } },
      ...main.map((c) => c.element),
      solver.length ? h('details', {}, h('summary', {}, 'Solver'), ...solver.map((c) => c.element)) : null);
  }

  /** The estimator with its params, and the grid axes (in the fields' order). Throws on a value that is not a number. */
  read(jobSeed: number): { estimator: EstimatorSpec; grid: GridAxis[] } {
    const params: Record<string, JsonValue> = { ...(this.info.defaults as Record<string, JsonValue>) };
    const grid: GridAxis[] = [];
    for (const control of this.controls) {
      const { value, axis } = control.read(jobSeed);
      if (axis) grid.push(axis);
      else if (value !== undefined) params[control.param.name] = value;
    }
    // The one place untyped form values become the estimator's params: each was parsed by its kind.
    return { estimator: { estimator: this.info.name, params } as unknown as EstimatorSpec, grid };
  }

  /** Shows a recorded spec's params and grid (it must be this estimator's). */
  show(spec: TrainSpec): void {
    const params = spec.params as Record<string, JsonValue>;
    for (const control of this.controls) {
      const name = control.param.name;
      control.show(params[name] ?? (this.info.defaults as Record<string, JsonValue>)[name], spec.grid.find((a) => a.param === name), spec.seed);
    }
  }
}
