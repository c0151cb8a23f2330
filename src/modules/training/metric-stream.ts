import type { MetricEvent } from './metric.types';
import { boundedStream } from '../../engines/events/bounded-stream';
import { releasing } from '../../engines/events/releasing';
import type { EventBus } from '../shared/topics';
import type { MetricStore } from './metric-store';

/** Events a metrics subscriber may fall behind before it is cut off. */
const SUBSCRIBER_BUFFER = 10_000;

/**
 * Stored points after `sinceStep`, then live ones, with no gap and no duplicate at the seam:
 * the live subscription opens BEFORE the stored points are read, and live points at or below a
 * series' last replayed step are skipped.
 */
export function metricStream(sources: { events: EventBus; metricStore: MetricStore }, runId: string, sinceStep: number, names: string[] | null): AsyncIterableIterator<MetricEvent> {
  const live = sources.events.subscribe('TRAINING_METRICS', runId)[Symbol.asyncIterator]();
  return releasing(replayThenLive(sources.metricStore, live, runId, sinceStep, names), live);
}

async function* replayThenLive(metricStore: MetricStore, live: AsyncIterator<MetricEvent>, runId: string, sinceStep: number, names: string[] | null): AsyncGenerator<MetricEvent> {
  const stream = boundedStream(live, SUBSCRIBER_BUFFER);
  // Starting the bounded pump subscribes at once; its first value is awaited after the replay.
  let nextLive = stream.next();
  const wanted = (p: MetricEvent) => !names || names.includes(p.name);
  const lastStep = new Map<string, number>();
  try {
    for (const point of await metricStore.since(runId, sinceStep)) {
      lastStep.set(point.name, point.step);
      if (wanted(point)) yield point;
    }
    for (;;) {
      const result = await nextLive;
      if (result.done) return;
      nextLive = stream.next();
      const point = result.value;
      if (point.step <= sinceStep || point.step <= (lastStep.get(point.name) ?? -1)) continue;
      lastStep.set(point.name, point.step);
      if (wanted(point)) yield point;
    }
  } finally {
    await stream.return(undefined);
  }
}
