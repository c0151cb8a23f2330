/**
 * Every algorithm, by architecture: the one place one is registered. The Record type makes a new
 * Architecture member fail to compile until its algorithm is listed here.
 */
import type { ArchitectureName, HyperparameterName, TaskName } from '../model-spec';
import type { Algorithm } from './algorithm';
import { decisionTree } from './decision-tree';
import { gradientBoostedTrees } from './gradient-boosted-trees';
import { linearRegression } from './linear-regression';
import { logisticRegression } from './logistic-regression';
import { lstm } from './lstm';
import { mlp } from './mlp';
import { naiveBayes } from './naive-bayes';
import { randomForest } from './random-forest';
import { svm } from './svm';

const ALGORITHMS: Record<ArchitectureName, Algorithm> = {
  LOGISTIC_REGRESSION: logisticRegression,
  LINEAR_REGRESSION: linearRegression,
  MLP: mlp,
  LSTM: lstm,
  DECISION_TREE: decisionTree,
  RANDOM_FOREST: randomForest,
  GRADIENT_BOOSTED_TREES: gradientBoostedTrees,
  NAIVE_BAYES: naiveBayes,
  SVM: svm,
};

/** The algorithm of an architecture; throws for a name that is not one (a stored artifact from a newer server). */
export function algorithmFor(architecture: ArchitectureName | string): Algorithm {
  const found = (ALGORITHMS as Record<string, Algorithm | undefined>)[architecture];
  if (!found) throw new Error(`unknown architecture ${architecture}`);
  return found;
}

/** The architectures that can learn a task, for refusals that list them. */
export function architecturesFor(task: TaskName): ArchitectureName[] {
  return Object.values(ALGORITHMS).filter((a) => a.tasks.includes(task)).map((a) => a.architecture);
}

/** Hyper-parameters set in a request that the architecture does not read (each one is refused). */
export function foreignHyperparameters(architecture: ArchitectureName, given: Partial<Record<HyperparameterName, unknown>>): HyperparameterName[] {
  const reads = new Set<string>(algorithmFor(architecture).hyperparameters);
  return (Object.keys(given) as HyperparameterName[]).filter((name) => given[name] !== undefined && given[name] !== null && !reads.has(name));
}
