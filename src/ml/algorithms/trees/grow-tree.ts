/**
 * A histogram-based CART learner: grows one tree level by level (breadth first) on binned inputs
 * (see binning.ts), the core of the decision tree, the random forest and the gradient-boosted
 * trees.
 *
 * Each row carries a small vector of statistics: its count (1), its weight (when rows are
 * weighted), its K weighted targets and, for Newton boosting, its hessian. A node's histogram sums
 * those vectors per column per bin in one pass over the node's rows; a split "bin ≤ b goes left"
 * is then scored from running sums over the bins. Every criterion scores a node by a function
 * `score(stats)` with gain = score(left) + score(right) − score(node):
 * - GINI: Σₖ Tₖ² / W, so the gain is the weighted Gini impurity decrease W·G(node) − W_L·G(L) − W_R·G(R);
 * - ENTROPY: Σₖ Tₖ ln Tₖ − W ln W, the weighted entropy decrease (in nats);
 * - SQUARED_ERROR: Σₖ Tₖ² / W, the decrease of the weighted sum of squared errors (variance reduction);
 * - NEWTON: Σₖ Gₖ² / (H + λ) with targets holding gradients (the 1/2 of XGBoost's gain is left out).
 * Leaves hold K values: Tₖ / W (class probabilities, or the mean), or −Gₖ / (H + λ) for NEWTON.
 *
 * Speed: histograms of a level's nodes are kept when every column is searched, so of two
 * children only the smaller is built from rows and the larger is the parent minus it. Nodes with
 * few rows skip the node-wide histogram and accumulate one column at a time into a scratch
 * histogram, visiting only the bins their rows touch. Rows are kept in one index array, each
 * node owning a contiguous range, partitioned stably in place.
 *
 * Deterministic: columns are searched in ascending order and bins in ascending order, and only a
 * strictly better gain replaces the best, so ties go to the lowest column, then the lowest bin.
 */
import { MAX_BINS, type BinnedMatrix } from './binning';

export type GrowCriterion = 'GINI' | 'ENTROPY' | 'SQUARED_ERROR' | 'NEWTON';

/**
 * A grown tree as typed arrays. Node 0 is the root; a leaf has `feature` −1. An internal node
 * sends a raw input row left when `x[feature] < threshold`. Every node (internal ones too) holds
 * its K values at `values[node × k …]`.
 */
export interface Tree {
  k: number;
  nodeCount: number;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  values: Float64Array;
}

/** The rows a tree learns from. */
export interface GrowInput {
  data: BinnedMatrix;
  /** Row indices into `data` (duplicates count as separate rows, e.g. a bootstrap sample). */
  sample: Uint32Array;
  /** Per row of `data`, K targets (one-hot classes, the regression target, or gradients for NEWTON). */
  targets: Float64Array;
  k: number;
  /** Per row of `data`, a weight multiplying its targets (and hessian); null for 1. */
  weights?: Float64Array | null;
  /** NEWTON only: per row of `data`, the hessian. */
  hessians?: Float64Array | null;
}

export interface GrowOptions {
  criterion: GrowCriterion;
  /** The root is at depth 0; a tree of maxDepth d has at most 2^d leaves. */
  maxDepth: number;
  /** The fewest rows (counting duplicates) each child of a split must hold. */
  minSamplesLeaf: number;
  /** NEWTON: the L2 penalty λ on leaf values (default 0). */
  lambda?: number;
  /** Random forests: columns searched per node (chosen afresh at every node); all when absent or ≥ cols. */
  featuresPerNode?: number;
  /** The source of randomness for `featuresPerNode` (a seeded {@link createRandom}). */
  random?: () => number;
}

/** Node histograms below this many rows are not built; such nodes are searched column by column. */
const DENSE_MIN_ROWS = 512;
/** The most memory the kept histograms of one level may take. */
const HISTOGRAM_BUDGET_BYTES = 128 * 1024 * 1024;
/** NEWTON: the least hessian a child may hold (as LightGBM's min_sum_hessian_in_leaf). */
const MIN_CHILD_HESSIAN = 1e-3;
/** A split must gain more than this share of its children's scores (rounding noise otherwise). */
const RELATIVE_MIN_GAIN = 1e-11;

const GINI = 0;
const ENTROPY = 1;
const SQUARED_ERROR = 2;
const NEWTON = 3;
const CRITERIA: Record<GrowCriterion, number> = { GINI, ENTROPY, SQUARED_ERROR, NEWTON };

/**
 * Grows a tree one depth level per {@link TreeGrower.growLevel} call, so a caller can report
 * progress between levels; {@link growTree} runs it to the end.
 */
export class TreeGrower {
  private readonly codes: Uint8Array;
  private readonly cols: number;
  private readonly bins: Int32Array;
  private readonly thresholds: Float64Array[];
  /** Histogram offset of each column's bin 0, in bins. */
  private readonly offsets: Int32Array;
  private readonly totalBins: number;
  private readonly k: number;
  private readonly crit: number;
  private readonly maxDepth: number;
  private readonly minLeaf: number;
  private readonly lambda: number;
  /** Stats per row: [count, weight?, K targets, hessian?]. */
  private readonly S: number;
  private readonly wIdx: number;
  private readonly tIdx: number;
  private readonly hIdx: number;
  private readonly stats: Float64Array;
  private readonly idx: Uint32Array;
  private readonly tmp: Uint32Array;
  private readonly featuresPerNode: number;
  private readonly random: (() => number) | null;
  private readonly perm: Int32Array;
  private readonly colList: Int32Array;
  private readonly allCols: Int32Array;
  /** Keep level histograms for the subtraction trick (only when every column is searched). */
  private readonly subtract: boolean;
  private readonly maxLiveHist: number;
  private readonly gains: Float64Array;

  // Nodes.
  private cap = 0;
  private count = 0;
  private feature = new Int32Array(0);
  private threshold = new Float64Array(0);
  private leftChild = new Int32Array(0);
  private rightChild = new Int32Array(0);
  private values = new Float64Array(0);
  private nodeStats = new Float64Array(0);
  private start = new Int32Array(0);
  private end = new Int32Array(0);
  private hist: (Float64Array | null)[] = [];
  private pool: Float64Array[] = [];
  private live = 0;
  private frontier: number[] = [0];
  private level = 0;

  // Split search scratch.
  private readonly leftAcc: Float64Array;
  private readonly rightAcc: Float64Array;
  private readonly parent: Float64Array;
  private readonly bestLeft: Float64Array;
  private readonly scratch: Float64Array;
  private readonly touched = new Int32Array(MAX_BINS + 1);
  private readonly bitmap = new Int32Array(8);
  private parentScore = 0;
  private bestGain = 0;
  private bestScale = 0;
  private bestCol = -1;
  private bestBin = -1;

  constructor(input: GrowInput, options: GrowOptions) {
    const { data, sample, targets, k } = input;
    const weights = input.weights ?? null;
    const hessians = input.hessians ?? null;
    if (!(options.criterion in CRITERIA)) throw new RangeError(`unknown criterion ${options.criterion}`);
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
    if (targets.length !== data.rows * k) throw new RangeError(`targets hold ${targets.length} values, expected rows (${data.rows}) × k (${k})`);
    if (weights && weights.length !== data.rows) throw new RangeError(`weights hold ${weights.length} values, expected ${data.rows}`);
    this.crit = CRITERIA[options.criterion];
    if (this.crit === NEWTON && (!hessians || hessians.length !== data.rows)) throw new RangeError('NEWTON needs one hessian per row');
    this.codes = data.codes;
    this.cols = data.cols;
    this.bins = data.bins;
    this.thresholds = data.thresholds;
    this.k = k;
    this.maxDepth = options.maxDepth;
    this.minLeaf = Math.max(1, options.minSamplesLeaf);
    this.lambda = options.lambda ?? 0;

    const hasW = weights !== null && this.crit !== NEWTON;
    const hasH = this.crit === NEWTON;
    this.wIdx = hasW ? 1 : 0; // unweighted: the count is the weight
    this.tIdx = hasW ? 2 : 1;
    this.hIdx = hasH ? this.tIdx + k : -1;
    const S = (this.S = this.tIdx + k + (hasH ? 1 : 0));

    this.offsets = new Int32Array(this.cols + 1);
    for (let c = 0; c < this.cols; c++) this.offsets[c + 1] = this.offsets[c] + this.bins[c];
    this.totalBins = this.offsets[this.cols];

    // Per-row stats, for the rows in the sample.
    const stats = (this.stats = new Float64Array(data.rows * S));
    const tIdx = this.tIdx;
    for (let i = 0; i < sample.length; i++) {
      const r = sample[i];
      const o = r * S;
      if (stats[o] === 1) continue; // a duplicate, already filled
      const w = weights ? weights[r] : 1;
      stats[o] = 1;
      if (hasW) stats[o + 1] = w;
      for (let j = 0; j < k; j++) stats[o + tIdx + j] = w * targets[r * k + j];
      if (hasH) stats[o + tIdx + k] = w * hessians![r];
    }
    this.idx = Uint32Array.from(sample);
    this.tmp = new Uint32Array(sample.length);

    const m = options.featuresPerNode ?? this.cols;
    this.featuresPerNode = Math.max(1, Math.min(this.cols, Math.floor(m)));
    this.random = options.random ?? null;
    if (this.featuresPerNode < this.cols && !this.random) throw new RangeError('featuresPerNode below the column count needs a random source');
    this.perm = Int32Array.from({ length: this.cols }, (_, i) => i);
    this.colList = new Int32Array(this.featuresPerNode);
    this.allCols = Int32Array.from({ length: this.cols }, (_, i) => i);
    this.subtract = this.featuresPerNode === this.cols;
    this.maxLiveHist = Math.max(2, Math.floor(HISTOGRAM_BUDGET_BYTES / Math.max(1, this.totalBins * S * 8)));
    this.gains = new Float64Array(this.cols);

    this.leftAcc = new Float64Array(S);
    this.rightAcc = new Float64Array(S);
    this.parent = new Float64Array(S);
    this.bestLeft = new Float64Array(S);
    this.scratch = new Float64Array((MAX_BINS + 1) * S);

    // The root.
    this.grow(Math.max(16, Math.min(2 ** Math.min(this.maxDepth + 1, 12) - 1, 2 * sample.length + 1)));
    const root = this.addNode(0, sample.length);
    const ns = this.nodeStats;
    for (let i = 0; i < sample.length; i++) {
      const o = sample[i] * S;
      for (let s = 0; s < S; s++) ns[s] += stats[o + s];
    }
    this.setValues(root);
    if (sample.length === 0) this.frontier = [];
  }

  /** The depth levels grown so far. */
  get depth(): number {
    return this.level;
  }

  /** Total gain per column of the splits made so far. */
  get columnGains(): Float64Array {
    return this.gains;
  }

  /** Whether a later {@link growLevel} may still split something. */
  get done(): boolean {
    return this.frontier.length === 0;
  }

  /**
   * Tries to split every node of the deepest level. Returns true when at least one node split
   * (the tree gained a level), false when the tree is complete.
   */
  growLevel(): boolean {
    if (this.frontier.length === 0) return false;
    const next: number[] = [];
    for (const id of this.frontier) {
      if (!this.splittable(id) || !this.findSplit(id)) {
        this.releaseHist(id);
        continue;
      }
      this.applySplit(id);
      next.push(this.leftChild[id], this.rightChild[id]);
    }
    this.frontier = next;
    if (next.length === 0) return false;
    this.level++;
    return true;
  }

  /** The tree as grown so far (unsplit nodes are leaves); views over the grower's arrays. */
  snapshot(): Tree {
    const n = this.count;
    return {
      k: this.k,
      nodeCount: n,
      feature: this.feature.subarray(0, n),
      threshold: this.threshold.subarray(0, n),
      left: this.leftChild.subarray(0, n),
      right: this.rightChild.subarray(0, n),
      values: this.values.subarray(0, n * this.k),
    };
  }

  /** Grows to the end and returns the tree as compact copies. */
  finish(): Tree {
    while (this.growLevel());
    this.pool = [];
    this.hist = [];
    const t = this.snapshot();
    return { ...t, feature: t.feature.slice(), threshold: t.threshold.slice(), left: t.left.slice(), right: t.right.slice(), values: t.values.slice() };
  }

  // ---- nodes ----

  private grow(cap: number): void {
    if (cap <= this.cap) return;
    const S = this.S;
    const k = this.k;
    const copyInt = (a: Int32Array, fill = 0) => {
      const b = new Int32Array(cap).fill(fill);
      b.set(a);
      return b;
    };
    this.feature = copyInt(this.feature, -1);
    this.leftChild = copyInt(this.leftChild, -1);
    this.rightChild = copyInt(this.rightChild, -1);
    this.start = copyInt(this.start);
    this.end = copyInt(this.end);
    const threshold = new Float64Array(cap);
    threshold.set(this.threshold);
    this.threshold = threshold;
    const values = new Float64Array(cap * k);
    values.set(this.values);
    this.values = values;
    const nodeStats = new Float64Array(cap * S);
    nodeStats.set(this.nodeStats);
    this.nodeStats = nodeStats;
    this.cap = cap;
  }

  private addNode(start: number, end: number): number {
    if (this.count === this.cap) this.grow(this.cap * 2);
    const id = this.count++;
    this.start[id] = start;
    this.end[id] = end;
    this.hist[id] = null;
    return id;
  }

  private setValues(id: number): void {
    const S = this.S;
    const k = this.k;
    const o = id * S;
    const ns = this.nodeStats;
    const v = this.values;
    if (this.crit === NEWTON) {
      const denom = ns[o + this.hIdx] + this.lambda;
      for (let j = 0; j < k; j++) v[id * k + j] = denom > 0 ? -ns[o + this.tIdx + j] / denom : 0;
    } else {
      const w = ns[o + this.wIdx];
      for (let j = 0; j < k; j++) v[id * k + j] = w > 0 ? ns[o + this.tIdx + j] / w : 0;
    }
  }

  /** Depth, size and (classification) purity allow a split. */
  private splittable(id: number): boolean {
    return this.level < this.maxDepth && this.canSplit(id);
  }

  private canSplit(id: number): boolean {
    const o = id * this.S;
    const ns = this.nodeStats;
    if (ns[o] < 2 * this.minLeaf) return false;
    if (this.crit === GINI || this.crit === ENTROPY) {
      const w = ns[o + this.wIdx];
      for (let j = 0; j < this.k; j++) if (ns[o + this.tIdx + j] >= w * (1 - 1e-12)) return false; // pure
    }
    return true;
  }

  // ---- histograms ----

  private acquire(): Float64Array | null {
    if (this.live >= this.maxLiveHist) return null;
    this.live++;
    return this.pool.pop() ?? new Float64Array(this.totalBins * this.S);
  }

  private release(buffer: Float64Array): void {
    this.live--;
    this.pool.push(buffer);
  }

  private releaseHist(id: number): void {
    const h = this.hist[id];
    if (h) {
      this.release(h);
      this.hist[id] = null;
    }
  }

  /**
   * Sums the stats of rows [start, end) into `hist`, for all columns or the sampled list. This is
   * the hot loop of every tree (rows × columns per level), so it is written out once per stats
   * width (2: count + one sum, 3: boosting's count, g, h, 4, then any): a generic inner loop over
   * the width would add a loop and its bounds check to every cell. The repetition is deliberate.
   */
  private buildDense(hist: Float64Array, start: number, end: number, list: Int32Array | null): void {
    const S = this.S;
    const cols = this.cols;
    const off = this.offsets;
    const codes = this.codes;
    const stats = this.stats;
    const idx = this.idx;
    if (list === null) hist.fill(0);
    else for (let j = 0; j < list.length; j++) hist.fill(0, off[list[j]] * S, off[list[j] + 1] * S);
    if (list === null && S === 3) {
      // Boosting's hot loop: every column, stats [count, g, h].
      for (let i = start; i < end; i++) {
        const r = idx[i];
        const so = r * 3;
        const a = stats[so + 1];
        const b = stats[so + 2];
        const cb = r * cols;
        for (let c = 0; c < cols; c++) {
          const p = (off[c] + codes[cb + c]) * 3;
          hist[p] += 1;
          hist[p + 1] += a;
          hist[p + 2] += b;
        }
      }
      return;
    }
    const cl = list ?? this.allCols;
    const m = cl.length;
    if (S === 2) {
      for (let i = start; i < end; i++) {
        const r = idx[i];
        const a = stats[r * 2 + 1];
        const cb = r * cols;
        for (let j = 0; j < m; j++) {
          const c = cl[j];
          const p = (off[c] + codes[cb + c]) * 2;
          hist[p] += 1;
          hist[p + 1] += a;
        }
      }
    } else if (S === 3) {
      for (let i = start; i < end; i++) {
        const r = idx[i];
        const so = r * 3;
        const a = stats[so + 1];
        const b = stats[so + 2];
        const cb = r * cols;
        for (let j = 0; j < m; j++) {
          const c = cl[j];
          const p = (off[c] + codes[cb + c]) * 3;
          hist[p] += 1;
          hist[p + 1] += a;
          hist[p + 2] += b;
        }
      }
    } else if (S === 4) {
      for (let i = start; i < end; i++) {
        const r = idx[i];
        const so = r * 4;
        const a = stats[so + 1];
        const b = stats[so + 2];
        const d = stats[so + 3];
        const cb = r * cols;
        for (let j = 0; j < m; j++) {
          const c = cl[j];
          const p = (off[c] + codes[cb + c]) * 4;
          hist[p] += 1;
          hist[p + 1] += a;
          hist[p + 2] += b;
          hist[p + 3] += d;
        }
      }
    } else {
      for (let i = start; i < end; i++) {
        const r = idx[i];
        const so = r * S;
        const cb = r * cols;
        for (let j = 0; j < m; j++) {
          const c = cl[j];
          const p = (off[c] + codes[cb + c]) * S;
          hist[p] += 1;
          for (let s = 1; s < S; s++) hist[p + s] += stats[so + s];
        }
      }
    }
  }

  // ---- split search ----

  private sampleColumns(): Int32Array | null {
    if (this.featuresPerNode >= this.cols) return null;
    const perm = this.perm;
    const m = this.featuresPerNode;
    const random = this.random!;
    for (let i = 0; i < m; i++) {
      const j = i + Math.floor(random() * (this.cols - i));
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    const list = this.colList;
    // Insertion sort into ascending order, so ties still go to the lowest column.
    for (let i = 0; i < m; i++) {
      const v = perm[i];
      let j = i - 1;
      while (j >= 0 && list[j] > v) {
        list[j + 1] = list[j];
        j--;
      }
      list[j + 1] = v;
    }
    return list;
  }

  private score(buf: Float64Array, o: number): number {
    const k = this.k;
    const t = o + this.tIdx;
    switch (this.crit) {
      case NEWTON: {
        const denom = buf[o + this.hIdx] + this.lambda;
        let s = 0;
        for (let j = 0; j < k; j++) s += buf[t + j] * buf[t + j];
        return s / denom;
      }
      case ENTROPY: {
        const w = buf[o + this.wIdx];
        let s = -w * Math.log(w);
        for (let j = 0; j < k; j++) {
          const v = buf[t + j];
          if (v > 0) s += v * Math.log(v);
        }
        return s;
      }
      default: {
        const w = buf[o + this.wIdx];
        let s = 0;
        for (let j = 0; j < k; j++) s += buf[t + j] * buf[t + j];
        return s / w;
      }
    }
  }

  /** Considers "bin ≤ b goes left" with the left stats in leftAcc; returns false when no later bin can fit the right child. */
  private consider(c: number, b: number): boolean {
    const S = this.S;
    const L = this.leftAcc;
    const R = this.rightAcc;
    const P = this.parent;
    const nL = L[0];
    if (nL < this.minLeaf) return true;
    if (P[0] - nL < this.minLeaf) return false;
    for (let s = 0; s < S; s++) R[s] = P[s] - L[s];
    if (this.crit === NEWTON) {
      if (L[this.hIdx] < MIN_CHILD_HESSIAN || R[this.hIdx] < MIN_CHILD_HESSIAN) return true;
    } else if (!(L[this.wIdx] > 0 && R[this.wIdx] > 0)) return true;
    const sL = this.score(L, 0);
    const sR = this.score(R, 0);
    const gain = sL + sR - this.parentScore;
    if (gain > this.bestGain) {
      this.bestGain = gain;
      this.bestScale = Math.abs(sL) + Math.abs(sR);
      this.bestCol = c;
      this.bestBin = b;
      this.bestLeft.set(L);
    }
    return true;
  }

  /** Scans one column of a node-wide histogram. */
  private scanDense(hist: Float64Array, c: number): void {
    const S = this.S;
    const L = this.leftAcc;
    L.fill(0);
    const base = this.offsets[c] * S;
    const last = this.bins[c] - 1;
    for (let b = 0; b < last; b++) {
      const p = base + b * S;
      if (hist[p] === 0) continue; // an empty bin changes nothing
      for (let s = 0; s < S; s++) L[s] += hist[p + s];
      if (!this.consider(c, b)) break;
    }
  }

  /** Accumulates and scans one column of a small node, visiting only the bins its rows touch. */
  private scanSparse(c: number, start: number, end: number): void {
    const S = this.S;
    const cols = this.cols;
    const codes = this.codes;
    const stats = this.stats;
    const idx = this.idx;
    const sc = this.scratch;
    const bitmap = this.bitmap;
    for (let w = 0; w < 8; w++) bitmap[w] = 0;
    if (S === 2) {
      for (let i = start; i < end; i++) {
        const r = idx[i];
        const b = codes[r * cols + c];
        const p = b * 2;
        bitmap[b >> 5] |= 1 << (b & 31);
        sc[p] += 1;
        sc[p + 1] += stats[r * 2 + 1];
      }
    } else if (S === 3) {
      for (let i = start; i < end; i++) {
        const r = idx[i];
        const b = codes[r * cols + c];
        const p = b * 3;
        const so = r * 3;
        bitmap[b >> 5] |= 1 << (b & 31);
        sc[p] += 1;
        sc[p + 1] += stats[so + 1];
        sc[p + 2] += stats[so + 2];
      }
    } else if (S === 4) {
      for (let i = start; i < end; i++) {
        const r = idx[i];
        const b = codes[r * cols + c];
        const p = b * 4;
        const so = r * 4;
        bitmap[b >> 5] |= 1 << (b & 31);
        sc[p] += 1;
        sc[p + 1] += stats[so + 1];
        sc[p + 2] += stats[so + 2];
        sc[p + 3] += stats[so + 3];
      }
    } else {
      for (let i = start; i < end; i++) {
        const r = idx[i];
        const b = codes[r * cols + c];
        const p = b * S;
        bitmap[b >> 5] |= 1 << (b & 31);
        sc[p] += 1;
        const so = r * S;
        for (let s = 1; s < S; s++) sc[p + s] += stats[so + s];
      }
    }
    const touched = this.touched;
    let nt = 0;
    for (let w = 0; w < 8; w++) {
      let word = bitmap[w];
      while (word !== 0) {
        const low = word & -word;
        touched[nt++] = (w << 5) + 31 - Math.clz32(low);
        word ^= low;
      }
    }
    const L = this.leftAcc;
    L.fill(0);
    let go = true;
    for (let j = 0; j < nt - 1 && go; j++) {
      const p = touched[j] * S;
      for (let s = 0; s < S; s++) L[s] += sc[p + s];
      go = this.consider(c, touched[j]);
    }
    for (let j = 0; j < nt; j++) {
      const p = touched[j] * S;
      for (let s = 0; s < S; s++) sc[p + s] = 0;
    }
  }

  /** Finds the best split of node `id` into bestCol/bestBin/bestGain/bestLeft; false when none gains. */
  private findSplit(id: number): boolean {
    const S = this.S;
    this.parent.set(this.nodeStats.subarray(id * S, id * S + S));
    this.parentScore = this.score(this.parent, 0);
    this.bestGain = 0;
    this.bestCol = -1;
    this.bestBin = -1;
    const list = this.sampleColumns();
    const m = list === null ? this.cols : list.length;
    const start = this.start[id];
    const end = this.end[id];
    let hist = this.hist[id];
    if (!hist && end - start >= DENSE_MIN_ROWS) {
      hist = this.acquire();
      if (hist) {
        this.buildDense(hist, start, end, list);
        this.hist[id] = hist;
      }
    }
    if (hist) {
      for (let j = 0; j < m; j++) this.scanDense(hist, list === null ? j : list[j]);
    } else {
      for (let j = 0; j < m; j++) this.scanSparse(list === null ? j : list[j], start, end);
    }
    return this.bestCol >= 0 && this.bestGain > RELATIVE_MIN_GAIN * this.bestScale;
  }

  private applySplit(id: number): void {
    const S = this.S;
    const c = this.bestCol;
    const bin = this.bestBin;
    this.feature[id] = c;
    this.threshold[id] = this.thresholds[c][bin];
    this.gains[c] += this.bestGain;

    // Stable partition of the node's rows: codes ≤ bin first.
    const start = this.start[id];
    const end = this.end[id];
    const idx = this.idx;
    const tmp = this.tmp;
    const codes = this.codes;
    const cols = this.cols;
    let l = start;
    let t = 0;
    for (let i = start; i < end; i++) {
      const r = idx[i];
      if (codes[r * cols + c] <= bin) idx[l++] = r;
      else tmp[t++] = r;
    }
    idx.set(tmp.subarray(0, t), l);

    const left = this.addNode(start, l);
    const right = this.addNode(l, end);
    this.leftChild[id] = left;
    this.rightChild[id] = right;
    const ns = this.nodeStats;
    const po = id * S;
    for (let s = 0; s < S; s++) {
      ns[left * S + s] = this.bestLeft[s];
      ns[right * S + s] = ns[po + s] - this.bestLeft[s];
    }
    this.setValues(left);
    this.setValues(right);
    this.childHistograms(id, left, right);
  }

  /** Subtraction trick: build the smaller child's histogram, the larger one is the parent's minus it. */
  private childHistograms(id: number, left: number, right: number): void {
    const parentHist = this.hist[id];
    this.hist[id] = null;
    if (!parentHist) return;
    if (!this.subtract || this.level + 1 >= this.maxDepth) {
      this.release(parentHist);
      return;
    }
    const wants = (child: number) => this.end[child] - this.start[child] >= DENSE_MIN_ROWS && this.canSplit(child);
    const leftRows = this.end[left] - this.start[left];
    const rightRows = this.end[right] - this.start[right];
    const small = leftRows <= rightRows ? left : right;
    const large = small === left ? right : left;
    const needSmall = wants(small);
    const needLarge = wants(large);
    if (!needLarge) {
      if (needSmall) {
        this.buildDense(parentHist, this.start[small], this.end[small], null);
        this.hist[small] = parentHist;
      } else this.release(parentHist);
      return;
    }
    const smallHist = this.acquire();
    if (!smallHist) {
      this.release(parentHist); // out of budget: the children build theirs when searched
      return;
    }
    this.buildDense(smallHist, this.start[small], this.end[small], null);
    for (let i = 0; i < parentHist.length; i++) parentHist[i] -= smallHist[i];
    this.hist[large] = parentHist;
    if (needSmall) this.hist[small] = smallHist;
    else this.release(smallHist);
  }
}

/**
 * Grows a whole tree. `gains`, when given, receives each column's total split gain (added to what
 * it holds, so an ensemble can pass one array for all its trees).
 */
export function growTree(input: GrowInput, options: GrowOptions, gains?: Float64Array): Tree {
  const grower = new TreeGrower(input, options);
  const tree = grower.finish();
  if (gains) {
    const own = grower.columnGains;
    for (let c = 0; c < own.length; c++) gains[c] += own[c];
  }
  return tree;
}

/**
 * Routes `rows` raw rows of `x` (row-major, `cols` columns) through `tree` and writes each row's
 * leaf values to `out` (rows × tree.k), or adds `scale` × them when `accumulate` is true.
 */
export function predictTree(tree: Tree, x: Float32Array, rows: number, cols: number, out: Float64Array, accumulate = false, scale = 1): void {
  const { feature, threshold, left, right, values, k } = tree;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let node = 0;
    let f = feature[0];
    while (f >= 0) {
      node = x[base + f] < threshold[node] ? left[node] : right[node];
      f = feature[node];
    }
    const vo = node * k;
    const oo = r * k;
    if (accumulate) for (let j = 0; j < k; j++) out[oo + j] += scale * values[vo + j];
    else for (let j = 0; j < k; j++) out[oo + j] = values[vo + j];
  }
}

/** The leaf a raw row reaches. */
export function leafOf(tree: Tree, x: Float32Array, row: number, cols: number): number {
  let node = 0;
  while (tree.feature[node] >= 0) node = x[row * cols + tree.feature[node]] < tree.threshold[node] ? tree.left[node] : tree.right[node];
  return node;
}
