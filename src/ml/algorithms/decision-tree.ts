/**
 * DECISION_TREE: one CART tree grown level by level on quantile-binned inputs (see
 * trees/grow-tree.ts). Classification leaves hold class probabilities (GINI or ENTROPY splits,
 * class weights as row weights); regression leaves hold the mean standardised target
 * (SQUARED_ERROR splits). One training step per depth level grown.
 *
 * Criterion: GINI (the default here) or ENTROPY for classification, SQUARED_ERROR for REGRESSION;
 * validate refuses the others, naming `criterion`. The resolver supplies SQUARED_ERROR as a
 * REGRESSION model's default (this file's GINI default is the classifiers'); a REGRESSION tree
 * trained directly (without validate) always splits by SQUARED_ERROR.
 */
import type { Algorithm, HyperparameterProblem, SerialisedModel, ModelShape, Predictor, TrainCallbacks, TrainingSet } from './algorithm';
import { TASKS_BY_ARCHITECTURE, type HyperparameterValues, type TaskName } from '../model-spec';
import { binTrainingRows } from './trees/binning';
import { TreeGrower, predictTree } from './trees/grow-tree';
import {
  TreeModel, allRows, cartTargets, checkTrainingSet, criterionProblem, outputTree, resolveCriterion,
} from './trees/tree-model';
import { integerProblem, outputLoss, taskKind } from './outputs';

export const DECISION_TREE_DEFAULTS = { maxDepth: 6, minSamplesLeaf: 5, criterion: 'GINI' } as const;

/** The tree-shape checks shared with the forest and the booster. */
export function treeShapeProblems(hp: Partial<HyperparameterValues>): HyperparameterProblem[] {
  return [...integerProblem(hp, 'maxDepth', 1, 64), ...integerProblem(hp, 'minSamplesLeaf', 1, 1_000_000)];
}

export const decisionTree: Algorithm = {
  architecture: 'DECISION_TREE',
  tasks: TASKS_BY_ARCHITECTURE.DECISION_TREE,
  hyperparameters: ['maxDepth', 'minSamplesLeaf', 'criterion', 'classWeighting'],
  defaults: { ...DECISION_TREE_DEFAULTS },
  description: 'A single decision tree (CART on quantile-binned inputs): readable if-then splits, class probabilities or the mean target per leaf.',

  validate(hp: HyperparameterValues, task: TaskName): HyperparameterProblem[] {
    return [...treeShapeProblems(hp), ...criterionProblem(hp.criterion, task)];
  },

  async train(data: TrainingSet, hp: HyperparameterValues, _seed: number, callbacks: TrainCallbacks): Promise<Predictor> {
    checkTrainingSet(data);
    const kind = taskKind(data.task);
    const maxDepth = hp.maxDepth ?? DECISION_TREE_DEFAULTS.maxDepth;
    const { train, validation, inputWidth: cols } = data;
    const binned = binTrainingRows(train.x, train.count, cols);
    const { targets, k, weights } = cartTargets(data);
    const grower = new TreeGrower(
      { data: binned, sample: allRows(train.count), targets, k, weights },
      { criterion: resolveCriterion(hp.criterion, kind), maxDepth, minSamplesLeaf: hp.minSamplesLeaf ?? DECISION_TREE_DEFAULTS.minSamplesLeaf },
    );
    const outK = data.outputWidth;
    const trainOut = new Float64Array(train.count * outK);
    const valOut = new Float64Array(validation.count * outK);
    const report = async (step: number) => {
      const tree = outputTree(grower.snapshot(), kind);
      predictTree(tree, train.x, train.count, cols, trainOut);
      const metrics: Record<string, number> = { loss: outputLoss(kind, train.y, trainOut, train.count, outK) };
      if (validation.count > 0) {
        predictTree(tree, validation.x, validation.count, cols, valOut);
        metrics.val_loss = outputLoss(kind, validation.y, valOut, validation.count, outK);
      }
      await callbacks.onStep({ step, totalSteps: maxDepth, metrics });
    };
    let step = 0;
    while (grower.growLevel()) await report(++step);
    if (step === 0) await report(1); // nothing to split: the root alone
    const tree = outputTree(grower.finish(), kind);
    return TreeModel.fromTrees([tree], { k: outK, inputWidth: cols, combine: 'mean', link: 'identity', gains: grower.columnGains });
  },

  async load(model: SerialisedModel, shape: ModelShape): Promise<Predictor> {
    return TreeModel.load(model, shape);
  },
};
