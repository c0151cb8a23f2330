import { buildModel } from '../../ml/architectures';
import { tf, type LayersModel } from '../../ml/tf';
import type { PreparedData } from './prepare-data';
import type { TrainJob } from './protocol';

/** Everything `model.fit` is called with for a job, except the callbacks. */
export interface FitPlan {
  model: LayersModel;
  x: tf.Tensor;
  y: tf.Tensor;
  options: {
    epochs: number;
    batchSize: number;
    validationData: [tf.Tensor, tf.Tensor] | undefined;
    shuffle: boolean;
    classWeight: Record<number, number> | undefined;
    verbose: 0;
  };
  /** Frees the tensors (the model stays). */
  dispose(): void;
}

/**
 * The network and tensors a job trains with. The training child and the training benchmark's
 * bare baseline both call this, so the baseline trains exactly the model the API trains.
 */
export function planFit(job: TrainJob, data: PreparedData): FitPlan {
  const hp = job.hyperparameters;
  const model = buildModel({
    architecture: job.architecture, task: job.task, inputSize: data.inputSize, outputSize: data.outputSize,
    hiddenUnits: hp.hiddenUnits, activation: hp.activation, dropout: hp.dropout, l2: hp.l2,
    learningRate: hp.learningRate, windowSize: hp.windowSize, seed: job.seed,
  });
  const x = tf.tensor(data.train.x, data.xShape(data.train.count));
  const y = tf.tensor(data.train.y, data.yShape(data.train.count));
  const validation = data.validation.count > 0
    ? [tf.tensor(data.validation.x, data.xShape(data.validation.count)), tf.tensor(data.validation.y, data.yShape(data.validation.count))] as [tf.Tensor, tf.Tensor]
    : undefined;
  return {
    model,
    x,
    y,
    options: {
      epochs: hp.epochs,
      batchSize: Math.min(hp.batchSize, data.train.count),
      validationData: validation,
      // Time-ordered splits keep their order (forecasts).
      shuffle: job.split.strategy === 'RANDOM',
      classWeight: data.classWeight ?? undefined,
      verbose: 0,
    },
    dispose: () => tf.dispose([x, y, ...(validation ?? [])]),
  };
}
