import { createRandom } from './random';

/**
 * The search space of a sweep and the three ways to draw trials from it: GRID (every
 * combination, in order), RANDOM (independent draws) and BAYESIAN (a small TPE: once a few trials
 * have finished, each parameter is drawn where the good trials lie rather than the bad ones).
 * Everything is seeded: the same seed and the same finished trials give the same next trial.
 */
export type ParameterSpec =
  | { name: string; kind: 'VALUES'; values: unknown[] }
  | { name: string; kind: 'UNIFORM' | 'LOG_UNIFORM'; min: number; max: number }
  | { name: string; kind: 'INT_UNIFORM'; min: number; max: number };

export type SearchMethod = 'GRID' | 'RANDOM' | 'BAYESIAN';
export type Trial = Record<string, unknown>;
/** A finished trial: its parameters and its metric, where lower is better (negate to maximise). */
export interface Scored { parameters: Trial; loss: number }

/** How many trials GRID can give: the product of the value lists' lengths. */
export function gridSize(space: ParameterSpec[]): number {
  return space.reduce((size, p) => size * (p.kind === 'VALUES' ? p.values.length : Infinity), 1);
}

/** The `index`th combination of the grid, the last parameter varying fastest. */
export function gridTrial(space: ParameterSpec[], index: number): Trial {
  const trial: Trial = {};
  let rest = index;
  for (let i = space.length - 1; i >= 0; i--) {
    const p = space[i];
    if (p.kind !== 'VALUES') throw new Error(`GRID needs values for ${p.name}`);
    trial[p.name] = p.values[rest % p.values.length];
    rest = Math.floor(rest / p.values.length);
  }
  return trial;
}

/** A generator of its own per trial: trial k's draws do not depend on how many came before. */
const randomFor = (seed: number, index: number) => createRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);

function draw(p: ParameterSpec, random: () => number): unknown {
  switch (p.kind) {
    case 'VALUES': return p.values[Math.floor(random() * p.values.length)];
    case 'UNIFORM': return p.min + random() * (p.max - p.min);
    case 'LOG_UNIFORM': return Math.exp(Math.log(p.min) + random() * (Math.log(p.max) - Math.log(p.min)));
    case 'INT_UNIFORM': return p.min + Math.floor(random() * (p.max - p.min + 1));
  }
}

export function randomTrial(space: ParameterSpec[], seed: number, index: number): Trial {
  const random = randomFor(seed, index);
  return Object.fromEntries(space.map((p) => [p.name, draw(p, random)]));
}

/** TPE settings: random trials before the model is used, the share of trials called good, candidates scored per parameter. */
export const TPE = { startupTrials: 5, gamma: 0.25, candidates: 24 };

/**
 * Tree-structured Parzen estimation (Bergstra et al., 2011), one parameter at a time as hyperopt
 * does: the finished trials are split into the best `gamma` and the rest; candidates are drawn
 * around good trials (a Gaussian kernel in the parameter's own, or log, scale; categories by
 * smoothed frequency), and the one with the highest l(x)/g(x), good density over bad, is taken.
 * Fewer than TPE.startupTrials finished trials: a random trial.
 */
export function bayesianTrial(space: ParameterSpec[], seed: number, index: number, history: Scored[]): Trial {
  if (history.length < TPE.startupTrials) return randomTrial(space, seed, index);
  const random = randomFor(seed, index);
  const sorted = [...history].sort((a, b) => a.loss - b.loss);
  const cut = Math.max(1, Math.ceil(TPE.gamma * sorted.length));
  const good = sorted.slice(0, cut).map((s) => s.parameters);
  const bad = sorted.slice(cut).map((s) => s.parameters);
  const trial: Trial = {};
  for (const p of space) {
    if (p.kind === 'VALUES') {
      // Smoothed category frequencies among good and bad trials.
      const weight = (set: Trial[], value: unknown) => (set.filter((t) => JSON.stringify(t[p.name]) === JSON.stringify(value)).length + 1) / (set.length + p.values.length);
      let best = p.values[0];
      let bestScore = -Infinity;
      for (let c = 0; c < TPE.candidates; c++) {
        const candidate = good.length && random() < 0.8 ? good[Math.floor(random() * good.length)][p.name] : p.values[Math.floor(random() * p.values.length)];
        const score = weight(good, candidate) / weight(bad, candidate);
        if (score > bestScore) { bestScore = score; best = candidate; }
      }
      trial[p.name] = best;
      continue;
    }
    const log = p.kind === 'LOG_UNIFORM';
    const to = (x: number) => (log ? Math.log(x) : x);
    const from = (x: number) => (log ? Math.exp(x) : x);
    const low = to(p.min);
    const high = to(p.max);
    // Bandwidth: a sixth of the range shrinking with the number of points, never zero.
    const bandwidth = (n: number) => Math.max((high - low) / 6 / Math.sqrt(Math.max(1, n)), (high - low) * 1e-3);
    const density = (points: number[], x: number) => {
      const h = bandwidth(points.length);
      const prior = 1 / (high - low); // a flat prior keeps an empty set meaningful
      const kernels = points.reduce((sum, m) => sum + Math.exp(-0.5 * ((x - m) / h) ** 2) / (h * Math.sqrt(2 * Math.PI)), 0);
      return (kernels + prior) / (points.length + 1);
    };
    const goodPoints = good.map((t) => to(Number(t[p.name])));
    const badPoints = bad.map((t) => to(Number(t[p.name])));
    let best = low;
    let bestScore = -Infinity;
    for (let c = 0; c < TPE.candidates; c++) {
      const centre = goodPoints[Math.floor(random() * goodPoints.length)];
      // Box–Muller around a good point, kept in range.
      const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      const x = Math.min(high, Math.max(low, centre + gaussian * bandwidth(goodPoints.length)));
      const score = density(goodPoints, x) / density(badPoints, x);
      if (score > bestScore) { bestScore = score; best = x; }
    }
    trial[p.name] = p.kind === 'INT_UNIFORM' ? Math.min(p.max, Math.max(p.min, Math.round(best))) : from(best);
  }
  return trial;
}

/** The trial of index `index` by `method` (GRID's index must be below gridSize). */
export function nextTrial(method: SearchMethod, space: ParameterSpec[], seed: number, index: number, history: Scored[]): Trial {
  if (method === 'GRID') return gridTrial(space, index);
  if (method === 'RANDOM') return randomTrial(space, seed, index);
  return bayesianTrial(space, seed, index, history);
}
