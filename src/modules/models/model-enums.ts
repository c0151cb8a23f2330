import { registerEnumType } from 'type-graphql';
import { Activation, Architecture, ClassWeighting, ForecastTarget, LinearSolver, ModelTask, SplitCriterion, SvmKernel, TASKS_BY_ARCHITECTURE } from '../../ml/model-spec';
import { algorithmFor } from '../../ml/algorithms/registry';

// The enums are defined once in ml/ (the trainer and the maths use them too); here they become GraphQL enums.
export { Activation, Architecture, ClassWeighting, ForecastTarget, LinearSolver, ModelTask, SplitCriterion, SvmKernel, TASKS_BY_ARCHITECTURE };

registerEnumType(ModelTask, {
  name: 'ModelTask',
  description: 'What a model predicts; it decides the loss and the output layer.',
  valuesConfig: {
    BINARY_CLASSIFICATION: { description: 'Two classes, e.g. default / no default. Output: a probability.' },
    MULTICLASS_CLASSIFICATION: { description: 'Three or more classes. Output: a probability per class.' },
    REGRESSION: { description: 'A number, e.g. a loss amount.' },
    TIME_SERIES_FORECAST: { description: 'The next values of a series, e.g. a closing price, from a window of past values.' },
  },
});

registerEnumType(Architecture, {
  name: 'Architecture',
  description: 'The learning algorithm. Which tasks each learns and which hyper-parameters it reads are listed per value.',
  // Each algorithm describes itself (ml/algorithms), with the hyper-parameters it reads.
  valuesConfig: Object.fromEntries(Object.values(Architecture).map((name) => {
    const algorithm = algorithmFor(name);
    return [name, { description: `${algorithm.description} Reads: ${algorithm.hyperparameters.join(', ')}.` }];
  })),
});

registerEnumType(SplitCriterion, { name: 'SplitCriterion', description: 'How a tree chooses its splits: GINI or ENTROPY (classification), SQUARED_ERROR (regression).' });

registerEnumType(ForecastTarget, {
  name: 'ForecastTarget',
  description: 'What a forecast model learns. Answers and metrics are always in the series\' own units (levels).',
  valuesConfig: {
    LEVEL: { description: 'The values themselves.' },
    DIFFERENCE: { description: 'The change from the last value seen (needs one row more history than windowSize).' },
    LOG_RETURN: { description: 'The log of the ratio to the last value seen (positive series only; one row more history).' },
  },
});

registerEnumType(SvmKernel, { name: 'SvmKernel', description: 'The kernel of a support vector machine: RBF (default), LINEAR, POLYNOMIAL (degree) or SIGMOID.' });

registerEnumType(LinearSolver, { name: 'LinearSolver', description: 'How the linear models fit: EXACT (Newton/IRLS for logistic, least squares for linear; deterministic, to the optimum) or GRADIENT (Adam by epochs).' });


registerEnumType(Activation, { name: 'Activation', description: 'Activation of hidden layers.' });

registerEnumType(ClassWeighting, {
  name: 'ClassWeighting',
  description: 'NONE, or BALANCED: weight each class by n / (classes × its count), for imbalanced targets such as defaults.',
});
