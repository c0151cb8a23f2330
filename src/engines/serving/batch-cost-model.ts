/**
 * A model call's duration fitted as `perRowMs · rows + fixedMs` by least squares over the last
 * calls, as BentoML's CORK dispatcher fits `o_a · n + o_b` over its last 50 outbound calls
 * (bentoml/_internal/marshal/dispatcher.py, `Optimizer.trigger_refresh`). The adaptive batching
 * policy reads `fixedMs` (what one call more costs, whatever its size) and `perRowMs` (what each
 * row adds to everyone's latency in the batch).
 */
export class BatchCostModel {
  private readonly rows: Float64Array;
  private readonly durations: Float64Array;
  private count = 0;
  private next = 0;
  private fit = { perRowMs: 0, fixedMs: Number.POSITIVE_INFINITY };

  /** `window`: calls kept (50, as CORK keeps). */
  constructor(window = 50) {
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`window must be a positive integer, got ${window}`);
    this.rows = new Float64Array(window);
    this.durations = new Float64Array(window);
  }

  /** Records one call; non-finite or negative figures (a clock that went back) are ignored. */
  record(rows: number, durationMs: number): void {
    if (!(rows > 0) || !(durationMs >= 0) || !Number.isFinite(durationMs)) return;
    this.rows[this.next] = rows;
    this.durations[this.next] = durationMs;
    this.next = (this.next + 1) % this.rows.length;
    this.count = Math.min(this.count + 1, this.rows.length);
    this.refit();
  }

  /** Milliseconds each row adds to a call (≥ 0; 0 until calls of different sizes were seen). */
  get perRowMs(): number {
    return this.fit.perRowMs;
  }

  /** Milliseconds a call costs whatever its size (≥ 0; +Infinity before any call was recorded). */
  get fixedMs(): number {
    return this.fit.fixedMs;
  }

  /** Calls the fit is made from. */
  get samples(): number {
    return this.count;
  }

  /** Closed-form simple regression: at most `window` terms, so refitting on every call is cheap. */
  private refit(): void {
    const n = this.count;
    let sx = 0, sy = 0;
    for (let i = 0; i < n; i++) { sx += this.rows[i]; sy += this.durations[i]; }
    const mx = sx / n, my = sy / n;
    let sxx = 0, sxy = 0;
    for (let i = 0; i < n; i++) {
      const dx = this.rows[i] - mx;
      sxx += dx * dx;
      sxy += dx * (this.durations[i] - my);
    }
    // Calls all of one size say nothing about the slope: the whole cost is then taken as fixed, which
    // errs towards waiting for company (the latency bound still caps the wait). Clamped at 0 as CORK does.
    const perRowMs = sxx > 0 ? Math.max(0, sxy / sxx) : 0;
    this.fit = { perRowMs, fixedMs: Math.max(0, my - perRowMs * mx) };
  }
}
