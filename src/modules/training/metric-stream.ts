import { boundedStream } from '../../engines/events/bounded-stream';
import { nextAhead } from '../../engines/events/next-ahead';
import { releasing } from '../../engines/events/releasing';
import type { EventBus } from '../shared/topics';
import type { MetricStore } from './metric-store';
import type { MetricEvent, MetricsEnd } from './metric.types';

/** Events a metrics subscriber may fall behind before it is cut off. */
const SUBSCRIBER_BUFFER = 10_000;

/** Where a metric stream reads from. */
export interface MetricSources {
  events: EventBus;
  metricStore: MetricStore;
  /** True once the run has ended; its stored points are then all there is. */
  hasEnded(runId: string): Promise<boolean>;
}

/**
 * Stored points after `sinceStep`, then live ones, with no gap and no duplicate at the seam: the
 * live subscription opens BEFORE the stored points are read, and live points at or below a
 * series' last replayed step are skipped. The stream completes when the run ends: at once, after
 * the replay, for a run that had already ended; otherwise at the run's end marker, which the
 * training service publishes after its last point.
 */
export function metricStream(sources: MetricSources, runId: string, sinceStep: number, names: string[] | null): AsyncIterableIterator<MetricEvent> {
  const live = sources.events.subscribe('TRAINING_METRICS', runId)[Symbol.asyncIterator]();
  return releasing(replayThenLive(sources, live, runId, sinceStep, names), live);
}

async function* replayThenLive(sources: MetricSources, live: AsyncIterator<MetricEvent | MetricsEnd>, runId: string, sinceStep: number, names: string[] | null): AsyncGenerator<MetricEvent> {
  // When the bus missed events (Redis away) the stream is ended by the transport (sharedSubscribe):
  // the client resumes with its last step, and the replay above fills what was missed.
  const stream = boundedStream(live, SUBSCRIBER_BUFFER);
  // Starting the bounded pump subscribes at once; its first value is awaited after the replay.
  let nextLive = nextAhead(stream);
  const wanted = (p: MetricEvent) => !names || names.includes(p.name);
  const lastStep = new Map<string, number>();
  try {
    // Read after subscribing (confirmed by Redis in the cluster form): a run that ends in between
    // has flushed its points before it ended, and a point published since reaches us live.
    await sources.events.subscribed('TRAINING_METRICS', runId);
    const ended = await sources.hasEnded(runId);
    for (const point of await sources.metricStore.since(runId, sinceStep)) {
      lastStep.set(point.name, point.step);
      if (wanted(point)) yield point;
    }
    if (ended) return;
    for (;;) {
      const result = await nextLive;
      if (result.done) return;
      nextLive = nextAhead(stream);
      const event = result.value;
      if ('end' in event) return;
      if (event.step <= sinceStep || event.step <= (lastStep.get(event.name) ?? -1)) continue;
      lastStep.set(event.name, event.step);
      if (wanted(event)) yield event;
    }
  } finally {
    // The live source first, or the bounded stream's return() would wait behind its pending next().
    await live.return?.();
    await stream.return(undefined);
  }
}
