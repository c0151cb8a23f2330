import { describe, expect, it } from 'vitest';
import type { Algorithm, EncodedRows, Predictor, TrainingSet } from '../../src/ml/algorithms/algorithm';
import { decisionTree } from '../../src/ml/algorithms/decision-tree';
import { gradientBoostedTrees } from '../../src/ml/algorithms/gradient-boosted-trees';
import { randomForest } from '../../src/ml/algorithms/random-forest';
import { binCode, binMatrix, binTrainingRows, fitBinMapper } from '../../src/ml/algorithms/trees/binning';
import { growTree, predictTree, type GrowCriterion } from '../../src/ml/algorithms/trees/grow-tree';
import { TreeModel } from '../../src/ml/algorithms/trees/tree-model';
import { binaryMetrics } from '../../src/ml/evaluation';
import { DEFAULT_HYPERPARAMETERS, type HyperparameterValues, type TaskName } from '../../src/ml/model-spec';
import { createRandom } from '../../src/ml/random';

// ---- fixtures ----

const EMPTY: EncodedRows = { x: new Float32Array(0), y: new Float32Array(0), count: 0 };
const quiet = { onStep: async () => {} };

function dataset(task: TaskName, cols: number, train: EncodedRows, validation: EncodedRows = EMPTY, outputWidth = 1): TrainingSet {
  return {
    task, inputWidth: cols, outputWidth, inputShape: [cols], train, validation,
    classWeight: null, categorical: new Array<boolean>(cols).fill(false), ordered: false,
  };
}

/** The algorithm's defaults over the shared ones, then `overrides` (as the resolver merges them). */
function hp(algorithm: Algorithm, overrides: Partial<HyperparameterValues> = {}): HyperparameterValues {
  return { ...DEFAULT_HYPERPARAMETERS, ...algorithm.defaults, ...overrides };
}

/** Rows of `cols` uniform values in [−1, 1); `label` gives each row's target values. */
function synthetic(rows: number, cols: number, seed: number, label: (x: Float32Array, o: number, random: () => number) => number[]): EncodedRows {
  const random = createRandom(seed);
  const x = new Float32Array(rows * cols);
  for (let i = 0; i < x.length; i++) x[i] = random() * 2 - 1;
  const ys: number[] = [];
  for (let r = 0; r < rows; r++) ys.push(...label(x, r * cols, random));
  return { x, y: Float32Array.from(ys), count: rows };
}

const xorLabel = (noise: number) => (x: Float32Array, o: number, random: () => number) => [(x[o] * x[o + 1] > 0) !== random() < noise ? 1 : 0];
const multiclassLabel = (x: Float32Array, o: number) => {
  const cls = x[o] < -0.3 ? 0 : x[o + 1] > 0 ? 1 : 2;
  return [0, 1, 2].map((c) => (c === cls ? 1 : 0));
};
const regressionLabel = (x: Float32Array, o: number, random: () => number) => [Math.sin(3 * x[o]) + x[o + 1] * x[o + 2] + 0.1 * (random() - 0.5)];

async function roundTrip(algorithm: Algorithm, model: Predictor, data: TrainingSet, x: Float32Array, rows: number): Promise<void> {
  const stored = await model.serialise();
  // Through JSON, as the model store keeps it.
  const state = JSON.parse(JSON.stringify(stored.state));
  const loaded = await algorithm.load({ state, bytes: stored.bytes.slice(0) }, { task: data.task, inputWidth: data.inputWidth, outputWidth: data.outputWidth, inputShape: data.inputShape });
  const before = await model.predict(x, rows);
  const after = await loaded.predict(x, rows);
  expect(after).toEqual(before);
  expect(Buffer.from(after.buffer).equals(Buffer.from(before.buffer))).toBe(true);
  expect(loaded.nativeImportance()).toEqual(model.nativeImportance());
  expect(loaded.bestStep ?? null).toEqual(model.bestStep ?? null);
}

// ---- binning ----

describe('binning', () => {
  it('gives one bin per distinct value of a small column, cut at midpoints', () => {
    const x = new Float32Array([3, 1, 5, 3, 1, 2, 3]);
    const binned = binTrainingRows(x, 7, 1);
    expect(Array.from(binned.thresholds[0])).toEqual([1.5, 2.5, 4]);
    expect(binned.bins[0]).toBe(4);
    expect(Array.from(binned.codes)).toEqual([2, 0, 3, 2, 0, 1, 2]);
  });

  it('cuts a column with more distinct values than bins into equal-frequency bins', () => {
    // 1..9 into 3 bins: 3 rows each, cut between 3|4 and 6|7.
    const x = Float32Array.from({ length: 9 }, (_, i) => i + 1);
    const mapper = fitBinMapper(x, 9, 1, 3);
    expect(Array.from(mapper.thresholds[0])).toEqual([3.5, 6.5]);
    expect(Array.from(binMatrix(mapper, x, 9).codes)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });

  it('keeps each column apart and a constant column in one bin', () => {
    const x = new Float32Array([1, 7, 2, 7, 3, 7]); // 3 rows × 2 columns
    const binned = binTrainingRows(x, 3, 2);
    expect(Array.from(binned.bins)).toEqual([3, 1]);
    expect(Array.from(binned.codes)).toEqual([0, 0, 1, 0, 2, 0]);
  });

  it('routes raw values (x < threshold) exactly as their codes (code ≤ bin), ties and NaN included', () => {
    const random = createRandom(3);
    const rows = 5000;
    // Many distinct Float32 values, heavy ties at 0, adjacent floats and a NaN.
    const x = Float32Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? 0 : Math.fround(random() * 100 - 50)));
    x[1] = Math.fround(1e-3);
    x[2] = new Float32Array(new Uint32Array([new Uint32Array(new Float32Array([1e-3]).buffer)[0] + 1]).buffer)[0];
    x[3] = NaN;
    const binned = binTrainingRows(x, rows, 1);
    const t = binned.thresholds[0];
    expect(t.length).toBe(254);
    let mismatches = 0;
    for (let b = 0; b < t.length; b++) {
      for (let r = 0; r < rows; r++) if (x[r] < t[b] !== binned.codes[r] <= b) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(binned.codes[3]).toBe(254);
    expect(binCode(t, -Infinity)).toBe(0);
    expect(binCode(t, Infinity)).toBe(254);
  });
});

// ---- one tree ----

describe('growTree', () => {
  // x = 1..10, y = 0 0 0 1 0 1 1 1 1 1 (4 negatives, 6 positives).
  const x = Float32Array.from({ length: 10 }, (_, i) => i + 1);
  const y = [0, 0, 0, 1, 0, 1, 1, 1, 1, 1];
  const targets = Float64Array.from(y.flatMap((v) => (v ? [0, 1] : [1, 0])));
  const data = binTrainingRows(x, 10, 1);
  const sample = Uint32Array.from({ length: 10 }, (_, i) => i);

  it('splits on the best Gini gain, computed by hand', () => {
    // Gain = W·G(node) − W_L·G(L) − W_R·G(R) with G = 1 − Σ p².
    // Root: 10·(1 − 0.4² − 0.6²) = 4.8.
    // x < 3.5: L = 3×0 (pure) → 0, R = 1×0 + 6×1: 7·(1 − (1/7)² − (6/7)²) = 12/7 → gain 3.0857.
    // x < 5.5: L = 0 0 0 1 0: 5·(1 − 0.8² − 0.2²) = 1.6, R = 1 1 1 1 1 → 0 → gain 3.2 (the best).
    const gains = new Float64Array(1);
    const tree = growTree({ data, sample, targets, k: 2 }, { criterion: 'GINI', maxDepth: 1, minSamplesLeaf: 1 }, gains);
    expect(tree.nodeCount).toBe(3);
    expect(tree.feature[0]).toBe(0);
    expect(tree.threshold[0]).toBe(5.5);
    expect(gains[0]).toBeCloseTo(3.2, 12);
    expect(Array.from(tree.values.subarray(2, 4))).toEqual([0.8, 0.2]); // left: P(0), P(1)
    expect(Array.from(tree.values.subarray(4, 6))).toEqual([0, 1]);
    const out = new Float64Array(20);
    predictTree(tree, x, 10, 1, out);
    expect(Array.from(out.filter((_, i) => i % 2 === 1))).toEqual([0.2, 0.2, 0.2, 0.2, 0.2, 1, 1, 1, 1, 1]);
  });

  it('grows until leaves are pure, and respects minSamplesLeaf and maxDepth', () => {
    const full = growTree({ data, sample, targets, k: 2 }, { criterion: 'GINI', maxDepth: 10, minSamplesLeaf: 1 });
    const out = new Float64Array(20);
    predictTree(full, x, 10, 1, out);
    expect(Array.from(out.filter((_, i) => i % 2 === 1))).toEqual(y);
    // minSamplesLeaf 5 leaves only x < 5.5 (5 rows a side), one level; 6 leaves no split at all.
    const wide = growTree({ data, sample, targets, k: 2 }, { criterion: 'GINI', maxDepth: 5, minSamplesLeaf: 5 });
    expect(wide.nodeCount).toBe(3);
    expect(wide.threshold[0]).toBe(5.5);
    const none = growTree({ data, sample, targets, k: 2 }, { criterion: 'GINI', maxDepth: 5, minSamplesLeaf: 6 });
    expect(none.nodeCount).toBe(1);
    expect(Array.from(none.values)).toEqual([0.4, 0.6]);
  });

  it('counts duplicated rows like weighted ones', () => {
    const dup = Uint32Array.from([0, 1, 1, 2, 3, 3, 3, 4, 5, 6, 7, 8, 9, 9]);
    const weights = Float64Array.from([1, 2, 1, 3, 1, 1, 1, 1, 1, 2]);
    const a = growTree({ data, sample: dup, targets, k: 2 }, { criterion: 'ENTROPY', maxDepth: 3, minSamplesLeaf: 1 });
    const b = growTree({ data, sample, targets, k: 2, weights }, { criterion: 'ENTROPY', maxDepth: 3, minSamplesLeaf: 1 });
    expect(Array.from(a.threshold)).toEqual(Array.from(b.threshold));
    expect(Array.from(a.values).map((v) => v.toFixed(12))).toEqual(Array.from(b.values).map((v) => v.toFixed(12)));
  });

  it('finds the same splits as a plain reference search (histogram subtraction and the small-node path agree)', () => {
    const rows = 6000;
    const cols = 5;
    const train = synthetic(rows, cols, 11, (v, o, random) => [v[o] + v[o + 1] * v[o + 2] + 0.3 * random()]);
    const binned = binTrainingRows(train.x, rows, cols);
    for (const criterion of ['SQUARED_ERROR', 'GINI'] as GrowCriterion[]) {
      const k = criterion === 'GINI' ? 3 : 1;
      const t = new Float64Array(rows * k);
      for (let r = 0; r < rows; r++) {
        if (k === 1) t[r] = train.y[r];
        else t[r * 3 + Math.min(2, Math.floor((train.y[r] + 1.3) * 1.2))] = 1;
      }
      const all = Uint32Array.from({ length: rows }, (_, i) => i);
      const tree = growTree({ data: binned, sample: all, targets: t, k }, { criterion, maxDepth: 8, minSamplesLeaf: 3 });
      const reference = referenceTree(binned.codes, binned.bins, binned.thresholds, cols, t, k, Array.from(all), 8, 3);
      expect(tree.nodeCount).toBe(reference.length);
      for (let i = 0; i < tree.nodeCount; i++) {
        expect([tree.feature[i], tree.threshold[i]]).toEqual([reference[i].feature, reference[i].threshold]);
      }
    }
  });
});

/** A plain breadth-first CART (Gini / squared error score Σ Tₖ²/W), one full histogram per node and column. */
function referenceTree(codes: Uint8Array, bins: Int32Array, thresholds: Float64Array[], cols: number, t: Float64Array, k: number, rows: number[], maxDepth: number, minLeaf: number) {
  const nodes: { feature: number; threshold: number }[] = [];
  const score = (s: number[], w: number) => s.reduce((a, v) => a + v * v, 0) / w;
  let level: number[][] = [rows];
  for (let depth = 0; level.length; depth++) {
    const next: number[][] = [];
    for (const members of level) {
      const id = nodes.length;
      nodes.push({ feature: -1, threshold: 0 });
      const total = new Array<number>(k).fill(0);
      for (const r of members) for (let j = 0; j < k; j++) total[j] += t[r * k + j];
      const pure = k > 1 && total.some((v) => v === members.length);
      if (depth >= maxDepth || members.length < 2 * minLeaf || pure) continue;
      let best = { gain: 0, scale: 0, c: -1, b: -1 };
      for (let c = 0; c < cols; c++) {
        const count = new Array<number>(bins[c]).fill(0);
        const sums = Array.from({ length: bins[c] }, () => new Array<number>(k).fill(0));
        for (const r of members) {
          count[codes[r * cols + c]]++;
          for (let j = 0; j < k; j++) sums[codes[r * cols + c]][j] += t[r * k + j];
        }
        let n = 0;
        const left = new Array<number>(k).fill(0);
        for (let b = 0; b < bins[c] - 1; b++) {
          n += count[b];
          for (let j = 0; j < k; j++) left[j] += sums[b][j];
          if (count[b] === 0 || n < minLeaf || members.length - n < minLeaf) continue;
          const right = total.map((v, j) => v - left[j]);
          const sL = score(left, n);
          const sR = score(right, members.length - n);
          const gain = sL + sR - score(total, members.length);
          if (gain > best.gain) best = { gain, scale: sL + sR, c, b };
        }
      }
      if (best.c < 0 || best.gain <= 1e-11 * best.scale) continue;
      nodes[id] = { feature: best.c, threshold: thresholds[best.c][best.b] };
      next.push(members.filter((r) => codes[r * cols + best.c] <= best.b), members.filter((r) => codes[r * cols + best.c] > best.b));
    }
    level = next;
  }
  return nodes;
}

// ---- decision tree ----

describe('decisionTree', () => {
  it('learns an AND rule exactly, one step per depth level', async () => {
    // y = 1 when x0 > 0.5 and x1 > 0.5; a third column is noise.
    const random = createRandom(5);
    const rows = 40;
    const x = new Float32Array(rows * 3);
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      x[r * 3] = r % 2;
      x[r * 3 + 1] = (r >> 1) % 2;
      x[r * 3 + 2] = random();
      y[r] = x[r * 3] && x[r * 3 + 1] ? 1 : 0;
    }
    const data = dataset('BINARY_CLASSIFICATION', 3, { x, y, count: rows }, { x, y, count: rows });
    const steps: { step: number; totalSteps: number; metrics: Record<string, number> }[] = [];
    const model = await decisionTree.train(data, hp(decisionTree, { minSamplesLeaf: 1 }), 1, { onStep: async (s) => void steps.push(s) });
    expect(Array.from(await model.predict(x, rows))).toEqual(Array.from(y));
    expect(steps.map((s) => s.step)).toEqual([1, 2]);
    expect(steps[0].totalSteps).toBe(6);
    // After level 1 (x0 < 0.5): the left half is all 0, the right half half 1 → log loss (ln 2)/2.
    expect(steps[0].metrics.loss).toBeCloseTo(Math.LN2 / 2, 6);
    expect(steps[1].metrics.val_loss).toBeCloseTo(-Math.log(1 - 1e-7), 9);
    const importance = model.nativeImportance()!;
    expect(importance[2]).toBe(0);
    expect(importance[0] + importance[1]).toBeCloseTo(1, 12);
  });

  it('fits a regression step function with the leaf means', async () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const y = Float32Array.from([1, 1, 1, 5, 5, 6]);
    const model = await decisionTree.train(dataset('REGRESSION', 1, { x, y, count: 6 }), hp(decisionTree, { maxDepth: 1, minSamplesLeaf: 1, criterion: 'SQUARED_ERROR' }), 1, quiet);
    expect(Array.from(await model.predict(Float32Array.from([0, 3.4, 3.6, 9]), 4))).toEqual([1, 1, Math.fround(16 / 3), Math.fround(16 / 3)]);
  });

  it('refuses a criterion that does not suit the task', () => {
    const fields = (criterion: 'GINI' | 'ENTROPY' | 'SQUARED_ERROR', task: TaskName) => decisionTree.validate(hp(decisionTree, { criterion }), task).map((p) => p.field);
    expect(fields('SQUARED_ERROR', 'BINARY_CLASSIFICATION')).toEqual(['criterion']);
    expect(fields('ENTROPY', 'REGRESSION')).toEqual(['criterion']);
    expect(fields('GINI', 'REGRESSION')).toEqual(['criterion']);
    expect(fields('SQUARED_ERROR', 'REGRESSION')).toEqual([]);
    expect(fields('ENTROPY', 'MULTICLASS_CLASSIFICATION')).toEqual([]);
    expect(fields('GINI', 'BINARY_CLASSIFICATION')).toEqual([]);
    expect(randomForest.validate(hp(randomForest, { criterion: 'GINI' }), 'REGRESSION').map((p) => p.field)).toEqual(['criterion']);
  });
});

// ---- gradient boosting by hand ----

describe('gradientBoostedTrees', () => {
  // One column x = 1..6, y = 0 0 1 0 1 1; maxDepth 1, λ = 1, learning rate 0.5, minSamplesLeaf 1.
  const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const y = Float32Array.from([0, 0, 1, 0, 1, 1]);
  const data = dataset('BINARY_CLASSIFICATION', 1, { x, y, count: 6 });
  const settings = (rounds: number) => hp(gradientBoostedTrees, { rounds, maxDepth: 1, l2: 1, learningRate: 0.5, minSamplesLeaf: 1, patience: 0 });
  const sigmoid = (f: number) => 1 / (1 + Math.exp(-f));

  it('matches two rounds computed by hand', async () => {
    // Base score: the positive rate is 3/6, so F₀ = ln(0.5 / 0.5) = 0.
    // Round 1: p = 0.5 → g = p − y = .5 .5 −.5 .5 −.5 −.5, h = p(1 − p) = .25 each; G = 0, H = 1.5.
    //   Gain of "first i rows left" = G_L²/(H_L+1) + G_R²/(H_R+1) − 0:
    //   i=1: .25/1.25 + .25/2.25 = .3111; i=2: 1/1.5 + 1/2 = 1.1667; i=3: .25/1.75·2 = .2857;
    //   i=4: 1/2 + 1/1.5 = 1.1667 (a tie with i=2: the lowest bin wins); i=5: .3111.
    //   → split x < 2.5; leaves −G_L/(H_L+1) = −1/1.5 = −2/3 and 1/2, × 0.5 → −1/3 and 1/4.
    const one = await gradientBoostedTrees.train(data, settings(1), 1, quiet);
    const stored = await one.serialise();
    expect((stored.state as { baseScore: number[] }).baseScore).toEqual([0]);
    const tree = new Float64Array(stored.bytes, 0, 3); // thresholds of the one tree's 3 nodes
    expect(tree[0]).toBe(2.5);
    const values = new Float64Array(stored.bytes, 24, 3);
    expect(values[1]).toBeCloseTo(-1 / 3, 15);
    expect(values[2]).toBeCloseTo(1 / 4, 15);
    const p1 = Array.from(await one.predict(x, 6));
    [sigmoid(-1 / 3), sigmoid(-1 / 3), sigmoid(0.25), sigmoid(0.25), sigmoid(0.25), sigmoid(0.25)].forEach((p, i) => expect(p1[i]).toBeCloseTo(p, 6));

    // Round 2: F = −1/3 (rows 1–2), 1/4 (rows 3–6) → p = 0.417430, 0.562177;
    //   g = .417430 .417430 −.437823 .562177 −.437823 −.437823; h = .243182 ×2, .246134 ×4.
    //   i=1: .187372; i=2: .750517; i=3: .144688; i=4: G_L = .959213, H_L = .978632, G_R = −.875647,
    //   H_R = .492268 → .959213²/1.978632 + .875647²/1.492268 − G²/(H+1) = .976007 (the best); i=5: .273192.
    //   → split x < 4.5; leaves −.959213/1.978632 = −.484786 and .875647/1.492268 = .586789, × 0.5
    //   → −.242393, .293395. F = −.575726 ×2, .007607 ×2, .543395 ×2.
    const two = await gradientBoostedTrees.train(data, settings(2), 1, quiet);
    const p2 = Array.from(await two.predict(x, 6));
    [0.359917, 0.359917, 0.501902, 0.501902, 0.632602, 0.632602].forEach((p, i) => expect(p2[i]).toBeCloseTo(p, 5));
    const thresholds = new Float64Array((await two.serialise()).bytes, 0, 6);
    expect([thresholds[0], thresholds[3]]).toEqual([2.5, 4.5]);
  });

  it('starts from the mean on REGRESSION and shrinks toward the target', async () => {
    const target = Float32Array.from([-1, -1, 0, 0, 1, 1]);
    const model = await gradientBoostedTrees.train(dataset('REGRESSION', 1, { x, y: target, count: 6 }), hp(gradientBoostedTrees, { rounds: 1, maxDepth: 1, l2: 0, learningRate: 1, minSamplesLeaf: 1, patience: 0 }), 1, quiet);
    // Mean 0; g = F − y = y negated; best split x < 2.5 (or 4.5, tie → 2.5): leaves −G/H = −1 and 0.5.
    expect(Array.from(await model.predict(x, 6))).toEqual([-1, -1, 0.5, 0.5, 0.5, 0.5]);
  });

  it('stops early when the validation loss rises, keeping the best round', async () => {
    const train = synthetic(400, 3, 21, (v, o) => [v[o] > 0 ? 1 : 0]);
    const flipped = synthetic(200, 3, 22, (v, o) => [v[o] > 0 ? 0 : 1]); // the opposite rule
    const data2 = dataset('BINARY_CLASSIFICATION', 3, train, flipped);
    const steps: number[] = [];
    const model = await gradientBoostedTrees.train(data2, hp(gradientBoostedTrees, { rounds: 50, patience: 3 }), 1, { onStep: async (s) => void steps.push(s.step) });
    expect(steps).toEqual([1, 2, 3, 4]);
    expect(model.bestStep).toBe(1);
    expect((model as TreeModel).treeCount).toBe(1);
    const oneRound = await gradientBoostedTrees.train(dataset('BINARY_CLASSIFICATION', 3, train), hp(gradientBoostedTrees, { rounds: 1 }), 1, quiet);
    expect(await model.predict(flipped.x, 200)).toEqual(await oneRound.predict(flipped.x, 200));
    expect(oneRound.bestStep).toBeNull();
  });

  it('is deterministic with row subsampling, and the seed matters', async () => {
    const train = synthetic(500, 4, 8, xorLabel(0.1));
    const data2 = dataset('BINARY_CLASSIFICATION', 4, train);
    const settings2 = hp(gradientBoostedTrees, { rounds: 20, subsample: 0.5 });
    const a = await (await gradientBoostedTrees.train(data2, settings2, 1, quiet)).predict(train.x, 500);
    const b = await (await gradientBoostedTrees.train(data2, settings2, 1, quiet)).predict(train.x, 500);
    const c = await (await gradientBoostedTrees.train(data2, settings2, 2, quiet)).predict(train.x, 500);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});

// ---- random forest ----

describe('randomForest', () => {
  const train = synthetic(600, 6, 31, xorLabel(0.1));
  const data = dataset('BINARY_CLASSIFICATION', 6, train);

  it('is deterministic for a seed and differs between seeds', async () => {
    const settings = hp(randomForest, { trees: 10 });
    const a = await (await randomForest.train(data, settings, 1, quiet)).predict(train.x, 600);
    const b = await (await randomForest.train(data, settings, 1, quiet)).predict(train.x, 600);
    const c = await (await randomForest.train(data, settings, 2, quiet)).predict(train.x, 600);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('equals the decision tree with one tree, no bootstrap and every column', async () => {
    const shape = { maxDepth: 5, minSamplesLeaf: 3, criterion: 'ENTROPY' as const };
    const forest = await randomForest.train(data, hp(randomForest, { ...shape, trees: 1, bootstrap: false, maxFeatures: 1 }), 9, quiet);
    const tree = await decisionTree.train(data, hp(decisionTree, shape), 9, quiet);
    expect(await forest.predict(train.x, 600)).toEqual(await tree.predict(train.x, 600));
    expect(forest.nativeImportance()).toEqual(tree.nativeImportance());
  });

  it('reports the loss of the forest so far, one step per tree', async () => {
    const steps: { step: number; totalSteps: number; metrics: Record<string, number> }[] = [];
    await randomForest.train(dataset('BINARY_CLASSIFICATION', 6, train, train), hp(randomForest, { trees: 5 }), 1, { onStep: async (s) => void steps.push(s) });
    expect(steps.map((s) => [s.step, s.totalSteps])).toEqual([[1, 5], [2, 5], [3, 5], [4, 5], [5, 5]]);
    for (const s of steps) expect(s.metrics.val_loss).toBeCloseTo(s.metrics.loss, 12);
  });
});

// ---- shared ----

describe('tree models', () => {
  it('predict bit-identically after serialise → load', async () => {
    const binary = synthetic(300, 4, 41, xorLabel(0.1));
    const multi = synthetic(300, 4, 42, multiclassLabel);
    const regression = synthetic(300, 4, 43, regressionLabel);
    const probe = synthetic(100, 4, 44, () => [0]).x;
    const cases: [Algorithm, TrainingSet][] = [
      [decisionTree, dataset('BINARY_CLASSIFICATION', 4, binary)],
      [decisionTree, dataset('MULTICLASS_CLASSIFICATION', 4, multi, EMPTY, 3)],
      [decisionTree, dataset('REGRESSION', 4, regression)],
      [randomForest, dataset('BINARY_CLASSIFICATION', 4, binary)],
      [randomForest, dataset('MULTICLASS_CLASSIFICATION', 4, multi, EMPTY, 3)],
      [randomForest, dataset('REGRESSION', 4, regression)],
      [gradientBoostedTrees, dataset('BINARY_CLASSIFICATION', 4, binary)],
      [gradientBoostedTrees, dataset('REGRESSION', 4, regression)],
    ];
    for (const [algorithm, data] of cases) {
      const settings = hp(algorithm, { trees: 10, rounds: 30, ...(data.task === 'REGRESSION' ? { criterion: 'SQUARED_ERROR' as const } : {}) });
      expect(algorithm.validate(settings, data.task)).toEqual([]);
      const model = await algorithm.train(data, settings, 1, quiet);
      const out = await model.predict(probe, 100);
      expect(out.length).toBe(100 * data.outputWidth);
      if (data.task === 'MULTICLASS_CLASSIFICATION') {
        for (let r = 0; r < 100; r++) expect(out[r * 3] + out[r * 3 + 1] + out[r * 3 + 2]).toBeCloseTo(1, 5);
      }
      await roundTrip(algorithm, model, data, probe, 100);
    }
  });

  it('refuse out-of-range hyper-parameters, naming the field', () => {
    const fields = (algorithm: Algorithm, overrides: Partial<HyperparameterValues>) =>
      algorithm.validate(hp(algorithm, overrides), 'BINARY_CLASSIFICATION').map((p) => p.field);
    expect(fields(randomForest, { trees: 5001 })).toEqual(['trees']);
    expect(fields(randomForest, { trees: 5000 })).toEqual([]);
    for (const algorithm of [decisionTree, randomForest, gradientBoostedTrees]) {
      expect(fields(algorithm, { maxDepth: 0 })).toEqual(['maxDepth']);
      expect(fields(algorithm, { maxDepth: 65 })).toEqual(['maxDepth']);
      expect(fields(algorithm, { maxDepth: 64 })).toEqual([]);
      expect(fields(algorithm, {})).toEqual([]);
    }
    expect(fields(randomForest, { maxFeatures: 0 })).toEqual(['maxFeatures']);
    expect(fields(gradientBoostedTrees, { subsample: 1.5, rounds: 0 })).toEqual(['rounds', 'subsample']);
  });

  it('learn a noisy non-linear rule: test AUC above 0.85 for the forest and the booster', async () => {
    const train = synthetic(2000, 10, 51, xorLabel(0.05));
    const validation = synthetic(400, 10, 52, xorLabel(0.05));
    const test = synthetic(1000, 10, 53, xorLabel(0.05));
    const data = dataset('BINARY_CLASSIFICATION', 10, train, validation);
    for (const algorithm of [randomForest, gradientBoostedTrees]) {
      const model = await algorithm.train(data, hp(algorithm), 1, quiet);
      const auc = binaryMetrics(test.y, await model.predict(test.x, 1000)).auc;
      expect(auc, algorithm.architecture).toBeGreaterThan(0.85);
    }
  });

  it('train fast on 100,000 rows (printed, not asserted)', async () => {
    const rows = 100_000;
    const cols = 24;
    const train = synthetic(rows, cols, 61, (v, o, random) => [v[o] * v[o + 1] + 0.5 * v[o + 2] + 0.5 * (random() - 0.5) > 0 ? 1 : 0]);
    const validation = synthetic(10_000, cols, 62, (v, o, random) => [v[o] * v[o + 1] + 0.5 * v[o + 2] + 0.5 * (random() - 0.5) > 0 ? 1 : 0]);
    const data = dataset('BINARY_CLASSIFICATION', cols, train, validation);
    for (const [algorithm, overrides] of [[gradientBoostedTrees, { rounds: 200, patience: 0 }], [randomForest, { trees: 100 }]] as const) {
      const started = performance.now();
      const model = await algorithm.train(data, hp(algorithm, overrides), 1, quiet);
      const seconds = (performance.now() - started) / 1000;
      const auc = binaryMetrics(validation.y, await model.predict(validation.x, validation.count)).auc;
      console.log(`${algorithm.architecture}: ${seconds.toFixed(2)} s on ${rows} × ${cols} (${JSON.stringify(overrides)}), validation AUC ${auc.toFixed(4)}`);
    }
  }, 180_000);
});

