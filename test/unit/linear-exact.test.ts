import { describe, expect, it } from 'vitest';
import type { StepReport, TrainingSet } from '../../src/ml/algorithms/algorithm';
import { exactLinear, exactLogistic, fitLeastSquares, fitLogisticIrls, linearPredictor, linearState } from '../../src/ml/algorithms/linear-exact';
import type { HyperparameterValues } from '../../src/ml/model-spec';
import { createRandom } from '../../src/ml/random';

// 12 rows × 2 columns and binary labels for the logistic checks.
const X = new Float32Array([0.5, 1.0, 1.2, -0.3, -0.7, 0.8, 2.0, 0.1, -1.5, -1.0, 0.3, 0.4, 1.7, 1.1, -0.2, -0.6, 0.9, -1.4, -1.1, 0.2, 0.0, 0.0, 1.4, 0.7]);
const Y = new Float32Array([1, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1]);

/** Gradient of Σ wᵢ logloss + ½λ‖β‖² at (β, b): [∂β…, ∂b]. */
function penalisedGradient(beta: ArrayLike<number>, b: number, lambda: number, weights?: number[]): number[] {
  const g = [lambda * beta[0], lambda * beta[1], 0];
  for (let r = 0; r < 12; r++) {
    const p = 1 / (1 + Math.exp(-(b + beta[0] * X[2 * r] + beta[1] * X[2 * r + 1])));
    const e = (weights ? weights[r] : 1) * (p - Y[r]);
    g[0] += e * X[2 * r];
    g[1] += e * X[2 * r + 1];
    g[2] += e;
  }
  return g;
}

const hp = { epochs: 100, l2: 1, classWeighting: 'NONE' } as HyperparameterValues;

function binarySet(classWeight: Record<number, number> | null = null): TrainingSet {
  return {
    task: 'BINARY_CLASSIFICATION', inputWidth: 2, outputWidth: 1, inputShape: [2],
    train: { x: X, y: Y, count: 12 }, validation: { x: X.slice(0, 8), y: Y.slice(0, 8), count: 4 },
    classWeight, categorical: [false, false], ordered: false,
  };
}

describe('fitLeastSquares', () => {
  it('recovers the coefficients of noiseless data', () => {
    const random = createRandom(7);
    const rows = 40;
    const x = Float32Array.from({ length: rows * 3 }, () => random() * 4 - 2);
    // y = 1.5 + 2·x₀ − 3·x₁ + 0.5·x₂, computed in float64 from the float32 inputs.
    const y = Float64Array.from({ length: rows }, (_, r) => 1.5 + 2 * x[3 * r] - 3 * x[3 * r + 1] + 0.5 * x[3 * r + 2]);
    const fit = fitLeastSquares(x, y, rows, 3, { lambda: 0 });
    expect(Math.abs(fit.intercept - 1.5)).toBeLessThan(1e-9);
    [2, -3, 0.5].forEach((c, j) => expect(Math.abs(fit.coefficients[j] - c)).toBeLessThan(1e-9));
  });

  it('splits a duplicated column evenly (the minimum-norm solution)', () => {
    // Columns 0 and 1 are identical, y = 1 + 4·x₀: any β₀ + β₁ = 4 fits; the least-norm one is 2, 2.
    const x = new Float32Array([1, 1, 2, 2, 3, 3, 5, 5, 8, 8]);
    const y = [5, 9, 13, 21, 33];
    const fit = fitLeastSquares(x, y, 5, 2, { lambda: 0 });
    expect(fit.coefficients[0]).toBeCloseTo(2, 8);
    expect(fit.coefficients[1]).toBeCloseTo(2, 8);
    expect(fit.intercept).toBeCloseTo(1, 8);
  });

  it('applies the ridge penalty on the sum scale', () => {
    // One column: β = Sxy / (Sxx + λ) on centred data. x = 1, 2, 3 (x̄ = 2, Sxx = 2), y = 2, 4, 9 (ȳ = 5, Sxy = 7).
    const fit = fitLeastSquares([1, 2, 3], [2, 4, 9], 3, 1, { lambda: 2 });
    expect(fit.coefficients[0]).toBeCloseTo(7 / (2 + 2 + 1e-10), 12);
    expect(fit.intercept).toBeCloseTo(5 - 2 * fit.coefficients[0], 12);
  });
});

describe('fitLogisticIrls', () => {
  it('reaches the penalised optimum: zero gradient, scikit-learn’s coefficients', async () => {
    const fit = await fitLogisticIrls(X, Y, 12, 2, { lambda: 1, maxIterations: 100 });
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThan(15);
    for (const g of penalisedGradient(fit.coefficients, fit.intercept, 1)) expect(Math.abs(g)).toBeLessThan(1e-10);
    // Obtained once with /usr/bin/python3 (scikit-learn 1.2.1) on X and Y above, as float64 from float32:
    //   LogisticRegression(C=1.0, tol=1e-12, max_iter=100000).fit(X, Y)
    //   → coef_ [[1.424951887043629, 0.01868631612755815]], intercept_ [-0.06721922275086303]
    // lbfgs stops within ~1e-6 of the optimum, so compare to 1e-5.
    expect(fit.coefficients[0]).toBeCloseTo(1.424951887043629, 5);
    expect(fit.coefficients[1]).toBeCloseTo(0.01868631612755815, 5);
    expect(fit.intercept).toBeCloseTo(-0.06721922275086303, 5);
    // An independent Newton iteration in numpy (100 steps of θ ← θ − H⁻¹g on the same objective)
    // gave [1.4249516825829873, 0.01868505740128941, -0.06721786745913057]: to 1e-12.
    expect(Math.abs(fit.coefficients[0] - 1.4249516825829873)).toBeLessThan(1e-12);
    expect(Math.abs(fit.coefficients[1] - 0.01868505740128941)).toBeLessThan(1e-12);
    expect(Math.abs(fit.intercept - -0.06721786745913057)).toBeLessThan(1e-12);
  });

  it('weights rows and scales the penalty by λ', async () => {
    const weights = Array.from(Y, (y) => (y === 1 ? 0.8 : 1.5));
    const fit = await fitLogisticIrls(X, Y, 12, 2, { lambda: 2, weights, maxIterations: 100 });
    for (const g of penalisedGradient(fit.coefficients, fit.intercept, 2, weights)) expect(Math.abs(g)).toBeLessThan(1e-10);
    // scikit-learn: LogisticRegression(C=0.5, tol=1e-12, max_iter=100000).fit(X, Y, sample_weight=weights)
    //   → coef_ [[1.092925297096419, 0.02864283121523169]], intercept_ [-0.4849409163116614]
    expect(fit.coefficients[0]).toBeCloseTo(1.092925297096419, 5);
    expect(fit.coefficients[1]).toBeCloseTo(0.02864283121523169, 5);
    expect(fit.intercept).toBeCloseTo(-0.4849409163116614, 5);
  });

  it('stays finite on separable data (λ floored at 1e-6)', async () => {
    const fit = await fitLogisticIrls([-2, -1, 1, 2], [0, 0, 1, 1], 4, 1, { lambda: 0, maxIterations: 100 });
    expect(Number.isFinite(fit.coefficients[0])).toBe(true);
    expect(fit.coefficients[0]).toBeGreaterThan(5);
  });
});

describe('exactLogistic and exactLinear', () => {
  it('streams one step per Newton iteration with falling training loss', async () => {
    const steps: StepReport[] = [];
    await exactLogistic.train(binarySet(), hp, 1, { onStep: async (s) => { steps.push(s); } });
    expect(steps.length).toBeGreaterThan(2);
    expect(steps.map((s) => s.step)).toEqual(steps.map((_, i) => i + 1));
    expect(steps.every((s) => s.totalSteps === 100 && Number.isFinite(s.metrics.val_loss))).toBe(true);
    for (let i = 1; i < steps.length; i++) expect(steps[i].metrics.loss).toBeLessThanOrEqual(steps[i - 1].metrics.loss + 1e-12);
  });

  it('caps the iterations at epochs', async () => {
    const steps: StepReport[] = [];
    await exactLogistic.train(binarySet(), { ...hp, epochs: 2 }, 1, { onStep: async (s) => { steps.push(s); } });
    expect(steps.map((s) => s.step)).toEqual([1, 2]);
  });

  it('serialises and loads bit-exactly, with |β| importance', async () => {
    const model = await exactLogistic.train(binarySet(), hp, 1, { onStep: async () => {} });
    const queries = Float32Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.3) * 3);
    const before = await model.predict(queries, 100);
    const state: unknown = JSON.parse(JSON.stringify((await model.serialise()).state));
    const loaded = await exactLogistic.load({ state, bytes: new ArrayBuffer(0) }, { task: 'BINARY_CLASSIFICATION', inputWidth: 2, outputWidth: 1, inputShape: [2] });
    expect(new Uint32Array((await loaded.predict(queries, 100)).buffer)).toEqual(new Uint32Array(before.buffer));
    const importance = loaded.nativeImportance()!;
    expect(importance[0] + importance[1]).toBeCloseTo(1, 15);
    expect(importance[0]).toBeGreaterThan(importance[1]);
    await expect(exactLinear.load({ state, bytes: new ArrayBuffer(0) }, { task: 'REGRESSION', inputWidth: 2, outputWidth: 1, inputShape: [2] })).rejects.toThrow(/not an EXACT linear/);
  });

  it('linear regression: one step with MSE, bit-exact reload', async () => {
    const x = new Float32Array([0, 1, 1, 0, 2, 1, 3, 3, -1, 2]);
    const y = Float32Array.from({ length: 5 }, (_, r) => 0.25 + 0.5 * x[2 * r] - 0.125 * x[2 * r + 1]);
    const data: TrainingSet = {
      task: 'REGRESSION', inputWidth: 2, outputWidth: 1, inputShape: [2],
      train: { x, y, count: 5 }, validation: { x, y, count: 5 }, classWeight: null, categorical: [false, false], ordered: false,
    };
    const steps: StepReport[] = [];
    const model = await exactLinear.train(data, { ...hp, l2: 0 }, 1, { onStep: async (s) => { steps.push(s); } });
    expect(steps).toHaveLength(1);
    expect(steps[0].metrics.loss).toBeLessThan(1e-15);
    const before = await model.predict(x, 5);
    const state: unknown = JSON.parse(JSON.stringify((await model.serialise()).state));
    const loaded = await exactLinear.load({ state, bytes: new ArrayBuffer(0) }, { task: 'REGRESSION', inputWidth: 2, outputWidth: 1, inputShape: [2] });
    expect(new Uint32Array((await loaded.predict(x, 5)).buffer)).toEqual(new Uint32Array(before.buffer));
    expect(Array.from(before)).toEqual(Array.from(y));
  });

  it('linearPredictor predicts intercept + x·β', async () => {
    const predictor = linearPredictor(linearState({ coefficients: Float64Array.from([2, -1]), intercept: 0.5 }, 'identity'));
    expect(Array.from(await predictor.predict(new Float32Array([1, 1, 0, 2]), 2))).toEqual([1.5, -1.5]);
  });
});
