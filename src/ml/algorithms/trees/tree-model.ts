/**
 * The predictor shared by the decision tree, the random forest and the gradient-boosted trees:
 * a list of trees packed into flat typed arrays, a rule combining their leaf values (their mean,
 * or a base score plus their sum) and a link (identity, or the sigmoid of a boosted log-odds).
 * Also the helpers the three algorithms share: targets and weights from a training set, losses,
 * and hyper-parameter checks.
 */
import type { HyperparameterProblem, ModelShape, Predictor, SerialisedModel, TrainingSet } from '../algorithm';
import type { SplitCriterionName, TaskName } from '../../model-spec';
import type { GrowCriterion, Tree } from './grow-tree';
import { taskKind, type OutputKind } from '../outputs';

/** 'mean': the trees' average (forests, a single tree); 'sum': base score + the trees' sum (boosting). */
export type CombineRule = 'mean' | 'sum';
/** Applied to the combined value: none, or the logistic sigmoid (a boosted binary classifier's log-odds). */
export type OutputLink = 'identity' | 'sigmoid';

/** The JSON half of a stored tree model; the typed arrays are packed in the bytes, in this order. */
export interface TreeModelState {
  format: 'trees';
  version: 1;
  /** Values per leaf: the model's output width. */
  k: number;
  inputWidth: number;
  combine: CombineRule;
  link: OutputLink;
  baseScore: number[];
  trees: number;
  nodes: number;
  bestStep: number | null;
}

export interface TreeModelOptions {
  k: number;
  inputWidth: number;
  combine: CombineRule;
  link: OutputLink;
  /** 'sum' only: added before the trees (k values); zeros when absent. */
  baseScore?: number[];
  /** Total split gain per input column, over all trees (normalised by nativeImportance). */
  gains: Float64Array;
  bestStep?: number | null;
}

/** A trained or loaded tree ensemble. */
export class TreeModel implements Predictor {
  readonly bestStep: number | null;

  private constructor(
    private readonly state: TreeModelState,
    /** Node offset of each tree, and the total (trees + 1 entries). */
    private readonly offsets: Int32Array,
    private readonly feature: Int32Array,
    private readonly threshold: Float64Array,
    /** Children, relative to their tree's first node. */
    private readonly left: Int32Array,
    private readonly right: Int32Array,
    private readonly values: Float64Array,
    private readonly gains: Float64Array,
  ) {
    this.bestStep = state.bestStep;
  }

  /** Packs `trees` (each with `options.k` values per node). */
  static fromTrees(trees: Tree[], options: TreeModelOptions): TreeModel {
    const k = options.k;
    const offsets = new Int32Array(trees.length + 1);
    trees.forEach((tree, i) => {
      if (tree.k !== k) throw new RangeError(`tree ${i} holds ${tree.k} values per node, expected ${k}`);
      offsets[i + 1] = offsets[i] + tree.nodeCount;
    });
    const nodes = offsets[trees.length];
    const feature = new Int32Array(nodes);
    const threshold = new Float64Array(nodes);
    const left = new Int32Array(nodes);
    const right = new Int32Array(nodes);
    const values = new Float64Array(nodes * k);
    trees.forEach((tree, i) => {
      const o = offsets[i];
      const n = tree.nodeCount;
      feature.set(tree.feature.subarray(0, n), o);
      threshold.set(tree.threshold.subarray(0, n), o);
      left.set(tree.left.subarray(0, n), o);
      right.set(tree.right.subarray(0, n), o);
      values.set(tree.values.subarray(0, n * k), o * k);
    });
    if (options.gains.length !== options.inputWidth) throw new RangeError(`gains hold ${options.gains.length} values, expected ${options.inputWidth}`);
    const baseScore = options.baseScore ?? new Array<number>(k).fill(0);
    if (baseScore.length !== k) throw new RangeError(`baseScore holds ${baseScore.length} values, expected ${k}`);
    const state: TreeModelState = {
      format: 'trees', version: 1, k, inputWidth: options.inputWidth, combine: options.combine, link: options.link,
      baseScore: [...baseScore], trees: trees.length, nodes, bestStep: options.bestStep ?? null,
    };
    return new TreeModel(state, offsets, feature, threshold, left, right, values, Float64Array.from(options.gains));
  }

  /** Restores a model from {@link serialise}'s output; it predicts bit-identically. */
  static load(model: SerialisedModel, shape?: ModelShape): TreeModel {
    const s = model.state as TreeModelState;
    if (!s || s.format !== 'trees' || s.version !== 1) throw new Error('not a stored tree model');
    if (shape && (shape.inputWidth !== s.inputWidth || shape.outputWidth !== s.k)) {
      throw new Error(`stored tree model is ${s.inputWidth} → ${s.k} wide, expected ${shape.inputWidth} → ${shape.outputWidth}`);
    }
    const { nodes, k, trees, inputWidth } = s;
    const expected = 8 * (nodes + nodes * k + inputWidth) + 4 * (3 * nodes + trees + 1);
    if (model.bytes.byteLength !== expected) throw new Error(`stored tree model holds ${model.bytes.byteLength} bytes, expected ${expected}`);
    let at = 0;
    const f64 = (n: number) => {
      const a = new Float64Array(model.bytes.slice(at, at + 8 * n));
      at += 8 * n;
      return a;
    };
    const i32 = (n: number) => {
      const a = new Int32Array(model.bytes.slice(at, at + 4 * n));
      at += 4 * n;
      return a;
    };
    const threshold = f64(nodes);
    const values = f64(nodes * k);
    const gains = f64(inputWidth);
    const feature = i32(nodes);
    const left = i32(nodes);
    const right = i32(nodes);
    const offsets = i32(trees + 1);
    return new TreeModel({ ...s, baseScore: [...s.baseScore] }, offsets, feature, threshold, left, right, values, gains);
  }

  get treeCount(): number {
    return this.state.trees;
  }

  get nodeCount(): number {
    return this.state.nodes;
  }

  async predict(x: Float32Array, rows: number): Promise<Float32Array> {
    return this.predictSync(x, rows);
  }

  /** {@link predict} without the promise. */
  predictSync(x: Float32Array, rows: number): Float32Array {
    const acc = this.raw(x, rows);
    const out = new Float32Array(acc.length);
    if (this.state.link === 'sigmoid') for (let i = 0; i < acc.length; i++) out[i] = 1 / (1 + Math.exp(-acc[i]));
    else for (let i = 0; i < acc.length; i++) out[i] = acc[i];
    return out;
  }

  /** The combined values before the link (Float64), rows × k. */
  raw(x: Float32Array, rows: number): Float64Array {
    const { k, inputWidth: cols, combine, baseScore, trees } = this.state;
    if (x.length !== rows * cols) throw new RangeError(`x holds ${x.length} values, expected rows (${rows}) × ${cols}`);
    const acc = new Float64Array(rows * k);
    if (combine === 'sum') for (let r = 0; r < rows; r++) for (let j = 0; j < k; j++) acc[r * k + j] = baseScore[j];
    const { offsets, feature, threshold, left, right, values } = this;
    for (let t = 0; t < trees; t++) {
      const root = offsets[t];
      for (let r = 0; r < rows; r++) {
        const base = r * cols;
        let node = root;
        let f = feature[node];
        while (f >= 0) {
          node = root + (x[base + f] < threshold[node] ? left[node] : right[node]);
          f = feature[node];
        }
        const vo = node * k;
        const oo = r * k;
        for (let j = 0; j < k; j++) acc[oo + j] += values[vo + j];
      }
    }
    if (combine === 'mean' && trees > 0) for (let i = 0; i < acc.length; i++) acc[i] /= trees;
    return acc;
  }

  async serialise(): Promise<SerialisedModel> {
    const { nodes, k, trees, inputWidth } = this.state;
    const bytes = new ArrayBuffer(8 * (nodes + nodes * k + inputWidth) + 4 * (3 * nodes + trees + 1));
    let at = 0;
    for (const a of [this.threshold, this.values, this.gains, this.feature, this.left, this.right, this.offsets]) {
      new Uint8Array(bytes, at, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      at += a.byteLength;
    }
    return { state: { ...this.state, baseScore: [...this.state.baseScore] }, bytes };
  }

  /** Total split gain per input column, normalised to sum 1 (all zeros when no tree split). */
  nativeImportance(): Float64Array {
    const out = Float64Array.from(this.gains);
    let total = 0;
    for (const g of out) total += g;
    if (total > 0) for (let i = 0; i < out.length; i++) out[i] /= total;
    return out;
  }

  dispose(): void {
    // Nothing outside the JS heap.
  }
}

// ---- helpers shared by the three tree algorithms ----

/** Per row, its class: binary 0/1 from y, multiclass the hot index of its one-hot row. */
export function classIndices(y: Float32Array, rows: number, kind: OutputKind, width: number): Int32Array {
  const out = new Int32Array(rows);
  if (kind === 'binary') for (let r = 0; r < rows; r++) out[r] = y[r] >= 0.5 ? 1 : 0;
  else {
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let j = 1; j < width; j++) if (y[r * width + j] > y[r * width + best]) best = j;
      out[r] = best;
    }
  }
  return out;
}

/** Per-row weights from BALANCED class weights, or null. */
export function classRowWeights(classes: Int32Array, classWeight: Record<number, number> | null): Float64Array | null {
  if (!classWeight) return null;
  const w = new Float64Array(classes.length);
  for (let r = 0; r < classes.length; r++) w[r] = classWeight[classes[r]] ?? 1;
  return w;
}

/**
 * What a CART tree (DT, RF) learns from: one-hot classes (K = 2 for binary, so the leaves hold
 * both probabilities) or the regression target (K = 1), with class weights as row weights.
 */
export function cartTargets(data: TrainingSet): { targets: Float64Array; k: number; weights: Float64Array | null } {
  const kind = taskKind(data.task);
  const n = data.train.count;
  if (kind === 'regression') {
    const targets = new Float64Array(n);
    for (let r = 0; r < n; r++) targets[r] = data.train.y[r * data.outputWidth];
    return { targets, k: 1, weights: null };
  }
  const k = kind === 'binary' ? 2 : data.outputWidth;
  const classes = classIndices(data.train.y, n, kind, data.outputWidth);
  const targets = new Float64Array(n * k);
  for (let r = 0; r < n; r++) targets[r * k + classes[r]] = 1;
  return { targets, k, weights: classRowWeights(classes, data.classWeight) };
}

/** A binary classifier's tree keeps only the positive class's probability (the model's one output). */
export function positiveClassOnly(tree: Tree): Tree {
  if (tree.k !== 2) return tree;
  const values = new Float64Array(tree.nodeCount);
  for (let i = 0; i < tree.nodeCount; i++) values[i] = tree.values[2 * i + 1];
  return { ...tree, k: 1, values };
}

/** The tree in the model's output form: binary trees keep the positive probability only. */
export function outputTree(tree: Tree, kind: OutputKind): Tree {
  return kind === 'binary' ? positiveClassOnly(tree) : tree;
}

/** The criterion a tree grows with: SQUARED_ERROR for regression whatever was asked (validate refuses the others), else GINI or ENTROPY. */
export function resolveCriterion(criterion: SplitCriterionName | undefined, kind: OutputKind): GrowCriterion {
  if (kind === 'regression') return 'SQUARED_ERROR';
  return criterion === 'ENTROPY' ? 'ENTROPY' : 'GINI';
}

/** GINI and ENTROPY are for classification, SQUARED_ERROR for REGRESSION; a problem naming `criterion` otherwise. */
export function criterionProblem(criterion: SplitCriterionName | undefined, task: TaskName): HyperparameterProblem[] {
  if (criterion === undefined || criterion === null) return [];
  if (task === 'REGRESSION' && criterion !== 'SQUARED_ERROR') {
    return [{ field: 'criterion', message: `criterion ${criterion} is for classification; REGRESSION trees split by SQUARED_ERROR` }];
  }
  if (task !== 'REGRESSION' && criterion === 'SQUARED_ERROR') {
    return [{ field: 'criterion', message: `criterion SQUARED_ERROR is for REGRESSION; ${task} trees split by GINI or ENTROPY` }];
  }
  return [];
}

/** 0, 1, …, n − 1. */
export function allRows(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** Checks the training set suits a tree model. */
export function checkTrainingSet(data: TrainingSet): void {
  const { train, inputWidth } = data;
  if (train.count < 1) throw new RangeError('tree models need at least one training row');
  if (train.x.length !== train.count * inputWidth) throw new RangeError(`train.x holds ${train.x.length} values, expected ${train.count} × ${inputWidth}`);
}
