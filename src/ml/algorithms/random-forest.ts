/**
 * RANDOM_FOREST: `trees` CART trees (trees/grow-tree.ts), each grown on a bootstrap sample of the
 * training rows (as scikit-learn does, a row drawn c times weighs c, so minSamplesLeaf counts
 * distinct rows) and searching a fresh random subset of the columns at every node. The output is
 * the mean of the trees' leaf values: class probabilities, or the standardised target. One
 * training step per tree, with the loss of the forest so far.
 *
 * maxFeatures: the share of columns searched per node, ⌈maxFeatures × columns⌉; null means
 * ⌊√columns⌋ for classification and every column for regression (scikit-learn's defaults).
 * Criterion as for DECISION_TREE (GINI or ENTROPY for classification, SQUARED_ERROR for REGRESSION).
 */
import type { Algorithm, HyperparameterProblem, ModelShape, Predictor, SerialisedModel, TrainCallbacks, TrainingSet } from './algorithm';
import { TASKS_BY_ARCHITECTURE, type HyperparameterValues, type TaskName } from '../model-spec';
import { createRandom } from '../random';
import { binTrainingRows } from './trees/binning';
import { growTree, predictTree, type Tree } from './trees/grow-tree';
import {
  TreeModel, allRows, cartTargets, checkTrainingSet, criterionProblem, outputTree, resolveCriterion,
} from './trees/tree-model';
import { integerProblem, numberProblem, outputLoss, taskKind, type OutputKind } from './outputs';
import { treeShapeProblems } from './decision-tree';

export const RANDOM_FOREST_DEFAULTS = { trees: 100, maxFeatures: null, maxDepth: 16, minSamplesLeaf: 1, bootstrap: true, criterion: 'GINI' } as const;

/** Columns searched per node. */
export function featuresPerNode(maxFeatures: number | null | undefined, cols: number, kind: OutputKind): number {
  if (maxFeatures === null || maxFeatures === undefined) return kind === 'regression' ? cols : Math.max(1, Math.floor(Math.sqrt(cols)));
  return Math.max(1, Math.min(cols, Math.ceil(maxFeatures * cols - 1e-9)));
}

export const randomForest: Algorithm = {
  architecture: 'RANDOM_FOREST',
  tasks: TASKS_BY_ARCHITECTURE.RANDOM_FOREST,
  hyperparameters: ['trees', 'maxFeatures', 'maxDepth', 'minSamplesLeaf', 'bootstrap', 'criterion', 'classWeighting'],
  defaults: { ...RANDOM_FOREST_DEFAULTS },
  description: 'A random forest: deep CART trees on bootstrap samples, each split choosing among a random subset of columns, averaged.',

  validate(hp: HyperparameterValues, task: TaskName): HyperparameterProblem[] {
    return [
      ...integerProblem(hp, 'trees', 1, 5000),
      ...numberProblem(hp, 'maxFeatures', 0, 1),
      ...treeShapeProblems(hp),
      ...criterionProblem(hp.criterion, task),
    ];
  },

  async train(data: TrainingSet, hp: HyperparameterValues, seed: number, callbacks: TrainCallbacks): Promise<Predictor> {
    checkTrainingSet(data);
    const kind = taskKind(data.task);
    const { train, validation, inputWidth: cols } = data;
    const n = train.count;
    const treeCount = hp.trees ?? RANDOM_FOREST_DEFAULTS.trees;
    const bootstrap = hp.bootstrap ?? RANDOM_FOREST_DEFAULTS.bootstrap;
    const binned = binTrainingRows(train.x, n, cols);
    const { targets, k, weights: classWeights } = cartTargets(data);
    const options = {
      criterion: resolveCriterion(hp.criterion, kind),
      maxDepth: hp.maxDepth ?? RANDOM_FOREST_DEFAULTS.maxDepth,
      minSamplesLeaf: hp.minSamplesLeaf ?? RANDOM_FOREST_DEFAULTS.minSamplesLeaf,
      featuresPerNode: featuresPerNode(hp.maxFeatures, cols, kind),
      random: createRandom(seed),
    };
    const random = options.random;
    const everyRow = allRows(n);
    const drawn = new Uint32Array(n);
    const gains = new Float64Array(cols);
    const outK = data.outputWidth;
    const trainSum = new Float64Array(n * outK);
    const valSum = new Float64Array(validation.count * outK);
    const trees: Tree[] = [];
    for (let t = 1; t <= treeCount; t++) {
      let sample = everyRow;
      let weights = classWeights;
      if (bootstrap) {
        // n draws with replacement; a row drawn c times is kept once with weight c (× its class weight).
        drawn.fill(0);
        for (let i = 0; i < n; i++) drawn[Math.floor(random() * n)]++;
        let kept = 0;
        for (let r = 0; r < n; r++) if (drawn[r] > 0) kept++;
        sample = new Uint32Array(kept);
        weights = new Float64Array(n);
        for (let r = 0, j = 0; r < n; r++) {
          if (drawn[r] === 0) continue;
          sample[j++] = r;
          weights[r] = drawn[r] * (classWeights ? classWeights[r] : 1);
        }
      }
      const tree = outputTree(growTree({ data: binned, sample, targets, k, weights }, options, gains), kind);
      trees.push(tree);
      predictTree(tree, train.x, n, cols, trainSum, true);
      const metrics: Record<string, number> = { loss: outputLoss(kind, train.y, trainSum, n, outK, 1 / t) };
      if (validation.count > 0) {
        predictTree(tree, validation.x, validation.count, cols, valSum, true);
        metrics.val_loss = outputLoss(kind, validation.y, valSum, validation.count, outK, 1 / t);
      }
      await callbacks.onStep({ step: t, totalSteps: treeCount, metrics });
    }
    return TreeModel.fromTrees(trees, { k: outK, inputWidth: cols, combine: 'mean', link: 'identity', gains });
  },

  async load(model: SerialisedModel, shape: ModelShape): Promise<Predictor> {
    return TreeModel.load(model, shape);
  },
};
