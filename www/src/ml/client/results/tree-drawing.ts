/**
 * One fitted tree drawn as collapsible nodes: each split a `details` element whose summary
 * says the split (by feature name), the node's impurity, row count and prediction, and
 * whose two children are the rows that go left (the condition holds) and right. The top
 * levels start open; a closed node draws its children when it is first opened, so a deep
 * tree (maxDepth up to 30) costs the page only what is looked at. Names and labels come
 * from the data: set as text, never HTML.
 */
import type { DecisionTreeModel, Split, TreeNode } from '../../../contract';
import { h } from '../../../ui/dom';
import { fmt } from './cells';

/** Levels shown open when the tree is drawn. */
const OPEN_LEVELS = 2;

export interface TreeNames {
  features: string[];
  /** A classifier's class labels (predictions are shown by label), else empty. */
  labels: string[];
}

export function treeDrawing(tree: DecisionTreeModel, names: TreeNames): HTMLElement {
  return h('div', { className: 'tree-drawing', attrs: { 'data-testid': 'train-tree', 'data-nodes': String(tree.nodes.length) } }, node(tree, 0, 0, names, 'root'));
}

function node(tree: DecisionTreeModel, index: number, depth: number, names: TreeNames, side: string): HTMLElement {
  const n = tree.nodes[index];
  const facts = `${side} · ${describe(n, tree, names)}`;
  if (!n.split) return h('div', { className: 'tree-leaf', attrs: { 'data-depth': String(depth) } }, facts);
  const split = n.split;
  const children = h('div', { className: 'tree-children' });
  const details = h('details', { className: 'tree-node', attrs: { 'data-depth': String(depth) } },
    h('summary', {}, `${condition(split, names, true)} — ${facts}`), children);
  const drawChildren = () => {
    if (children.childElementCount) return;
    children.append(
      node(tree, n.left, depth + 1, names, `if ${condition(split, names, true)}`),
      node(tree, n.right, depth + 1, names, `else ${condition(split, names, false)}`));
  };
  if (depth < OPEN_LEVELS) {
    drawChildren();
    details.open = true;
  } else {
    details.addEventListener('toggle', () => details.open && drawChildren());
  }
  return details;
}

/** The rows a split sends left (`left`) or right, as Spark's `toDebugString` words it. */
function condition(split: Split, names: TreeNames, left: boolean): string {
  const feature = names.features[split.feature] ?? `feature ${split.feature}`;
  if (split.type === 'continuous') return `${feature} ${left ? '≤' : '>'} ${fmt(split.threshold)}`;
  return `${feature} ${left ? 'in' : 'not in'} {${split.leftCategories.join(', ')}}`;
}

/** A node's prediction, row count and impurity. */
function describe(n: TreeNode, tree: DecisionTreeModel, names: TreeNames): string {
  const prediction = tree.numClasses > 0 ? names.labels[n.prediction] ?? String(n.prediction) : fmt(n.prediction);
  const impurity = n.impurity < 0 ? '' : ` · impurity ${fmt(n.impurity)}`;
  return `predict ${prediction} · ${fmt(n.rawCount)} rows${impurity}`;
}
