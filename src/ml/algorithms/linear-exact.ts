/**
 * The EXACT solvers of the linear models, in plain arithmetic (no tfjs): Newton's method (IRLS)
 * for logistic regression and least squares for linear regression. `exactLogistic` and
 * `exactLinear` have the `train`/`load` signatures of an `Algorithm`; the LOGISTIC_REGRESSION and
 * LINEAR_REGRESSION algorithms choose between them and the GRADIENT (tfjs) solver.
 *
 * The penalty. For EXACT, `l2` is λ on the sum-of-losses scale, the intercept never penalised:
 * - logistic: minimise Σᵢ wᵢ·logloss(yᵢ, σ(xᵢβ + b)) + ½·λ·‖β‖², so λ = 1/C of scikit-learn's
 *   LogisticRegression; its default C = 1 is `l2` = 1 ({@link EXACT_LOGISTIC_DEFAULT_L2}).
 *   λ is floored at 1e-6 so separable data still has a finite optimum (`l2` = 0 ≈ no penalty).
 * - linear: minimise Σᵢ wᵢ·(yᵢ − xᵢβ − b)² + λ·‖β‖², scikit-learn's Ridge(alpha=λ); the default
 *   `l2` = 0 is ordinary least squares (LinearRegression). A ridge of 1e-10 is always added for
 *   stability, and directions the data does not determine (collinear columns, e.g. a full one-hot
 *   group beside the intercept) get the minimum-norm solution, as numpy's lstsq gives.
 * (The GRADIENT solver's `l2` is tfjs's per-batch weight penalty, a different scale.)
 *
 * Inputs are standardised numeric columns and 0/1 indicators; the native importance is |β_j|
 * normalised to sum 1.
 */
import { CholeskyDecomposition, EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { HyperparameterValues } from '../model-spec';
import type { EncodedRows, ModelShape, Predictor, SerialisedModel, TrainCallbacks, TrainingSet } from './algorithm';

/** `l2` giving scikit-learn's LogisticRegression() default (C = 1 ⇒ λ = 1). */
export const EXACT_LOGISTIC_DEFAULT_L2 = 1;
/** `l2` giving scikit-learn's LinearRegression() (no penalty). */
export const EXACT_LINEAR_DEFAULT_L2 = 0;
/** The least λ the logistic solver uses. */
export const MIN_LOGISTIC_LAMBDA = 1e-6;
/** Always added to the least-squares normal equations. */
export const STABILITY_RIDGE = 1e-10;
/** Newton stops when no parameter moved by more than this. */
export const IRLS_TOLERANCE = 1e-8;
/** Most Newton iterations, whatever `epochs` says. */
export const MAX_IRLS_ITERATIONS = 100;
/** Cholesky is used when every pivot² exceeds this share of the largest diagonal entry (condition ≲ 1e8). */
const CHOLESKY_TOLERANCE = 1e-8;
/**
 * Eigenvalues of the normal matrix at or below this share of the largest count as 0: a direction
 * in which the data's spread is under 1e-5 of its largest (columns that are copies of each other,
 * or a full one-hot group beside the intercept). Rounding in the Gram sums is far above 1e-16.
 */
const RANK_TOLERANCE = 1e-10;
const LOG_LOSS_EPSILON = 1e-15;

/** A fitted linear model: `intercept + Σ coefficients[j]·x[j]`, through the sigmoid for logistic. */
export interface LinearFit {
  coefficients: Float64Array;
  intercept: number;
  /** Newton iterations taken (1 for least squares). */
  iterations: number;
  /** Whether the tolerance was reached (always true for least squares). */
  converged: boolean;
}

/** Reported after every Newton iteration. */
export interface IrlsIteration {
  /** 1-based. */
  iteration: number;
  coefficients: Float64Array;
  intercept: number;
  /** The penalised objective at these parameters. */
  objective: number;
  /** The largest |change| of a parameter (intercept included) in this iteration. */
  maxChange: number;
}

export interface IrlsOptions {
  /** λ on the sum-of-losses scale (floored at {@link MIN_LOGISTIC_LAMBDA}). */
  lambda: number;
  /** Per-row weights wᵢ (e.g. class weights); 1 each when absent. */
  weights?: ArrayLike<number>;
  /** Most iterations (capped at {@link MAX_IRLS_ITERATIONS}). */
  maxIterations: number;
  /** Stop when max |Δparameter| is below this; {@link IRLS_TOLERANCE} by default. */
  tolerance?: number;
  /** Awaited after every iteration. */
  onIteration?: (report: IrlsIteration) => void | Promise<void>;
}

export interface LeastSquaresOptions {
  /** λ of the ridge penalty on the sum-of-squares scale; 0 for ordinary least squares. */
  lambda: number;
  /** Per-row weights wᵢ; 1 each when absent. */
  weights?: ArrayLike<number>;
}

function checkShape(x: ArrayLike<number>, y: ArrayLike<number>, rows: number, cols: number, weights?: ArrayLike<number>): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 0 || x.length !== rows * cols) {
    throw new RangeError(`x holds ${x.length} values, expected rows (${rows}) × cols (${cols})`);
  }
  if (y.length !== rows) throw new RangeError(`y holds ${y.length} values for ${rows} rows`);
  if (weights && weights.length !== rows) throw new RangeError(`weights holds ${weights.length} values for ${rows} rows`);
}

/**
 * Solves the symmetric positive semi-definite system A·z = b. By Cholesky of A + jitter·I when
 * that is comfortably positive definite (every pivot² above {@link CHOLESKY_TOLERANCE} × the
 * largest diagonal entry); otherwise by the eigen-decomposition of A itself, dropping eigenvalues
 * at or below {@link RANK_TOLERANCE} × the largest, which gives the minimum-norm solution in the
 * directions A leaves (nearly) undetermined instead of amplifying rounding noise along them.
 * @param a Row-major `n × n`, exactly symmetric.
 */
export function solveSymmetric(a: Float64Array, b: Float64Array, n: number, jitter = 0): Float64Array {
  const matrix = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) matrix.set(i, j, a[i * n + j]);
  let largestDiagonal = 0;
  for (let i = 0; i < n; i++) largestDiagonal = Math.max(largestDiagonal, Math.abs(a[i * n + i]));
  const jittered = matrix.clone();
  for (let i = 0; i < n; i++) jittered.set(i, i, jittered.get(i, i) + jitter);
  const cholesky = new CholeskyDecomposition(jittered);
  if (cholesky.isPositiveDefinite()) {
    const l = cholesky.lowerTriangularMatrix;
    let smallestPivot = Infinity;
    for (let i = 0; i < n; i++) smallestPivot = Math.min(smallestPivot, l.get(i, i) ** 2);
    if (smallestPivot > CHOLESKY_TOLERANCE * largestDiagonal) return Float64Array.from(cholesky.solve(Matrix.columnVector(Array.from(b))).getColumn(0));
  }
  const evd = new EigenvalueDecomposition(matrix, { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  const largest = values.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
  const z = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    if (!(values[k] > RANK_TOLERANCE * largest)) continue;
    let projection = 0;
    for (let i = 0; i < n; i++) projection += vectors.get(i, k) * b[i];
    const scale = projection / values[k];
    for (let i = 0; i < n; i++) z[i] += scale * vectors.get(i, k);
  }
  return z;
}

/** `intercept + x_r·β` for every row, in float64. */
function linearPredictors(x: ArrayLike<number>, rows: number, cols: number, coefficients: ArrayLike<number>, intercept: number, out = new Float64Array(rows)): Float64Array {
  for (let r = 0; r < rows; r++) {
    let z = intercept;
    const base = r * cols;
    for (let j = 0; j < cols; j++) z += coefficients[j] * x[base + j];
    out[r] = z;
  }
  return out;
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Σ wᵢ·logloss + ½λ‖β‖², with logloss = softplus(z) − y·z (exact for y in [0, 1]). */
function logisticObjective(z: Float64Array, y: ArrayLike<number>, weights: ArrayLike<number> | undefined, beta: Float64Array, lambda: number): number {
  let sum = 0;
  for (let r = 0; r < z.length; r++) sum += (weights ? weights[r] : 1) * (softplus(z[r]) - y[r] * z[r]);
  let norm = 0;
  for (let j = 0; j < beta.length; j++) norm += beta[j] * beta[j];
  return sum + 0.5 * lambda * norm;
}

/**
 * Penalised logistic regression by Newton's method (IRLS), starting from 0, with step halving
 * whenever a full step would raise the objective. Each iteration solves
 * (Xᵀ W X + λ·diag(1,…,1,0)) Δ = −gradient over the parameters [β, b], W = diag(wᵢ pᵢ (1 − pᵢ)).
 * `y` holds 0/1 labels; `x` is row-major `rows × cols`.
 * @throws RangeError on a shape mismatch; Error when the fit is not finite.
 */
export async function fitLogisticIrls(x: ArrayLike<number>, y: ArrayLike<number>, rows: number, cols: number, options: IrlsOptions): Promise<LinearFit> {
  checkShape(x, y, rows, cols, options.weights);
  const lambda = Math.max(options.lambda, MIN_LOGISTIC_LAMBDA);
  const maxIterations = Math.max(1, Math.min(Math.floor(options.maxIterations), MAX_IRLS_ITERATIONS));
  const tolerance = options.tolerance ?? IRLS_TOLERANCE;
  const weights = options.weights;
  const n = cols + 1; // the parameters: β then the intercept
  let beta = new Float64Array(cols);
  let intercept = 0;
  let z = linearPredictors(x, rows, cols, beta, intercept);
  let objective = logisticObjective(z, y, weights, beta, lambda);
  // The nonzero columns of each row, so one-hot blocks cost only their 1s in the Hessian.
  const nonzero: Int32Array[] = [];
  const scratch = new Int32Array(cols);
  for (let r = 0; r < rows; r++) {
    let count = 0;
    for (let j = 0; j < cols; j++) if (x[r * cols + j] !== 0) scratch[count++] = j;
    nonzero.push(scratch.slice(0, count));
  }

  let converged = false;
  let iteration = 0;
  while (iteration < maxIterations && !converged) {
    iteration++;
    const hessian = new Float64Array(n * n);
    const gradient = new Float64Array(n);
    for (let r = 0; r < rows; r++) {
      const w = weights ? weights[r] : 1;
      const p = sigmoid(z[r]);
      const residual = w * (p - y[r]);
      const curvature = w * p * (1 - p);
      const base = r * cols;
      const nz = nonzero[r];
      for (let a = 0; a < nz.length; a++) {
        const j = nz[a];
        const xj = x[base + j];
        gradient[j] += residual * xj;
        const cx = curvature * xj;
        for (let b = a; b < nz.length; b++) hessian[j * n + nz[b]] += cx * x[base + nz[b]];
        hessian[j * n + cols] += cx;
      }
      gradient[cols] += residual;
      hessian[cols * n + cols] += curvature;
    }
    for (let j = 0; j < cols; j++) {
      gradient[j] += lambda * beta[j];
      hessian[j * n + j] += lambda;
    }
    // Mirror the upper triangle (nonzero lists are ascending, so only j ≤ k was filled).
    for (let j = 0; j < n; j++) for (let k = j + 1; k < n; k++) hessian[k * n + j] = hessian[j * n + k];
    const step = solveSymmetric(hessian, gradient, n);

    // Damped Newton: halve the step until the objective does not rise (a full step almost always does).
    let scale = 1;
    let nextBeta = beta;
    let nextIntercept = intercept;
    let nextZ = z;
    let nextObjective = objective;
    for (let halvings = 0; halvings <= 40; halvings++) {
      nextBeta = beta.map((v, j) => v - scale * step[j]);
      nextIntercept = intercept - scale * step[cols];
      nextZ = linearPredictors(x, rows, cols, nextBeta, nextIntercept);
      nextObjective = logisticObjective(nextZ, y, weights, nextBeta, lambda);
      // A relative slack of 1e-12: near the optimum the objective's change is within rounding.
      if (nextObjective <= objective + 1e-12 * Math.abs(objective) || !Number.isFinite(objective)) break;
      scale /= 2;
    }
    let maxChange = Math.abs(nextIntercept - intercept);
    for (let j = 0; j < cols; j++) maxChange = Math.max(maxChange, Math.abs(nextBeta[j] - beta[j]));
    beta = nextBeta;
    intercept = nextIntercept;
    z = nextZ;
    objective = nextObjective;
    if (!Number.isFinite(objective) || !Number.isFinite(intercept) || beta.some((v) => !Number.isFinite(v))) {
      throw new Error('logistic regression diverged (non-finite parameters)');
    }
    converged = maxChange < tolerance;
    await options.onIteration?.({ iteration, coefficients: beta, intercept, objective, maxChange });
  }
  return { coefficients: beta, intercept, iterations: iteration, converged };
}

/**
 * Weighted (ridge) least squares: minimises Σᵢ wᵢ (yᵢ − xᵢβ − b)² + λ‖β‖² by centring x and y on
 * their weighted means and solving (X̃ᵀ W X̃ + (λ + 1e-10) I) β = X̃ᵀ W ỹ, b = ȳ − x̄·β.
 * Directions the data leaves undetermined get the minimum-norm solution ({@link solveSymmetric}).
 * @throws RangeError on a shape mismatch; Error when the fit is not finite.
 */
export function fitLeastSquares(x: ArrayLike<number>, y: ArrayLike<number>, rows: number, cols: number, options: LeastSquaresOptions): LinearFit {
  checkShape(x, y, rows, cols, options.weights);
  const weights = options.weights;
  let weightTotal = 0;
  let yMean = 0;
  const xMean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const w = weights ? weights[r] : 1;
    weightTotal += w;
    yMean += w * y[r];
    for (let j = 0; j < cols; j++) xMean[j] += w * x[r * cols + j];
  }
  if (!(weightTotal > 0)) throw new RangeError('the weights sum to 0');
  yMean /= weightTotal;
  for (let j = 0; j < cols; j++) xMean[j] /= weightTotal;

  const gram = new Float64Array(cols * cols);
  const moment = new Float64Array(cols);
  const centred = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const w = weights ? weights[r] : 1;
    for (let j = 0; j < cols; j++) centred[j] = x[r * cols + j] - xMean[j];
    const dy = y[r] - yMean;
    for (let j = 0; j < cols; j++) {
      const wx = w * centred[j];
      if (wx === 0) continue;
      moment[j] += wx * dy;
      for (let k = j; k < cols; k++) gram[j * cols + k] += wx * centred[k];
    }
  }
  const lambda = Math.max(options.lambda, 0);
  for (let j = 0; j < cols; j++) {
    gram[j * cols + j] += lambda;
    for (let k = j + 1; k < cols; k++) gram[k * cols + j] = gram[j * cols + k];
  }
  const coefficients = cols > 0 ? solveSymmetric(gram, moment, cols, STABILITY_RIDGE) : new Float64Array(0);
  let intercept = yMean;
  for (let j = 0; j < cols; j++) intercept -= xMean[j] * coefficients[j];
  if (!Number.isFinite(intercept) || coefficients.some((v) => !Number.isFinite(v))) throw new Error('least squares gave non-finite coefficients');
  return { coefficients, intercept, iterations: 1, converged: true };
}

/** A linear model's stored state (JSON: doubles round-trip exactly, so loading predicts bit-identically). */
export interface LinearModelState {
  kind: 'linear';
  /** `logistic`: outputs σ(z), the positive class's probability; `identity`: z (the standardised target). */
  link: 'logistic' | 'identity';
  intercept: number;
  coefficients: number[];
}

/** The float64 outputs of a linear model (σ(z) or z) for `rows` rows. */
export function linearOutputs(state: LinearModelState, x: ArrayLike<number>, rows: number): Float64Array {
  const cols = state.coefficients.length;
  if (x.length !== rows * cols) throw new RangeError(`x holds ${x.length} values, expected rows (${rows}) × ${cols} columns`);
  const z = linearPredictors(x, rows, cols, state.coefficients, state.intercept);
  if (state.link === 'logistic') for (let r = 0; r < rows; r++) z[r] = sigmoid(z[r]);
  return z;
}

/** The state of a fit, for {@link linearPredictor}. */
export function linearState(fit: Pick<LinearFit, 'coefficients' | 'intercept'>, link: LinearModelState['link']): LinearModelState {
  return { kind: 'linear', link, intercept: fit.intercept, coefficients: Array.from(fit.coefficients) };
}

/** A Predictor over a linear model; native importance |β_j| normalised to sum 1. */
export function linearPredictor(state: LinearModelState): Predictor {
  return {
    async predict(x, rows) {
      return Float32Array.from(linearOutputs(state, x, rows));
    },
    async serialise(): Promise<SerialisedModel> {
      return { state: { ...state, coefficients: [...state.coefficients] }, bytes: new ArrayBuffer(0) };
    },
    nativeImportance() {
      const magnitudes = Float64Array.from(state.coefficients, Math.abs);
      const total = magnitudes.reduce((s, v) => s + v, 0);
      if (total > 0) for (let j = 0; j < magnitudes.length; j++) magnitudes[j] /= total;
      return magnitudes;
    },
    dispose() {},
    bestStep: null,
  };
}

function loadLinear(model: SerialisedModel, shape: ModelShape, link: LinearModelState['link']): Predictor {
  const state = model.state as Partial<LinearModelState> | null;
  if (!state || state.kind !== 'linear' || state.link !== link || !Array.isArray(state.coefficients) || typeof state.intercept !== 'number') {
    throw new Error(`not an EXACT ${link === 'logistic' ? 'logistic' : 'linear'} regression model`);
  }
  if (state.coefficients.length !== shape.inputWidth) throw new Error(`model has ${state.coefficients.length} input columns, expected ${shape.inputWidth}`);
  return linearPredictor(state as LinearModelState);
}

function meanLogLoss(state: LinearModelState, part: EncodedRows): number {
  const p = linearOutputs(state, part.x, part.count);
  let sum = 0;
  for (let r = 0; r < part.count; r++) {
    const q = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, p[r]));
    sum -= part.y[r] >= 0.5 ? Math.log(q) : Math.log(1 - q);
  }
  return sum / part.count;
}

function meanSquaredError(state: LinearModelState, part: EncodedRows): number {
  const z = linearOutputs(state, part.x, part.count);
  let sum = 0;
  for (let r = 0; r < part.count; r++) sum += (z[r] - part.y[r]) ** 2;
  return sum / part.count;
}

/**
 * EXACT logistic regression (binary): `l2` is λ (see the file comment; default
 * {@link EXACT_LOGISTIC_DEFAULT_L2}), `epochs` caps the Newton iterations (at most 100), class
 * weights come from `data.classWeight`. One step per iteration: `loss` and `val_loss` are the
 * plain (unweighted, unpenalised) mean log loss of the training and validation rows.
 */
export const exactLogistic = {
  async train(data: TrainingSet, hp: HyperparameterValues, _seed: number, callbacks: TrainCallbacks): Promise<Predictor> {
    if (data.task !== 'BINARY_CLASSIFICATION' || data.outputWidth !== 1) throw new Error(`EXACT logistic regression learns BINARY_CLASSIFICATION, not ${data.task}`);
    const { x, count } = data.train;
    const y = Float64Array.from(data.train.y, (v) => (v >= 0.5 ? 1 : 0));
    const classWeight = data.classWeight;
    const weights = classWeight ? Float64Array.from(y, (label) => classWeight[label] ?? 1) : undefined;
    const maxIterations = Math.max(1, Math.min(Math.floor(hp.epochs), MAX_IRLS_ITERATIONS));
    const fit = await fitLogisticIrls(x, y, count, data.inputWidth, {
      lambda: hp.l2,
      weights,
      maxIterations,
      onIteration: async ({ iteration, coefficients, intercept }) => {
        const state = linearState({ coefficients, intercept }, 'logistic');
        const metrics: Record<string, number> = { loss: meanLogLoss(state, data.train) };
        if (data.validation.count > 0) metrics.val_loss = meanLogLoss(state, data.validation);
        await callbacks.onStep({ step: iteration, totalSteps: maxIterations, metrics });
      },
    });
    return linearPredictor(linearState(fit, 'logistic'));
  },
  async load(model: SerialisedModel, shape: ModelShape): Promise<Predictor> {
    return loadLinear(model, shape, 'logistic');
  },
};

/**
 * EXACT linear regression: `l2` is the ridge λ (default {@link EXACT_LINEAR_DEFAULT_L2}: ordinary
 * least squares). One step: `loss` and `val_loss` are the mean squared error on the standardised target.
 */
export const exactLinear = {
  async train(data: TrainingSet, hp: HyperparameterValues, _seed: number, callbacks: TrainCallbacks): Promise<Predictor> {
    if (data.task !== 'REGRESSION' || data.outputWidth !== 1) throw new Error(`EXACT linear regression learns REGRESSION, not ${data.task}`);
    const fit = fitLeastSquares(data.train.x, data.train.y, data.train.count, data.inputWidth, { lambda: hp.l2 });
    const state = linearState(fit, 'identity');
    const metrics: Record<string, number> = { loss: meanSquaredError(state, data.train) };
    if (data.validation.count > 0) metrics.val_loss = meanSquaredError(state, data.validation);
    await callbacks.onStep({ step: 1, totalSteps: 1, metrics });
    return linearPredictor(state);
  },
  async load(model: SerialisedModel, shape: ModelShape): Promise<Predictor> {
    return loadLinear(model, shape, 'identity');
  },
};
