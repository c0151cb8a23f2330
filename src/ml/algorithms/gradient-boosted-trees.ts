/**
 * GRADIENT_BOOSTED_TREES: Newton boosting of depth-limited CART trees on quantile-binned inputs
 * (as XGBoost, LightGBM and scikit-learn's HistGradientBoosting do; trees/grow-tree.ts).
 * - BINARY_CLASSIFICATION: logistic loss; the model's raw score F starts at the log-odds of the
 *   (class-weighted) positive rate and the output is sigmoid(F). Per row, g = w (p − y),
 *   h = w p (1 − p).
 * - REGRESSION: squared loss on the standardised target; F starts at its mean; g = F − y, h = 1.
 * Each round fits one tree to the gradients (gain G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), leaf
 * −G/(H+λ)) on a `subsample` share of the rows drawn without replacement, and adds
 * `learningRate` × its leaf values to F. One training step per round. With `patience` > 0 and a
 * validation split, training stops once the validation loss has not improved for `patience`
 * rounds and keeps the trees up to the best round (`bestStep`).
 */
import type { Algorithm, HyperparameterProblem, ModelShape, Predictor, SerialisedModel, TrainCallbacks, TrainingSet } from './algorithm';
import { TASKS_BY_ARCHITECTURE, type HyperparameterValues, type TaskName } from '../model-spec';
import { createRandom } from '../random';
import { binTrainingRows } from './trees/binning';
import { growTree, predictTree, type Tree } from './trees/grow-tree';
import {
  TreeModel, allRows, checkTrainingSet, classIndices, classRowWeights,
} from './trees/tree-model';
import { integerProblem, numberProblem, outputLoss, taskKind } from './outputs';
import { treeShapeProblems } from './decision-tree';

export const GRADIENT_BOOSTED_TREES_DEFAULTS = {
  rounds: 200, learningRate: 0.1, maxDepth: 3, minSamplesLeaf: 20, subsample: 1, l2: 1, patience: 20,
} as const;

const P_EPSILON = 1e-7;

export const gradientBoostedTrees: Algorithm = {
  architecture: 'GRADIENT_BOOSTED_TREES',
  tasks: TASKS_BY_ARCHITECTURE.GRADIENT_BOOSTED_TREES,
  hyperparameters: ['rounds', 'learningRate', 'maxDepth', 'minSamplesLeaf', 'subsample', 'l2', 'patience', 'classWeighting'],
  defaults: { ...GRADIENT_BOOSTED_TREES_DEFAULTS },
  description: 'Gradient-boosted trees: shallow CART trees added one per round, each fitting the gradients of the loss (Newton steps, L2-regularised leaves), with early stopping on the validation loss.',

  validate(hp: HyperparameterValues, _task: TaskName): HyperparameterProblem[] {
    return [
      ...integerProblem(hp, 'rounds', 1, 10_000),
      ...numberProblem(hp, 'learningRate', 0, 1),
      ...numberProblem(hp, 'subsample', 0, 1),
      ...numberProblem(hp, 'l2', 0, 1_000_000, true),
      ...integerProblem(hp, 'patience', 0, 10_000),
      ...treeShapeProblems(hp),
    ];
  },

  async train(data: TrainingSet, hp: HyperparameterValues, seed: number, callbacks: TrainCallbacks): Promise<Predictor> {
    checkTrainingSet(data);
    const kind = taskKind(data.task);
    if (kind === 'multiclass') throw new RangeError('GRADIENT_BOOSTED_TREES cannot learn MULTICLASS_CLASSIFICATION');
    const d = GRADIENT_BOOSTED_TREES_DEFAULTS;
    const rounds = hp.rounds ?? d.rounds;
    const learningRate = hp.learningRate ?? d.learningRate;
    const subsample = hp.subsample ?? d.subsample;
    const patience = hp.patience ?? d.patience;
    const options = { criterion: 'NEWTON' as const, maxDepth: hp.maxDepth ?? d.maxDepth, minSamplesLeaf: hp.minSamplesLeaf ?? d.minSamplesLeaf, lambda: hp.l2 ?? d.l2 };
    const { train, validation, inputWidth: cols } = data;
    const n = train.count;
    const binary = kind === 'binary';
    const y = new Float64Array(n);
    for (let r = 0; r < n; r++) y[r] = train.y[r * data.outputWidth];
    const weights = binary ? classRowWeights(classIndices(train.y, n, kind, 1), data.classWeight) : null;

    // Initial score: the log-odds of the weighted positive rate, or the mean.
    let wSum = 0;
    let ySum = 0;
    for (let r = 0; r < n; r++) {
      const w = weights ? weights[r] : 1;
      wSum += w;
      ySum += w * y[r];
    }
    let base = ySum / wSum;
    if (binary) {
      const p = Math.min(1 - P_EPSILON, Math.max(P_EPSILON, base));
      base = Math.log(p / (1 - p));
    }

    const binned = binTrainingRows(train.x, n, cols);
    const score = new Float64Array(n).fill(base);
    const valScore = new Float64Array(validation.count).fill(base);
    const gradients = new Float64Array(n);
    const hessians = new Float64Array(n);
    const random = createRandom(seed);
    const everyRow = allRows(n);
    const sampleSize = Math.max(1, Math.min(n, Math.floor(subsample * n)));
    const order = allRows(n);
    const trees: Tree[] = [];
    const treeGains: Float64Array[] = [];
    const stopping = patience > 0 && validation.count > 0;
    let best = 0;
    let bestLoss = Infinity;
    let stopped = false;

    for (let round = 1; round <= rounds; round++) {
      if (binary) {
        for (let r = 0; r < n; r++) {
          const p = 1 / (1 + Math.exp(-score[r]));
          const w = weights ? weights[r] : 1;
          gradients[r] = w * (p - y[r]);
          hessians[r] = w * Math.max(p * (1 - p), 1e-16);
        }
      } else {
        for (let r = 0; r < n; r++) {
          gradients[r] = score[r] - y[r];
          hessians[r] = 1;
        }
      }
      let sample = everyRow;
      if (sampleSize < n) {
        // A partial Fisher–Yates shuffle picks sampleSize distinct rows; sorted for memory locality.
        for (let i = 0; i < sampleSize; i++) {
          const j = i + Math.floor(random() * (n - i));
          const t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
        sample = order.slice(0, sampleSize).sort();
      }
      const roundGains = new Float64Array(cols);
      const grown = growTree({ data: binned, sample, targets: gradients, k: 1, hessians }, options, roundGains);
      treeGains.push(roundGains);
      for (let i = 0; i < grown.values.length; i++) grown.values[i] *= learningRate;
      trees.push(grown);
      predictTree(grown, train.x, n, cols, score, true);
      const metrics: Record<string, number> = { loss: outputLoss(kind, train.y, score, n, 1, 1, binary) };
      if (validation.count > 0) {
        predictTree(grown, validation.x, validation.count, cols, valScore, true);
        metrics.val_loss = outputLoss(kind, validation.y, valScore, validation.count, 1, 1, binary);
      }
      await callbacks.onStep({ step: round, totalSteps: rounds, metrics });
      if (stopping) {
        if (metrics.val_loss < bestLoss) {
          bestLoss = metrics.val_loss;
          best = round;
        } else if (round - best >= patience) {
          stopped = true;
          break;
        }
      }
    }
    const kept = stopped ? trees.slice(0, best) : trees;
    const gains = new Float64Array(cols);
    for (let t = 0; t < kept.length; t++) for (let c = 0; c < cols; c++) gains[c] += treeGains[t][c];
    return TreeModel.fromTrees(kept, {
      k: 1, inputWidth: cols, combine: 'sum', link: binary ? 'sigmoid' : 'identity', baseScore: [base], gains, bestStep: stopped ? best : null,
    });
  },

  async load(model: SerialisedModel, shape: ModelShape): Promise<Predictor> {
    return TreeModel.load(model, shape);
  },
};
