/**
 * What a tree model adds to its task's results: Spark's feature importances (chart), a
 * tree drawn with collapsible nodes (an ensemble's trees one at a time), GBT's loss per
 * iteration, and Spark's `toDebugString` text.
 */
import type { DecisionTreeModel } from '../../../contract';
import { h, replaceChildren } from '../../../ui/dom';
import { select } from '../../../ui/form';
import type { TrainedModel, TrainResult } from '../../shared/training';
import type { ChartView } from '../charts/chart-view';
import { importancesChart, lossChart } from '../charts/tree-charts';
import type { TaskView } from './task-view';
import { treeDrawing } from './tree-drawing';

type TreeModel = Extract<TrainedModel, { kind: 'decisionTree' | 'randomForest' | 'gbt' }>;

/** The tree sections of a result, or undefined when its model has no trees. */
export function treeView(result: TrainResult): TaskView | undefined {
  const model = result.model;
  if (!isTreeModel(model) || !result.trees) return undefined;
  const charts: ChartView[] = [importancesChart(result.features, result.trees.featureImportances)];
  if (model.kind === 'gbt') charts.push(lossChart(model.model));
  const debugText = h('pre', { className: 'debug-string', attrs: { 'data-testid': 'train-debug-string' } }, result.trees.debugString);
  return {
    element: h('div', { className: 'train-trees' },
      h('div', { className: 'train-charts' }, ...charts.map((c) => c.element)),
      treesSection(model, result),
      h('details', {}, h('summary', {}, 'toDebugString'), debugText)),
    charts,
  };
}

function isTreeModel(model: TrainedModel): model is TreeModel {
  return model.kind === 'decisionTree' || model.kind === 'randomForest' || model.kind === 'gbt';
}

/** One tree drawn; an ensemble offers its trees (with GBT's weights) in a menu. */
function treesSection(model: TreeModel, result: TrainResult): HTMLElement {
  const trees: DecisionTreeModel[] = model.kind === 'decisionTree' ? [model.model] : model.model.trees;
  const weights = model.kind === 'gbt' ? model.model.treeWeights : undefined;
  const names = { features: result.features, labels: result.labels };
  const drawing = h('div', {});
  const show = (i: number) => replaceChildren(drawing, treeDrawing(trees[i], names));
  show(0);
  if (trees.length === 1) return h('div', {}, h('h3', {}, 'The tree'), drawing);
  const menu = select('train-tree-index', trees.map((t, i) => [String(i), `tree ${i}${weights ? ` (weight ${weights[i]})` : ''} · ${t.nodes.length} nodes`]));
  menu.addEventListener('change', () => show(Number(menu.value)));
  return h('div', {}, h('h3', {}, `The trees (${trees.length})`), h('label', { className: 'field' }, 'Show ', menu), drawing);
}
