import type { MetricEvent } from '../../realtime/pubsub';
import { Repeater } from '@graphql-yoga/subscription';
import { boundedStream } from '../../realtime/bounded-stream';
import type { Services } from '../../services';

/** Events a metrics subscriber may fall behind before it is cut off. */
const SUBSCRIBER_BUFFER = 10_000;

/**
 * Stored points after `sinceStep`, then live ones, with no gap and no duplicate at the seam:
 * the live subscription opens BEFORE the stored points are read, and live points at or below a
 * series' last replayed step are skipped.
 */
export function metricStream(services: Services, runId: string, sinceStep: number, names: string[] | null): AsyncIterable<MetricEvent> {
  // A Repeater, not an async generator: when the client leaves, stop() releases the bus listener at
  // once; a generator would wait for this run's next point (for a finished run, forever).
  return new Repeater<MetricEvent>(async (push, stop) => {
    const live = services.events.subscribe('TRAINING_METRICS', runId)[Symbol.asyncIterator]();
    void stop.then(() => live.return?.());
    const stream = boundedStream(live, SUBSCRIBER_BUFFER);
    // Starting the bounded pump subscribes at once; its first value is awaited after the replay.
    let nextLive = stream.next();
    const wanted = (p: MetricEvent) => !names || names.includes(p.name);
    const lastStep = new Map<string, number>();
    try {
      for (const point of await services.trainingMetrics.since(runId, sinceStep)) {
        lastStep.set(point.name, point.step);
        if (wanted(point)) await push(point);
      }
      for (;;) {
        const result = await nextLive;
        if (result.done) break;
        nextLive = stream.next();
        const point = result.value;
        if (point.step <= sinceStep || point.step <= (lastStep.get(point.name) ?? -1)) continue;
        lastStep.set(point.name, point.step);
        if (wanted(point)) await push(point);
      }
      stop();
    } catch (error) {
      stop(error);
    } finally {
      await stream.return(undefined);
    }
  });
}
