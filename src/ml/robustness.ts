/**
 * Perturbations of input rows for robustness analysis. Each returns new rows (the input is never
 * changed) and is seeded, so a report can be reproduced. `std` of a numeric feature is its
 * standard deviation over the rows given.
 */
export type Row = Record<string, unknown>;

export interface StressChange { feature: string; multiply?: number | null; add?: number | null }

const numeric = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** Standard deviation of a feature's numeric values (population). */
export function stdOf(rows: Row[], feature: string): number {
  const values = rows.map((r) => numeric(r[feature])).filter((v): v is number => v !== null);
  if (values.length === 0) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
}

/** Adds Gaussian noise of k × std to each numeric feature named. k = 0 changes nothing. */
export function withNoise(rows: Row[], features: string[], k: number, random: () => number): Row[] {
  const stds = Object.fromEntries(features.map((f) => [f, stdOf(rows, f)]));
  return rows.map((row) => {
    const copy = { ...row };
    for (const f of features) {
      const v = numeric(row[f]);
      if (v === null || k === 0) continue;
      const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      copy[f] = v + gaussian * k * stds[f];
    }
    return copy;
  });
}

/** Blanks each named feature of each row with probability `rate` (served models impute them). */
export function withMissing(rows: Row[], features: string[], rate: number, random: () => number): Row[] {
  return rows.map((row) => {
    const copy = { ...row };
    for (const f of features) if (random() < rate) copy[f] = null;
    return copy;
  });
}

/** Replaces each named category feature, with probability `rate`, by another of its categories. */
export function withCategoryFlips(rows: Row[], categories: Record<string, string[]>, rate: number, random: () => number): Row[] {
  return rows.map((row) => {
    const copy = { ...row };
    for (const [f, values] of Object.entries(categories)) {
      if (values.length < 2 || random() >= rate) continue;
      const others = values.filter((v) => v !== String(row[f]));
      copy[f] = others[Math.floor(random() * others.length)];
    }
    return copy;
  });
}

/** A named stress scenario: each change multiplies and/or shifts a numeric feature ("income −30 %": multiply 0.7). */
export function withStress(rows: Row[], changes: StressChange[]): Row[] {
  return rows.map((row) => {
    const copy = { ...row };
    for (const c of changes) {
      const v = numeric(row[c.feature]);
      if (v === null) continue;
      copy[c.feature] = v * (c.multiply ?? 1) + (c.add ?? 0);
    }
    return copy;
  });
}
