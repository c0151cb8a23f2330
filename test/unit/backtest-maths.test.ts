import { describe, expect, it } from 'vitest';
import { creditCurve, performance, periodsPerYearOf, tradingBacktest, type TradingInput } from '../../src/ml/backtest';

describe('performance figures against a hand-computed series', () => {
  // Returns +10 %, −10 %, +10 %, +10 %; 4 periods a year.
  const equity = [100, 110, 99, 108.9, 119.79];
  const p = performance(equity, 4);

  it('return, CAGR, volatility, Sharpe and Sortino', () => {
    expect(p.totalReturn).toBeCloseTo(0.1979, 12);
    expect(p.cagr).toBeCloseTo(0.1979, 12); // one year: (119.79 / 100)^(4/4) − 1
    // mean 0.05; sample std √((3 × 0.05² + 0.15²) / 3) = 0.1; × √4
    expect(p.volatility).toBeCloseTo(0.2, 12);
    expect(p.sharpe).toBeCloseTo(0.05 / 0.1 * 2, 12);
    // downside deviation √(mean(0, 0.01, 0, 0)) = 0.05
    expect(p.sortino).toBeCloseTo(0.05 / 0.05 * 2, 12);
  });

  it('maximum drawdown, its duration, and Calmar', () => {
    expect(p.maxDrawdown).toBeCloseTo(0.1, 12); // 110 → 99
    expect(p.maxDrawdownPeriods).toBe(2); // 99 and 108.9 are below the 110 peak
    expect(p.calmar).toBeCloseTo(0.1979 / 0.1, 12);
  });

  it('no variation: no Sharpe, no Sortino, no drawdown', () => {
    const flat = performance([100, 100, 100], 12);
    expect(flat).toMatchObject({ totalReturn: 0, sharpe: null, sortino: null, maxDrawdown: 0, calmar: null });
  });

  it('periods per year from the time column', () => {
    const day = 86_400_000;
    expect(periodsPerYearOf([0, day, 2 * day, 3 * day])).toBeCloseTo(365.25, 6);
    expect(periodsPerYearOf([0, 30.4375 * day, 60.875 * day])).toBeCloseTo(12, 6);
  });
});

describe('walk-forward trading', () => {
  const base: TradingInput = {
    prices: [100, 102, 101, 105, 104], forecasts: [null, 103, 100, 106, 103],
    strategy: 'LONG_ONLY', entryThreshold: 0, positionSize: 1, costBps: 10, slippageBps: 0, initialCapital: 1000,
  };

  it('LONG_ONLY: positions, costs, equity, hit rate and buy-and-hold by hand', () => {
    const r = tradingBacktest(base, 252);
    expect(r.positions).toEqual([0, 1, 0, 1, 0]);
    // Step by step: pay 0.1 % of equity per unit of position change, then earn position × return.
    const e1 = (1000 - 1) * (102 / 100);
    const e2 = e1 * (1 - 0.001);
    const e3 = e2 * (1 - 0.001) * (105 / 101);
    const e4 = e3 * (1 - 0.001);
    expect(r.equity.map((v) => Number(v.toFixed(9)))).toEqual([1000, e1, e2, e3, e4].map((v) => Number(v.toFixed(9))));
    expect(r.trades.map((t) => [t.step, t.position, t.price])).toEqual([[1, 1, 100], [2, 0, 102], [3, 1, 101], [4, 0, 105]]);
    expect(r.hitRate).toBe(1);
    expect(r.benchmark.at(-1)).toBeCloseTo(1040, 9);
  });

  it('LONG_SHORT goes short on a predicted fall, paying for the full swing', () => {
    const r = tradingBacktest({ ...base, strategy: 'LONG_SHORT' }, 252);
    expect(r.positions).toEqual([0, 1, -1, 1, -1]);
    const e1 = (1000 - 1) * 1.02;
    const e2 = (e1 - 2 * e1 * 0.001) * (1 - (101 / 102 - 1));
    expect(r.equity[2]).toBeCloseTo(e2, 9);
    expect(r.hitRate).toBe(1); // every period's sign was called right
  });

  it('an entry threshold keeps it out of small predicted moves', () => {
    expect(tradingBacktest({ ...base, entryThreshold: 0.04 }, 252).positions).toEqual([0, 0, 0, 1, 0]);
  });

  it('no look-ahead: corrupting everything after step t changes no decision at or before t', () => {
    const t = 2;
    const corrupt = { ...base, prices: base.prices.map((p, i) => (i > t ? p * 50 : p)), forecasts: base.forecasts.map((f, i) => (i > t ? 1e9 : f)) };
    const clean = tradingBacktest(base, 252);
    const dirty = tradingBacktest(corrupt, 252);
    expect(dirty.positions.slice(0, t + 1)).toEqual(clean.positions.slice(0, t + 1));
    expect(dirty.equity.slice(0, t + 1)).toEqual(clean.equity.slice(0, t + 1));
    expect(dirty.trades.filter((x) => x.step <= t)).toEqual(clean.trades.filter((x) => x.step <= t));
  });
});

describe('credit approval', () => {
  it('approval rate, bad rate and profit per threshold, and the most profitable threshold', () => {
    const { curve, best } = creditCurve([0.9, 0.8, 0.6, 0.4, 0.2], [true, true, false, true, false], 100, 500, [0, 0.5, 0.7, 0.85, 1]);
    expect(curve).toEqual([
      { threshold: 0, approvalRate: 1, badRate: 0.4, expectedProfit: 3 * 100 - 2 * 500 },
      { threshold: 0.5, approvalRate: 0.6, badRate: 1 / 3, expectedProfit: 2 * 100 - 500 },
      { threshold: 0.7, approvalRate: 0.4, badRate: 0, expectedProfit: 200 },
      { threshold: 0.85, approvalRate: 0.2, badRate: 0, expectedProfit: 100 },
      { threshold: 1, approvalRate: 0, badRate: null, expectedProfit: 0 },
    ]);
    expect(best.threshold).toBe(0.7);
  });
});
