/**
 * SVM: libsvm 3.22 (libsvm-js, its asm.js build: plain JavaScript, nothing to download or compile
 * at install). C-SVC with probability estimates for classification (libsvm's own Platt scaling
 * over an internal 5-fold cross-validation; one-against-one for several classes), epsilon-SVR for
 * regression. Training grows with the square of the rows or worse (10,000 rows × 20 columns took
 * 21 s here), so requests over MAX_SVM_ROWS training rows are refused before queueing.
 *
 * Determinism: libsvm draws the folds of its probability cross-validation with C's rand(), whose
 * state lives in the module. Each training gets a fresh module instance, so the same rows always
 * give the same model; the run's seed does not enter. The stored form is libsvm's model text, and
 * the predictor is the model read back from that text, so serving predicts exactly what the
 * evaluation measured.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Algorithm, Predictor, SerialisedModel, TrainingSet } from './algorithm';
import { TASKS_BY_ARCHITECTURE, type HyperparameterValues, type SvmKernel } from '../model-spec';
import { integerProblem, numberProblem, outputLoss, taskKind, type OutputKind } from './outputs';

/** Training rows an SVM accepts. */
export const MAX_SVM_ROWS = 10_000;

/** The slice of libsvm-js's API used here. */
interface LibSvmModel {
  train(samples: number[][], labels: number[]): void;
  predict(samples: number[][]): number[];
  predictProbability(samples: number[][]): { prediction: number; estimates: { label: number; probability: number }[] }[];
  serializeModel(): string;
  free(): void;
}
interface LibSvm {
  new (options: Record<string, unknown>): LibSvmModel;
  load(serialized: string): LibSvmModel;
  KERNEL_TYPES: Record<string, number>;
  SVM_TYPES: Record<string, number>;
}

const load = createRequire(__filename);
const MODULE = load.resolve('libsvm-js/asm');
const PACKAGE_DIR = path.dirname(MODULE);

/** A fresh libsvm module (its C state, rand() included, starts anew): its files dropped from the require cache first. */
function freshLibSvm(): LibSvm {
  for (const file of Object.keys(load.cache)) if (file.startsWith(PACKAGE_DIR + path.sep)) delete load.cache[file];
  return load(MODULE) as LibSvm;
}

const KERNELS: Record<`${SvmKernel}`, string> = { RBF: 'RBF', LINEAR: 'LINEAR', POLYNOMIAL: 'POLYNOMIAL', SIGMOID: 'SIGMOID' };

interface SvmState {
  format: 'libsvm';
  kind: OutputKind;
  /** Outputs per row: 1 (binary, regression) or the class count. */
  k: number;
  model: string;
}

function rowsOf(x: Float32Array, rows: number, width: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from(x.subarray(r * width, (r + 1) * width)));
}

/** Class indices (binary 0/1, multiclass the hot index) or the standardised target. */
function labelsOf(data: TrainingSet, kind: OutputKind): number[] {
  const { y, count } = data.train;
  const k = data.outputWidth;
  if (kind === 'regression') return Array.from(y.subarray(0, count));
  if (kind === 'binary') return Array.from(y.subarray(0, count), (v) => (v >= 0.5 ? 1 : 0));
  return Array.from({ length: count }, (_, r) => y.subarray(r * k, (r + 1) * k).indexOf(1));
}

/** The module stored models are read into: predicting draws no random numbers, so loads share one. */
let shared: LibSvm | null = null;

class SvmPredictor implements Predictor {
  private readonly model: LibSvmModel;

  constructor(private readonly state: SvmState, private readonly width: number) {
    shared ??= freshLibSvm();
    this.model = shared.load(state.model);
  }

  async predict(x: Float32Array, rows: number): Promise<Float32Array> {
    const samples = rowsOf(x, rows, this.width);
    const out = new Float32Array(rows * this.state.k);
    if (this.state.kind === 'regression') {
      this.model.predict(samples).forEach((value, r) => { out[r] = value; });
      return out;
    }
    this.model.predictProbability(samples).forEach(({ estimates }, r) => {
      if (this.state.kind === 'binary') out[r] = estimates.find((e) => e.label === 1)?.probability ?? 0;
      else for (const e of estimates) out[r * this.state.k + e.label] = e.probability;
    });
    return out;
  }

  async serialise(): Promise<SerialisedModel> {
    return { state: this.state, bytes: new ArrayBuffer(0) };
  }

  nativeImportance(): null {
    return null;
  }

  dispose(): void {
    this.model.free();
  }
}

export const svm: Algorithm = {
  architecture: 'SVM',
  tasks: TASKS_BY_ARCHITECTURE.SVM,
  hyperparameters: ['kernel', 'cost', 'gamma', 'degree', 'classWeighting'],
  defaults: { kernel: 'RBF', cost: 1, gamma: null, degree: 3 },
  description: `A support vector machine (libsvm): C-SVC with probability estimates for classification, epsilon-SVR for regression; at most ${MAX_SVM_ROWS.toLocaleString('en-US')} training rows.`,
  maxTrainingRows: MAX_SVM_ROWS,

  validate: (hp: HyperparameterValues) => [
    ...numberProblem(hp, 'cost', 0, 1e6),
    ...numberProblem(hp, 'gamma', 0, 1e6),
    ...integerProblem(hp, 'degree', 1, 10),
  ],

  async train(data: TrainingSet, hp: HyperparameterValues, _seed: number, callbacks): Promise<Predictor> {
    const kind = taskKind(data.task);
    const { train, validation, inputWidth: width, outputWidth: k } = data;
    const SVM = freshLibSvm();
    const weight = kind !== 'regression' && data.classWeight ? data.classWeight : undefined;
    const trainer = new SVM({
      type: kind === 'regression' ? SVM.SVM_TYPES.EPSILON_SVR : SVM.SVM_TYPES.C_SVC,
      kernel: SVM.KERNEL_TYPES[KERNELS[hp.kernel]],
      cost: hp.cost, gamma: hp.gamma ?? 1 / width, degree: hp.degree,
      probabilityEstimates: kind !== 'regression', quiet: true, ...(weight ? { weight } : {}),
    });
    let state: SvmState;
    try {
      trainer.train(rowsOf(train.x, train.count, width), labelsOf(data, kind));
      state = { format: 'libsvm', kind, k, model: trainer.serializeModel() };
    } finally {
      trainer.free();
    }
    const model = new SvmPredictor(state, width);
    const loss = async (part: TrainingSet['train']) => outputLoss(kind, part.y, Float64Array.from(await model.predict(part.x, part.count)), part.count, k);
    const metrics: Record<string, number> = { loss: await loss(train) };
    if (validation.count > 0) metrics.val_loss = await loss(validation);
    await callbacks.onStep({ step: 1, totalSteps: 1, metrics });
    return model;
  },

  async load(model: SerialisedModel, shape): Promise<Predictor> {
    return new SvmPredictor(model.state as SvmState, shape.inputWidth);
  },
};
