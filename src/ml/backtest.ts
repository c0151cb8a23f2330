import { mean, sampleStandardDeviation } from 'simple-statistics';

/**
 * Back-test maths: a walk-forward trading simulation over precomputed forecasts, the performance
 * figures of an equity curve, and a credit-approval profit curve. Pure functions; the figures are
 * the usual definitions, stated at each, so a validator can recompute them.
 */

export type TradingStrategy = 'LONG_ONLY' | 'LONG_SHORT';

export interface TradingInput {
  /** Prices in time order. */
  prices: number[];
  /**
   * forecasts[t]: the model's price forecast for step t, made from rows before t only (null for
   * the first steps, which have no full history). The decision for the period t−1 → t uses it
   * and prices[t−1]: nothing at or after t.
   */
  forecasts: (number | null)[];
  strategy: TradingStrategy;
  /** Enter when the predicted return exceeds this (LONG_SHORT: short below its negative). */
  entryThreshold: number;
  /** Share of equity held in the position, 0 to 1. */
  positionSize: number;
  costBps: number;
  slippageBps: number;
  initialCapital: number;
}

/** How a trading strategy turns a predicted return into a position, and what a trade costs. */
export type TradingRules = Pick<TradingInput, 'strategy' | 'entryThreshold' | 'positionSize' | 'costBps' | 'slippageBps'>;

/** Long above the entry threshold, short below its negative (LONG_SHORT), flat otherwise; a ruined account stays flat. */
export function targetPosition(rules: TradingRules, predictedReturn: number, equity: number): number {
  if (equity <= 0) return 0;
  if (predictedReturn > rules.entryThreshold) return rules.positionSize;
  return rules.strategy === 'LONG_SHORT' && predictedReturn < -rules.entryThreshold ? -rules.positionSize : 0;
}

/** |Δposition| × equity × (costs + slippage) in bps. */
export function tradeCost(rules: TradingRules, from: number, to: number, equity: number): number {
  return Math.abs(to - from) * equity * (rules.costBps + rules.slippageBps) / 10_000;
}

export interface Trade {
  /** Index of the step whose period the new position covers. */
  step: number;
  /** The position after the trade: +size, 0 or −size. */
  position: number;
  /** The price at which it traded (prices[step − 1]). */
  price: number;
  predictedReturn: number;
  /** Costs and slippage paid, in money. */
  cost: number;
}

export interface TradingResult {
  /** Equity at each step from the first decision (index 0: the initial capital). */
  equity: number[];
  /** Buy-and-hold's equity over the same steps. */
  benchmark: number[];
  /** The step index each equity point belongs to. */
  steps: number[];
  positions: number[];
  trades: Trade[];
  /** Share of periods held in a position whose return had the position's sign. */
  hitRate: number | null;
  /** Sum of |position changes| (in multiples of equity), per year. */
  turnover: number;
}

/**
 * Walks forward from the first step with a forecast: at each step t the position for the period
 * t−1 → t is set from forecasts[t] and prices[t−1]; a change of position pays
 * |Δposition| × equity × (costBps + slippageBps) / 10,000; equity then moves by
 * position × (prices[t] / prices[t−1] − 1). Buy-and-hold holds 1 × equity from the same start.
 */
export function tradingBacktest(input: TradingInput, periodsPerYear: number): TradingResult {
  const { prices, forecasts, initialCapital } = input;
  const first = forecasts.findIndex((f, t) => f !== null && t >= 1);
  if (first < 0) return { equity: [initialCapital], benchmark: [initialCapital], steps: [0], positions: [0], trades: [], hitRate: null, turnover: 0 };
  const equity = [initialCapital];
  const benchmark = [initialCapital];
  const steps = [first - 1];
  const positions = [0];
  const trades: Trade[] = [];
  let position = 0;
  let held = 0;
  let hits = 0;
  let traded = 0;
  for (let t = first; t < prices.length; t++) {
    const previous = prices[t - 1];
    const forecast = forecasts[t];
    const predicted = forecast === null ? 0 : forecast / previous - 1;
    let value = equity[equity.length - 1];
    const target = targetPosition(input, predicted, value);
    if (target !== position) {
      const cost = tradeCost(input, position, target, value);
      value -= cost;
      traded += Math.abs(target - position);
      trades.push({ step: t, position: target, price: previous, predictedReturn: predicted, cost });
      position = target;
    }
    const realised = prices[t] / previous - 1;
    value *= 1 + position * realised;
    // A short can lose more than the account holds: it is ruined, and trades no more.
    if (value <= 0) {
      value = 0;
      position = 0;
    }
    if (position !== 0) {
      held++;
      if (position * realised > 0) hits++;
    }
    equity.push(value);
    benchmark.push(benchmark[benchmark.length - 1] * (1 + realised));
    steps.push(t);
    positions.push(position);
  }
  const years = (equity.length - 1) / periodsPerYear;
  return { equity, benchmark, steps, positions, trades, hitRate: held ? hits / held : null, turnover: years > 0 ? traded / years : 0 };
}

export interface Performance {
  totalReturn: number;
  /** (end / start)^(periodsPerYear / periods) − 1; −1 for a ruined account. */
  cagr: number;
  /** Sample standard deviation of period returns × √periodsPerYear. */
  volatility: number;
  /** Mean period return / its sample standard deviation × √periodsPerYear (risk-free rate 0); null when returns do not vary. */
  sharpe: number | null;
  /** Mean period return / downside deviation √(mean(min(r, 0)²)) × √periodsPerYear; null without a losing period. */
  sortino: number | null;
  /** Largest fall from a running peak, as a share of the peak (0.2 = 20 %). */
  maxDrawdown: number;
  /** Longest stretch, in periods, spent below a previous peak. */
  maxDrawdownPeriods: number;
  /** CAGR / max drawdown; null without a drawdown. */
  calmar: number | null;
}

/** Period returns of an equity curve: equity[i] / equity[i − 1] − 1. */
export function periodReturns(equity: number[]): number[] {
  return equity.slice(1).map((value, i) => (equity[i] > 0 ? value / equity[i] - 1 : 0));
}

export function performance(equity: number[], periodsPerYear: number): Performance {
  const returns = periodReturns(equity);
  const n = returns.length;
  const totalReturn = equity[equity.length - 1] / equity[0] - 1;
  const growth = equity[equity.length - 1] / equity[0];
  const cagr = n > 0 ? (growth > 0 ? growth ** (periodsPerYear / n) - 1 : -1) : 0;
  const std = n >= 2 ? sampleStandardDeviation(returns) : 0;
  const average = n > 0 ? mean(returns) : 0;
  const downside = n > 0 ? Math.sqrt(mean(returns.map((r) => Math.min(r, 0) ** 2))) : 0;
  let peak = equity[0];
  let maxDrawdown = 0;
  let below = 0;
  let maxDrawdownPeriods = 0;
  for (const value of equity) {
    if (value >= peak) {
      peak = value;
      below = 0;
    } else {
      below++;
      maxDrawdownPeriods = Math.max(maxDrawdownPeriods, below);
      maxDrawdown = Math.max(maxDrawdown, (peak - value) / peak);
    }
  }
  const annual = Math.sqrt(periodsPerYear);
  return {
    totalReturn, cagr, volatility: std * annual,
    sharpe: std > 0 ? (average / std) * annual : null,
    sortino: downside > 0 ? (average / downside) * annual : null,
    maxDrawdown, maxDrawdownPeriods,
    calmar: maxDrawdown > 0 ? cagr / maxDrawdown : null,
  };
}

/** Periods per year from timestamps (ms): 365.25 days over the median gap. */
export function periodsPerYearOf(times: number[]): number {
  const gaps = times.slice(1).map((t, i) => t - times[i]).filter((g) => g > 0).sort((a, b) => a - b);
  if (gaps.length === 0) return 252;
  const median = gaps[Math.floor(gaps.length / 2)];
  return (365.25 * 86_400_000) / median;
}

export interface ThresholdPoint {
  threshold: number;
  approvalRate: number;
  /** Bad loans among approved ones (null when none is approved). */
  badRate: number | null;
  expectedProfit: number;
}

/**
 * Credit approval over a sweep of thresholds: a loan is approved when its probability of being
 * good is at least the threshold; each approved good loan earns `profitPerGood`, each approved
 * bad one costs `lossPerBad`. The best threshold maximises the profit (the lowest such threshold
 * on ties).
 */
export function creditCurve(goodProbability: number[], good: boolean[], profitPerGood: number, lossPerBad: number, thresholds = Array.from({ length: 101 }, (_, i) => i / 100)): { curve: ThresholdPoint[]; best: ThresholdPoint } {
  const curve = thresholds.map((threshold) => {
    let approved = 0;
    let bad = 0;
    for (let i = 0; i < goodProbability.length; i++) {
      if (goodProbability[i] < threshold) continue;
      approved++;
      if (!good[i]) bad++;
    }
    return {
      threshold,
      approvalRate: goodProbability.length ? approved / goodProbability.length : 0,
      badRate: approved ? bad / approved : null,
      expectedProfit: (approved - bad) * profitPerGood - bad * lossPerBad,
    };
  });
  const best = curve.reduce((a, b) => (b.expectedProfit > a.expectedProfit ? b : a));
  return { curve, best };
}
