/**
 * The TensorFlow.js networks (MLP, LSTM, and the linear models' GRADIENT solver) behind the
 * algorithm contract: built by ml/architectures.ts, trained with Adam by `model.fit`, stored as
 * tfjs-layers topology + weight bytes. Early stopping watches the validation loss (Keras'
 * EarlyStopping with restore_best_weights): after `patience` epochs without a better val_loss the
 * fit stops and the best epoch's weights are put back.
 */
import { buildModel } from '../architectures';
import type { ArchitectureName, HyperparameterValues } from '../model-spec';
import { createRandom, shuffleInPlace } from '../random';
import { tf, type TF, type LayersModel } from '../tf';
import type { ModelShape, Predictor, SerialisedModel, TrainCallbacks, TrainingSet } from './algorithm';

/** The stored form's JSON part. */
interface NetworkState {
  format: 'tfjs-layers';
  modelTopology: unknown;
  weightSpecs: unknown;
}

/** Everything `model.fit` is called with, except the callbacks (the training benchmark's bare baseline calls this too). */
export interface NetworkFitPlan {
  model: LayersModel;
  x: TF.Tensor;
  y: TF.Tensor;
  options: {
    epochs: number;
    batchSize: number;
    validationData: [TF.Tensor, TF.Tensor] | undefined;
    shuffle: boolean;
    classWeight: Record<number, number> | undefined;
    verbose: 0;
  };
  /** Frees the tensors (the model stays). */
  dispose(): void;
}

export function planNetworkFit(architecture: ArchitectureName, data: TrainingSet, hp: HyperparameterValues, seed: number): NetworkFitPlan {
  const forecast = data.inputShape.length === 2;
  const model = buildModel({
    architecture, task: data.task, inputSize: forecast ? data.inputShape[1] : data.inputWidth, outputSize: data.outputWidth,
    hiddenUnits: hp.hiddenUnits, activation: hp.activation, dropout: hp.dropout, l2: hp.l2,
    learningRate: hp.learningRate, windowSize: forecast ? data.inputShape[0] : hp.windowSize, seed,
  });
  const tensor = (part: TrainingSet['train']) => [tf.tensor(part.x, [part.count, ...data.inputShape]), tf.tensor(part.y, [part.count, data.outputWidth])] as [TF.Tensor, TF.Tensor];
  const [x, y] = tensor(data.train);
  const validation = data.validation.count > 0 ? tensor(data.validation) : undefined;
  return {
    model, x, y,
    options: {
      epochs: hp.epochs,
      batchSize: Math.min(hp.batchSize, data.train.count),
      validationData: validation,
      shuffle: !data.ordered,
      classWeight: data.classWeight ?? undefined,
      verbose: 0,
    },
    dispose: () => tf.dispose([x, y, ...(validation ?? [])]),
  };
}

/** Mixed into the run's seed for the epoch shuffles, so they do not replay the split's random stream. */
const SHUFFLE_SEED = 0x5eed5eed;

/** tfjs reports `acc`; the API says `accuracy`. */
const metricName = (key: string) => key.replace(/(^|_)acc$/, '$1accuracy');

/** Trains a network and streams one step per epoch (and the batch loss when asked). */
export async function trainNetwork(architecture: ArchitectureName, data: TrainingSet, hp: HyperparameterValues, seed: number, callbacks: TrainCallbacks): Promise<Predictor> {
  const plan = planNetworkFit(architecture, data, hp, seed);
  const { model } = plan;
  const watch = hp.patience > 0 && data.validation.count > 0;
  let best = { loss: Infinity, epoch: 0, weights: null as TF.Tensor[] | null };
  let lastEpoch = 0;
  let stop = false;
  const fitCallbacks: TF.CustomCallbackArgs = {
    ...(callbacks.onBatch ? { onBatchEnd: async (_batch: number, logs?: TF.Logs) => { if (logs?.loss !== undefined) await callbacks.onBatch!(logs.loss); } } : {}),
    onEpochEnd: async (epoch, logs) => {
      lastEpoch = epoch + 1;
      const metrics: Record<string, number> = { learning_rate: hp.learningRate };
      for (const [key, value] of Object.entries(logs ?? {})) metrics[metricName(key)] = value;
      if (watch && Number.isFinite(metrics.val_loss)) {
        if (metrics.val_loss < best.loss) {
          best.weights?.forEach((w) => w.dispose());
          best = { loss: metrics.val_loss, epoch: epoch + 1, weights: model.getWeights().map((w) => w.clone()) };
        } else if (epoch + 1 - best.epoch >= hp.patience) {
          stop = true;
        }
      }
      await callbacks.onStep({ step: epoch + 1, totalSteps: hp.epochs, metrics });
    },
  };
  // tfjs shuffles each epoch with Math.random, which cannot be seeded; so one epoch per fit call,
  // the rows put in a seeded order first (a gather: cheap next to the epoch). Same seed, same model.
  const random = createRandom(seed ^ SHUFFLE_SEED);
  try {
    for (let epoch = 0; epoch < hp.epochs && !stop; epoch++) {
      const order = plan.options.shuffle ? tf.tensor1d(shuffleInPlace(Int32Array.from({ length: data.train.count }, (_, i) => i), random), 'int32') : null;
      const [x, y] = order ? [tf.gather(plan.x, order), tf.gather(plan.y, order)] : [plan.x, plan.y];
      try {
        await model.fit(x, y, { ...plan.options, shuffle: false, epochs: epoch + 1, initialEpoch: epoch, callbacks: fitCallbacks });
      } finally {
        if (order) tf.dispose([order, x, y]);
      }
    }
    // Keras' restore_best_weights: the kept model is the best epoch's, not the last one's.
    const restored = best.weights !== null && best.epoch < lastEpoch;
    if (restored) model.setWeights(best.weights!);
    return new NetworkPredictor(model, data.inputShape, restored ? best.epoch : null);
  } finally {
    best.weights?.forEach((w) => w.dispose());
    plan.dispose();
  }
}

/** Loads a stored network (also artifacts saved before the algorithm contract: same topology + weights). */
export async function loadNetwork(model: SerialisedModel, shape: ModelShape): Promise<Predictor> {
  const state = model.state as NetworkState;
  const network = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: state.modelTopology as object, weightSpecs: state.weightSpecs as TF.io.WeightsManifestEntry[], weightData: model.bytes,
  }));
  return new NetworkPredictor(network, shape.inputShape, null);
}

/** A trained network as a predictor (the training benchmark's bare baseline evaluates its own fit through it). */
export function networkPredictor(network: LayersModel, inputShape: number[]): Predictor {
  return new NetworkPredictor(network, inputShape, null);
}

class NetworkPredictor implements Predictor {
  /** Public for the serving benchmark's raw baseline, which calls the network's own predict. */
  constructor(readonly network: LayersModel, private readonly inputShape: number[], readonly bestStep: number | null) {}

  async predict(x: Float32Array, rows: number): Promise<Float32Array> {
    const output = tf.tidy(() => this.network.predict(tf.tensor(x, [rows, ...this.inputShape])) as TF.Tensor);
    try {
      return (await output.data()) as Float32Array;
    } finally {
      output.dispose();
    }
  }

  async serialise(): Promise<SerialisedModel> {
    let saved: TF.io.ModelArtifacts | undefined;
    await this.network.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const state: NetworkState = { format: 'tfjs-layers', modelTopology: saved!.modelTopology, weightSpecs: saved!.weightSpecs };
    return { state, bytes: saved!.weightData as ArrayBuffer };
  }

  nativeImportance(): null {
    return null;
  }

  dispose(): void {
    this.network.dispose();
  }
}

/** The hyper-parameters every network reads. */
export const NETWORK_HYPERPARAMETERS = ['epochs', 'batchSize', 'learningRate', 'patience', 'classWeighting'] as const;
