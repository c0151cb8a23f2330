import type { OutcomeKind } from '../../core/errors';
import { SlidingWindow, type WindowSummary } from './sliding-window';

/**
 * What the server has served recently: every GraphQL operation, and predict per model. Fed by the
 * request observer (Apollo plugin and graphql-ws) and by the prediction service; read by the
 * health sampler. In memory, per instance.
 */
export class RequestStats {
  readonly requests: SlidingWindow;
  private readonly predicts = new Map<string, SlidingWindow>();

  constructor(private readonly windowSeconds = 60, private readonly now: () => number = Date.now) {
    this.requests = new SlidingWindow(windowSeconds, 2000, now);
  }

  /** One GraphQL operation over HTTP or WebSocket, and how it ended. */
  recordRequest(durationMs: number, outcome: OutcomeKind): void {
    this.requests.add(durationMs, outcome);
  }

  /** One predict call for a model: its latency, how it ended, and its rows. */
  recordPredict(modelId: string, latencyMs: number, outcome: OutcomeKind, rows: number): void {
    let window = this.predicts.get(modelId);
    if (!window) this.predicts.set(modelId, (window = new SlidingWindow(this.windowSeconds, 1000, this.now)));
    window.add(latencyMs, outcome, rows);
  }

  /** Predict summaries of the models served within the window. */
  predictSummaries(): { modelId: string; summary: WindowSummary }[] {
    const out: { modelId: string; summary: WindowSummary }[] = [];
    for (const [modelId, window] of this.predicts) {
      const summary = window.summary();
      if (summary.count > 0) out.push({ modelId, summary });
    }
    return out;
  }
}
