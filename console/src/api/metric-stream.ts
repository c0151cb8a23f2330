import { useEffect, useRef, useState } from 'preact/hooks';
import { graphql } from '../gql';
import { onReconnect, subscribe, type ApiError } from './client';

const MetricsDocument = graphql(`
  subscription ConsoleRunMetrics($runId: ID!, $sinceStep: Int) {
    trainingMetrics(runId: $runId, sinceStep: $sinceStep) { name step epoch value }
  }
`);

/** A run's metrics as aligned columns: one step axis, one value column per metric name. */
export interface MetricColumns {
  steps: number[];
  series: Map<string, (number | null)[]>;
  /** Whether the stream has ended (the run is over and every point arrived). */
  complete: boolean;
  error: ApiError | null;
}

/**
 * Follows a run's metric points: the stored ones, then live ones. After a lost connection it
 * re-subscribes from the last step it holds (`sinceStep`), and drops any point it already has,
 * so the curve has no gap and no duplicate. Redraws at most once per animation frame.
 */
export function useMetricStream(runId: string): MetricColumns {
  const rows = useRef(new Map<number, Map<string, number>>());
  const lastStep = useRef(-1);
  const [state, setState] = useState<MetricColumns>({ steps: [], series: new Map(), complete: false, error: null });
  useEffect(() => {
    rows.current = new Map();
    lastStep.current = -1;
    let frame = 0;
    let complete = false;
    let error: ApiError | null = null;
    const publish = () => {
      frame = 0;
      const steps = [...rows.current.keys()].sort((a, b) => a - b);
      const names = new Set<string>();
      for (const row of rows.current.values()) for (const name of row.keys()) names.add(name);
      const series = new Map([...names].sort().map((name) => [name, steps.map((step) => rows.current.get(step)!.get(name) ?? null)]));
      setState({ steps, series, complete, error });
    };
    const schedule = () => { frame ||= requestAnimationFrame(publish); };
    let stop = () => {};
    const start = () => {
      stop();
      stop = subscribe(MetricsDocument, { runId, sinceStep: lastStep.current >= 0 ? lastStep.current : null }, {
        next: ({ trainingMetrics: point }) => {
          let row = rows.current.get(point.step);
          if (!row) rows.current.set(point.step, (row = new Map()));
          if (row.has(point.name)) return;
          row.set(point.name, point.value);
          // Points of one step arrive together, so the whole of a lower step is already here.
          lastStep.current = Math.max(lastStep.current, point.step - 1);
          schedule();
        },
        error: (failure) => { error = failure; schedule(); },
        complete: () => { complete = true; schedule(); },
      });
    };
    start();
    const unlisten = onReconnect(() => { if (!complete) start(); });
    return () => {
      unlisten();
      stop();
      cancelAnimationFrame(frame);
    };
  }, [runId]);
  return state;
}
