import { psi, scoreShares } from './drift';

/** Share of paired answers whose labels agree; null without pairs. */
export function labelAgreement(pairs: [string | null, string | null][]): number | null {
  if (pairs.length === 0) return null;
  return pairs.filter(([a, b]) => a === b).length / pairs.length;
}

/** Mean |challenger − live|, and the same relative to |live| (live values near 0 count as 1e-9). */
export function valueDifferences(pairs: [number, number][]): { meanAbsolute: number; meanRelative: number } | null {
  if (pairs.length === 0) return null;
  let absolute = 0;
  let relative = 0;
  for (const [live, challenger] of pairs) {
    const d = Math.abs(challenger - live);
    absolute += d;
    relative += d / Math.max(Math.abs(live), 1e-9);
  }
  return { meanAbsolute: absolute / pairs.length, meanRelative: relative / pairs.length };
}

/**
 * PSI of the challenger's scores against the live version's. Probabilities: ten equal-width bins
 * over [0, 1]; other values: the live values' deciles as bin edges, so each live bin holds a tenth.
 * Null when either side has nothing.
 */
export function scorePsi(live: number[], challenger: number[], probabilities: boolean): number | null {
  const a = live.filter(Number.isFinite);
  const b = challenger.filter(Number.isFinite);
  if (a.length === 0 || b.length === 0) return null;
  if (probabilities) return psi(scoreShares(a), scoreShares(b));
  const sorted = [...a].sort((x, y) => x - y);
  const edges = [...new Set(Array.from({ length: 9 }, (_, i) => sorted[Math.min(sorted.length - 1, Math.floor(((i + 1) * sorted.length) / 10))]))];
  const shares = (values: number[]) => {
    const counts = new Array<number>(edges.length + 1).fill(0);
    for (const v of values) {
      let bin = 0;
      while (bin < edges.length && v >= edges[bin]) bin++;
      counts[bin]++;
    }
    return counts.map((c) => c / values.length);
  };
  return psi(shares(a), shares(b));
}
