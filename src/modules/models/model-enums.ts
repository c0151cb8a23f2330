import { registerEnumType } from 'type-graphql';
import { Activation, Architecture, ClassWeighting, ModelTask, TASKS_BY_ARCHITECTURE } from '../../ml/model-spec';

// The enums are defined once in ml/ (the trainer and the maths use them too); here they become GraphQL enums.
export { Activation, Architecture, ClassWeighting, ModelTask, TASKS_BY_ARCHITECTURE };

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
  description: 'The network. Which tasks each allows is listed per value.',
  valuesConfig: {
    LOGISTIC_REGRESSION: { description: 'One sigmoid unit; BINARY_CLASSIFICATION only.' },
    LINEAR_REGRESSION: { description: 'One linear unit; REGRESSION only.' },
    MLP: { description: 'Dense hidden layers (hiddenUnits, activation, dropout, l2); any classification or REGRESSION.' },
    LSTM: { description: 'A recurrent layer over a window of past values (windowSize, horizon); TIME_SERIES_FORECAST only.' },
  },
});


registerEnumType(Activation, { name: 'Activation', description: 'Activation of hidden layers.' });

registerEnumType(ClassWeighting, {
  name: 'ClassWeighting',
  description: 'NONE, or BALANCED: weight each class by n / (classes × its count), for imbalanced targets such as defaults.',
});
