import { useEffect, useMemo, useState } from 'preact/hooks';
import { execute, subscribe, type ApiError } from '../api/client';
import { asApiError } from '../api/hooks';
import { graphql } from '../gql';
import type { ConsoleHealthPointFragment } from '../gql/graphql';
import { monitoringHref } from './monitoring-route';
import { Empty, ErrorBox, Facts, formatNumber, formatTime, Section } from '../ui/components';
import { TimeChart } from '../ui/time-chart';

const HealthHistoryDocument = graphql(`
  query ConsoleHealthHistory($from: DateTimeISO!, $to: DateTimeISO!, $resolutionSeconds: Int!) {
    healthHistory(from: $from, to: $to, resolutionSeconds: $resolutionSeconds) { ...ConsoleHealthPoint }
  }
  fragment ConsoleHealthPoint on HealthSnapshot {
    at instance windowSeconds requestRate errorRate clientErrorRate cpuPercent rssMb heapUsedMb eventLoopLagMs
    latencyMs { p50 p95 p99 }
    httpConnections webSocketConnections trainingsRunning trainingsQueued trainingsFailed workersLost
    databaseSizeMb diskFreeMb diskFreePercent
    predictions { modelId model { id name } requestRate rowRate errorRate clientErrorRate latencyMs { p95 p99 } }
  }
`);

const HealthSnapshotsDocument = graphql(`
  subscription ConsoleHealthSnapshots {
    healthSnapshots { ...ConsoleHealthPoint }
  }
`);

type Point = ConsoleHealthPointFragment;

/** The windows the history can show, with the bucket each is averaged over. */
const WINDOWS = [
  { value: '900', label: 'Last 15 minutes', resolution: 15 },
  { value: '3600', label: 'Last hour', resolution: 60 },
  { value: '86400', label: 'Last 24 hours', resolution: 600 },
  { value: '604800', label: 'Last 7 days', resolution: 3600 },
];
/** The most points a chart keeps (live ones push the oldest out). */
const MAX_POINTS = 2000;

/**
 * The server's health: the stored history of the chosen window first, then every snapshot as it
 * is taken (one instance's: in a cluster each instance samples itself).
 */
function useHealth(windowSeconds: number, resolution: number): { points: Point[]; error: ApiError | null; loading: boolean } {
  const [points, setPoints] = useState<Point[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  useEffect(() => {
    let cancelled = false;
    let history: Point[] = [];
    const early: Point[] = [];
    let instance: string | null = null;
    let ready = false;
    setPoints([]);
    setLoading(true);
    setError(null);
    const append = (point: Point) => {
      instance ??= point.instance;
      if (point.instance !== instance) return;
      setPoints((current) => {
        const last = current[current.length - 1];
        if (last && Date.parse(point.at) <= Date.parse(last.at)) return current;
        const next = [...current, point];
        return next.length > MAX_POINTS ? next.slice(next.length - MAX_POINTS) : next;
      });
    };
    // Subscribe first, so no snapshot falls between the history and the stream.
    const stop = subscribe(HealthSnapshotsDocument, {}, {
      next: ({ healthSnapshots }) => {
        if (cancelled) return;
        if (ready) append(healthSnapshots);
        else early.push(healthSnapshots);
      },
      error: (failure) => { if (!cancelled) setError(failure); },
    });
    const to = new Date(Date.now() + 1000);
    execute(HealthHistoryDocument, { from: new Date(to.getTime() - windowSeconds * 1000).toISOString(), to: to.toISOString(), resolutionSeconds: resolution }).then(
      ({ healthHistory }) => {
        if (cancelled) return;
        history = healthHistory.slice(-MAX_POINTS);
        instance = history.length ? history[history.length - 1].instance : null;
        setPoints(history);
      },
      (failure: unknown) => { if (!cancelled) setError(asApiError(failure)); },
    ).finally(() => {
      if (cancelled) return;
      ready = true;
      setLoading(false);
      for (const point of early) append(point);
    });
    return () => {
      cancelled = true;
      stop();
    };
  }, [windowSeconds, resolution]);
  return { points, error, loading };
}

/** Live health charts: latency, errors, CPU, memory, event-loop lag and throughput, and what each model serves. */
export function HealthSection() {
  const [windowValue, setWindowValue] = useState('3600');
  const chosen = WINDOWS.find((w) => w.value === windowValue) ?? WINDOWS[1];
  const { points, error, loading } = useHealth(Number(chosen.value), chosen.resolution);
  const x = useMemo(() => points.map((p) => Date.parse(p.at) / 1000), [points]);
  const column = (pick: (p: Point) => number | null | undefined) => points.map((p) => pick(p) ?? null);
  const latest = points[points.length - 1] ?? null;
  return (
    <Section
      title="Health"
      actions={(
        <div class="toolbar">
          <label for="health-window">History</label>
          <select id="health-window" value={windowValue} onChange={(e) => setWindowValue((e.target as HTMLSelectElement).value)}>
            {WINDOWS.map((w) => <option key={w.value} value={w.value}>{w.label}</option>)}
          </select>
          <span class="live-dot" aria-hidden="true" /> <span class="muted">live</span>
        </div>
      )}
    >
      <ErrorBox error={error} />
      {!loading && points.length === 0 && !error && (
        <Empty>No health snapshots yet: the server takes one every HEALTH_INTERVAL_SECONDS (and stores one every HEALTH_PERSIST_SECONDS); they appear here as they are taken.</Empty>
      )}
      {latest && (
        <p class="muted health-caption">
          Instance <code>{latest.instance}</code>; rates and percentiles over the last {latest.windowSeconds} s; latest snapshot {formatTime(latest.at)}.
        </p>
      )}
      <div class="charts monitoring-charts" data-testid="health-charts">
        <TimeChart time title="Latency of all operations (ms)" x={x} series={[
          { label: 'p50', values: column((p) => p.latencyMs.p50) },
          { label: 'p95', values: column((p) => p.latencyMs.p95) },
          { label: 'p99', values: column((p) => p.latencyMs.p99) },
        ]} />
        <TimeChart time title="Error rate (%)" x={x} series={[
          { label: 'server errors', values: column((p) => p.errorRate * 100) },
          { label: 'client mistakes', values: column((p) => p.clientErrorRate * 100) },
        ]} />
        <TimeChart time title="CPU (% of one core)" x={x} series={[{ label: 'CPU', values: column((p) => p.cpuPercent) }]} />
        <TimeChart time title="Memory (MB)" x={x} series={[
          { label: 'RSS', values: column((p) => p.rssMb) },
          { label: 'heap used', values: column((p) => p.heapUsedMb) },
        ]} />
        <TimeChart time title="Event-loop lag, p99 (ms)" x={x} series={[{ label: 'lag', values: column((p) => p.eventLoopLagMs) }]} />
        <TimeChart time title="Requests per second" x={x} series={[{ label: 'operations', values: column((p) => p.requestRate) }]} />
      </div>
      {latest && <LatestFacts point={latest} />}
    </Section>
  );
}

function LatestFacts({ point }: { point: Point }) {
  return (
    <>
      <h3>Now</h3>
      <Facts items={[
        ['HTTP connections', point.httpConnections],
        ['WebSocket connections', point.webSocketConnections],
        ['Trainings running', point.trainingsRunning],
        ['Trainings queued', point.trainingsQueued],
        ['Trainings failed in the window', point.trainingsFailed],
        ['Workers lost', point.workersLost],
        ['Database size', point.databaseSizeMb == null ? null : `${formatNumber(point.databaseSizeMb, 3)} MB`],
        ['Disk free', point.diskFreeMb == null ? null : `${formatNumber(point.diskFreeMb, 4)} MB (${formatNumber(point.diskFreePercent, 3)} %)`],
      ]} />
      <h3>Serving, per model</h3>
      {point.predictions.length === 0 ? (
        <Empty>No predictions in the last {point.windowSeconds} s: deploy a version and call <code>predict</code>.</Empty>
      ) : (
        <table>
          <caption class="visually-hidden">predict per model in the window</caption>
          <thead><tr>
            <th scope="col">Model</th><th scope="col" class="num">Calls/s</th><th scope="col" class="num">Rows/s</th>
            <th scope="col" class="num">p95 ms</th><th scope="col" class="num">p99 ms</th><th scope="col" class="num">Server errors</th><th scope="col" class="num">Client mistakes</th>
          </tr></thead>
          <tbody>
            {point.predictions.map((m) => (
              <tr key={m.modelId}>
                <th scope="row">{m.model ? <a href={monitoringHref(m.model.id, 'PRODUCTION')}>{m.model.name}</a> : <span class="muted">{m.modelId} (deleted)</span>}</th>
                <td class="num">{formatNumber(m.requestRate, 3)}</td>
                <td class="num">{formatNumber(m.rowRate, 3)}</td>
                <td class="num">{formatNumber(m.latencyMs.p95, 3)}</td>
                <td class="num">{formatNumber(m.latencyMs.p99, 3)}</td>
                <td class="num">{formatNumber(m.errorRate * 100, 3)} %</td>
                <td class="num">{formatNumber(m.clientErrorRate * 100, 3)} %</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
