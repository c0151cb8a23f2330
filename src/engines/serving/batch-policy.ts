/**
 * When an adaptive micro-batch goes to the model, after the CORK dispatcher of BentoML
 * (bentoml/_internal/marshal/dispatcher.py, `CorkDispatcher.controller`): it holds a batch while
 * the model is busy (a call in flight could not take it anyway), and otherwise waits only while
 * waiting is expected to pay and the oldest request's extra latency stays within a bound.
 *
 * A forward pass here runs on the event loop and blocks it, so the requests that arrive during
 * one call are read together after it and make the next batch by themselves. Waiting is first
 * counted in event-loop turns: one more turn (setImmediate) lets the requests whose sockets are
 * already readable join, at no cost when there are none. A timer (1 ms at least, in Node) is
 * set only when the next request is expected sooner than a call's fixed cost: then waiting for
 * it costs less than the call it saves.
 */

/** What the batcher knows when it decides, all times in milliseconds. */
export interface BatchView {
  /** A call of this batcher is still running. */
  busy: boolean;
  /** How long the batch's oldest request has waited. */
  waitedMs: number;
  /** Requests and rows that joined during the last turn (for the first decision: since the batch opened). */
  arrivedRequests: number;
  arrivedRows: number;
  /** How long that turn took. */
  lastTurnMs: number;
  /** The fitted cost of a call (see BatchCostModel). */
  fixedMs: number;
  perRowMs: number;
  /** MICRO_BATCH_MAX_DELAY_MS: the most a request may wait for others. */
  maxDelayMs: number;
  /** The expected time to the next request (the mean gap between recent ones; +Infinity before two). */
  gapMs: number;
  /** The shortest wait a timer gives (1 ms in Node). */
  timerMs: number;
}

/** Send now; wait one more event-loop turn; wait `ms` for the next request; or hold until the call in flight ends (at most `ms`). */
export type BatchStep = { kind: 'send' } | { kind: 'turn' } | { kind: 'wait'; ms: number } | { kind: 'hold'; ms: number };

export function nextBatchStep(view: BatchView): BatchStep {
  const { busy, waitedMs, arrivedRequests, arrivedRows, lastTurnMs, fixedMs, perRowMs, maxDelayMs, gapMs, timerMs } = view;
  // A busy model: holding costs nothing the model could have saved. Bounded, so that a slow or
  // hung call (a model on another thread) makes the next batch overlap it rather than starve it.
  if (busy) return waitedMs < maxDelayMs ? { kind: 'hold', ms: maxDelayMs - waitedMs } : { kind: 'send' };
  if (arrivedRequests === 0) {
    // Nobody is readable now: wait for the next request only if it is expected before the wait
    // costs as much as the call it saves, and (with the row it adds) within the bound.
    const wait = Math.max(gapMs, timerMs);
    return wait < fixedMs && waitedMs + wait + perRowMs <= maxDelayMs ? { kind: 'wait', ms: wait } : { kind: 'send' };
  }
  // A turn longer than a call's fixed cost delays this batch by more than it can save the next one.
  if (lastTurnMs >= fixedMs) return { kind: 'send' };
  // The bound: another turn like the last, and the rows it is expected to add, on top of the wait so far.
  if (waitedMs + lastTurnMs + perRowMs * arrivedRows > maxDelayMs) return { kind: 'send' };
  return { kind: 'turn' };
}
