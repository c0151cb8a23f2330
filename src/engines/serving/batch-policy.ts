/**
 * When an adaptive micro-batch goes to the model, after the CORK dispatcher of BentoML
 * (bentoml/_internal/marshal/dispatcher.py, `CorkDispatcher.controller`): it holds a batch while
 * the model is busy (a call in flight could not take it anyway), and otherwise waits only while
 * waiting is expected to pay and the oldest request's extra latency stays within a bound.
 *
 * Unlike CORK, an idle model never waits on a timer. Here a forward pass runs on the event loop
 * and blocks it, so the requests that arrive during one call are read together after it and
 * make the next batch by themselves; a timer while the model is idle would only leave the loop
 * idle too (and under a closed loop of clients, wait for requests that cannot come before an
 * answer). Waiting is counted in event-loop turns instead: one more turn (setImmediate) lets the
 * requests whose sockets are already readable join.
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
}

/** Send now; wait one more event-loop turn; or hold until the call in flight ends (at most `ms`). */
export type BatchStep = { kind: 'send' } | { kind: 'turn' } | { kind: 'hold'; ms: number };

export function nextBatchStep(view: BatchView): BatchStep {
  const { busy, waitedMs, arrivedRequests, arrivedRows, lastTurnMs, fixedMs, perRowMs, maxDelayMs } = view;
  // A busy model: holding costs nothing the model could have saved. Bounded, so that a slow or
  // hung call (a model on another thread) makes the next batch overlap it rather than starve it.
  if (busy) return waitedMs < maxDelayMs ? { kind: 'hold', ms: maxDelayMs - waitedMs } : { kind: 'send' };
  // The arrivals have stopped: the next turn is expected to bring nobody.
  if (arrivedRequests === 0) return { kind: 'send' };
  // A turn longer than a call's fixed cost delays this batch by more than it can save the next one.
  if (lastTurnMs >= fixedMs) return { kind: 'send' };
  // The bound: another turn like the last, and the rows it is expected to add, on top of the wait so far.
  if (waitedMs + lastTurnMs + perRowMs * arrivedRows > maxDelayMs) return { kind: 'send' };
  return { kind: 'turn' };
}
