import { useEffect, useMemo, useState } from 'preact/hooks';
import { Pager, useCursorPages } from '../ui/pager';
import { subscribe, type ApiError } from '../api/client';
import { useMutation, useQuery } from '../api/hooks';
import { useCan } from '../api/viewer';
import { graphql } from '../gql';
import type { ConsoleSweepStateFragment } from '../gql/graphql';
import { href, type Route } from '../router';
import { Badge, Empty, ErrorBox, Facts, formatNumber, formatTime, Loading, Section } from '../ui/components';
import { EChart, type ChartOption } from '../ui/echart';
import { PALETTE } from '../ui/time-chart';
import './sweep.css';

const SweepDocument = graphql(`
  query ConsoleSweep($id: ID!) {
    sweep(id: $id) {
      ...ConsoleSweepState
      createdAt goal metric method parallelism seed maxRuns priority
      model { id name }
      datasetVersion { id version dataset { id name } }
      parameters { name distribution min max values }
      earlyStopping { type warmupEpochs minRuns eta }
    }
  }
  fragment ConsoleSweepState on Sweep {
    id status progress bestValue error finishedAt
    bestRun { id }
    trials { trial runId parameters value status }
    parameterImportance { name correlation }
  }
`);

const SweepUpdatedDocument = graphql(`
  subscription ConsoleSweepUpdated($sweepId: ID!) {
    sweepUpdated(sweepId: $sweepId) { ...ConsoleSweepState }
  }
`);

const CancelSweepDocument = graphql(`
  mutation ConsoleCancelSweep($id: ID!) {
    cancelSweep(id: $id) { ...ConsoleSweepState }
  }
`);

const SweepsDocument = graphql(`
  query ConsoleSweeps($first: Int!, $after: String, $status: SweepStatus) {
    sweeps(first: $first, after: $after, filter: { status: $status }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node {
        id status progress bestValue metric goal method maxRuns createdAt
        model { id name }
        bestRun { id }
      } }
    }
  }
`);

type SweepState = ConsoleSweepStateFragment;
type Trial = SweepState['trials'][number];

/** `#/sweeps` lists the sweeps; `#/sweeps/<id>` is one sweep, live. */
export function SweepsPage({ route }: { route: Route }) {
  return route.parts[1] ? <SweepPage id={route.parts[1]} /> : <SweepList />;
}

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;

function SweepList() {
  const [status, setStatus] = useState<'' | (typeof STATUSES)[number]>('');
  const pages = useCursorPages(JSON.stringify([status]));
  const { data, error, loading } = useQuery(SweepsDocument, { first: 25, after: pages.after, status: status || null });
  const sweeps = data?.sweeps;
  return (
    <>
      <h1>Sweeps</h1>
      <div class="toolbar">
        <label for="sweep-status">Status</label>
        <select id="sweep-status" value={status} onChange={(e) => { setStatus((e.target as HTMLSelectElement).value as typeof status); }}>
          <option value="">any</option>
          {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        {sweeps && <span class="muted">{sweeps.totalCount} sweeps</span>}
      </div>
      <ErrorBox error={error} />
      {loading && !sweeps && <Loading what="sweeps" />}
      {sweeps && sweeps.edges.length === 0 && (
        <Empty>No sweeps {status ? `with status ${status}` : 'yet'}: start one with the <code>startSweep</code> mutation (see <a href="/graphiql">GraphiQL</a>).</Empty>
      )}
      {sweeps && sweeps.edges.length > 0 && (
        <table>
          <caption class="visually-hidden">Sweeps</caption>
          <thead><tr><th scope="col">Sweep</th><th scope="col">Model</th><th scope="col">Metric</th><th scope="col">Goal</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col" class="num">Best</th><th scope="col">Started</th></tr></thead>
          <tbody>
            {sweeps.edges.map(({ node: s }) => (
              <tr key={s.id}>
                <th scope="row"><a href={href('sweeps', s.id)}><code>{s.id}</code></a> <span class="muted">{s.method}</span></th>
                <td><a href={href('models', s.model.id)}>{s.model.name}</a></td>
                <td>{s.metric}</td>
                <td>{s.goal}</td>
                <td><Badge value={s.status} /></td>
                <td>{Math.round(s.progress * 100)} % <span class="muted">of {s.maxRuns}</span></td>
                <td class="num">{s.bestRun ? <a href={href('runs', s.bestRun.id)}>{formatNumber(s.bestValue)}</a> : '—'}</td>
                <td>{formatTime(s.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pages={pages} pageInfo={sweeps?.pageInfo} />
    </>
  );
}

function SweepPage({ id }: { id: string }) {
  const { data, error, loading } = useQuery(SweepDocument, { id });
  const [live, setLive] = useState<SweepState | null>(null);
  const [streamError, setStreamError] = useState<ApiError | null>(null);
  const [ended, setEnded] = useState(false);
  const cancel = useMutation(CancelSweepDocument);
  const can = useCan();
  useEffect(() => {
    setLive(null);
    setEnded(false);
    setStreamError(null);
    // The current state first, then every change; the server completes the stream at the end.
    return subscribe(SweepUpdatedDocument, { sweepId: id }, {
      next: ({ sweepUpdated }) => setLive(sweepUpdated),
      error: setStreamError,
      complete: () => setEnded(true),
    });
  }, [id]);
  if (loading && !data) return <Loading what="the sweep" />;
  const sweep = data?.sweep;
  if (!sweep) return <><h1>Sweep</h1><ErrorBox error={error} />{!error && <Empty>No sweep with id {id}.</Empty>}</>;
  const state: SweepState = live ?? sweep;
  const running = state.status === 'RUNNING';
  const onCancel = async () => {
    const result = await cancel.run({ id });
    if (result) setLive(result.cancelSweep);
  };
  const runIds = state.trials.map((t) => t.runId);
  return (
    <>
      <h1>Sweep <code>{sweep.id}</code> <span class="muted">of</span> <a href={href('models', sweep.model.id)}>{sweep.model.name}</a></h1>
      <div class="status-line" aria-live="polite" data-testid="sweep-status" data-live={ended ? 'ended' : 'live'}>
        <Badge value={state.status} />
        <progress max={1} value={state.progress} aria-label="Progress">{Math.round(state.progress * 100)} %</progress>
        <span data-testid="sweep-progress">{Math.round(state.progress * 100)} %</span>
        <span>{state.trials.length} of at most {sweep.maxRuns} trials</span>
        <span>best {sweep.metric}: <strong data-testid="best-value">{formatNumber(state.bestValue)}</strong>{state.bestRun && <> in <a href={href('runs', state.bestRun.id)}>{state.bestRun.id}</a></>}</span>
        {running && can('Mutation.cancelSweep') && <button type="button" class="danger" onClick={onCancel} disabled={cancel.running}>Cancel sweep</button>}
      </div>
      <ErrorBox error={cancel.error ?? streamError ?? error} />
      {state.error && <p class="error" role="alert">{state.error}</p>}
      <Section title="Trials" actions={runIds.length > 1 ? <a href={`#/compare?runs=${runIds.slice(0, 8).map(encodeURIComponent).join(',')}`}>Compare {Math.min(8, runIds.length)} runs</a> : undefined}>
        <Trials trials={state.trials} parameters={sweep.parameters.map((p) => p.name)} bestRunId={state.bestRun?.id ?? null} metric={sweep.metric} running={running} />
      </Section>
      <div class="grid-2">
        <Parallel trials={state.trials} parameters={sweep.parameters} metric={sweep.metric} goal={sweep.goal} />
        <Importance importance={state.parameterImportance} />
      </div>
      <Section title="Details">
        <Facts items={[
          ['Model', <a href={href('models', sweep.model.id)}>{sweep.model.name}</a>],
          ['Dataset', <a href={href('datasets', sweep.datasetVersion.dataset.id)}>{sweep.datasetVersion.dataset.name} v{sweep.datasetVersion.version}</a>],
          ['Method', sweep.method],
          ['Metric', `${sweep.metric} (${sweep.goal === 'MINIMIZE' ? 'lower' : 'higher'} is better)`],
          ['Parallelism', sweep.parallelism],
          ['Priority', sweep.priority],
          ['Seed', sweep.seed],
          ['Early stopping', sweep.earlyStopping ? `${sweep.earlyStopping.type}${sweep.earlyStopping.warmupEpochs != null ? `, warm-up ${sweep.earlyStopping.warmupEpochs} epochs` : ''}` : 'none'],
          ['Started', formatTime(sweep.createdAt)],
          ['Finished', formatTime(state.finishedAt)],
          ['Search space', sweep.parameters.map((p) => `${p.name}: ${p.values ? p.values.map((v) => JSON.stringify(v)).join(', ') : `${p.distribution} ${formatNumber(p.min)}–${formatNumber(p.max)}`}`).join('; ')],
        ]} />
      </Section>
    </>
  );
}

function showValue(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value, 4);
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  return value === undefined || value === null ? '—' : String(value);
}

function Trials({ trials, parameters, bestRunId, metric, running }: { trials: Trial[]; parameters: string[]; bestRunId: string | null; metric: string; running: boolean }) {
  if (trials.length === 0) return <Empty>{running ? 'No trials yet: the first runs are being queued.' : 'This sweep made no runs.'}</Empty>;
  return (
    <table data-testid="trials">
      <caption class="visually-hidden">Trials, in trial order</caption>
      <thead><tr><th scope="col">Trial</th><th scope="col">Run</th><th scope="col">Status</th>{parameters.map((p) => <th scope="col" key={p}>{p}</th>)}<th scope="col" class="num">{metric}</th></tr></thead>
      <tbody>
        {trials.map((t) => (
          <tr key={t.runId} class={t.runId === bestRunId ? 'best' : undefined} data-status={t.status}>
            <th scope="row">{t.trial}{t.runId === bestRunId && <span class="best-mark"> best</span>}</th>
            <td><a href={href('runs', t.runId)}>{t.runId}</a></td>
            <td><Badge value={t.status} /></td>
            {parameters.map((p) => <td key={p}>{showValue((t.parameters as Record<string, unknown>)[p])}</td>)}
            <td class="num">{formatNumber(t.value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Parallel({ trials, parameters, metric, goal }: { trials: Trial[]; parameters: { name: string; distribution?: string | null }[]; metric: string; goal: string }) {
  const scored = trials.filter((t) => typeof t.value === 'number');
  const option = useMemo<ChartOption>(() => {
    const axes = parameters.map((p, dim) => {
      const values = scored.map((t) => (t.parameters as Record<string, unknown>)[p.name]);
      const numeric = values.every((v) => typeof v === 'number');
      return numeric
        ? { dim, name: p.name, type: p.distribution === 'LOG_UNIFORM' && values.every((v) => (v as number) > 0) ? 'log' : 'value', scale: true }
        : { dim, name: p.name, type: 'category', data: [...new Set(values.map((v) => JSON.stringify(v)))] };
    });
    const numericAxis = axes.map((a) => a.type !== 'category');
    const best = scored.length ? scored.reduce((a, b) => ((goal === 'MINIMIZE' ? b.value! < a.value! : b.value! > a.value!) ? b : a)) : null;
    return {
      parallelAxis: [...axes, { dim: axes.length, name: metric, type: 'value', scale: true, inverse: goal === 'MINIMIZE' }],
      parallel: { left: 48, right: 80, top: 40, bottom: 24 },
      tooltip: {},
      series: [{
        type: 'parallel', name: 'trials', smooth: false,
        lineStyle: { width: 2, opacity: 0.8 },
        data: scored.map((t) => ({
          name: `trial ${t.trial}`,
          value: [...parameters.map((p, i) => { const v = (t.parameters as Record<string, unknown>)[p.name]; return numericAxis[i] ? v : JSON.stringify(v); }), t.value],
          lineStyle: { color: t === best ? PALETTE[1] : PALETTE[0], width: t === best ? 4 : 2 },
        })),
      }],
    };
  }, [JSON.stringify(scored), metric, goal]);
  return (
    <Section title="Parameters → metric">
      {scored.length === 0
        ? <Empty>No trial has a {metric} yet: the lines appear as trials finish their first epoch.</Empty>
        : <EChart title={`Parallel coordinates of ${scored.length} trials: ${parameters.map((p) => p.name).join(', ')} against ${metric} (${goal === 'MINIMIZE' ? 'best at the top, lowest' : 'best at the top, highest'}); the best trial is drawn thicker, in orange`} option={option} height={320} testId="parallel" />}
    </Section>
  );
}

function Importance({ importance }: { importance: SweepState['parameterImportance'] }) {
  const known = importance.filter((p) => p.correlation !== null && p.correlation !== undefined);
  const unknown = importance.filter((p) => p.correlation === null || p.correlation === undefined);
  const option = useMemo<ChartOption>(() => ({
    grid: { left: 120, right: 24, top: 8, bottom: 32 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', min: -1, max: 1, name: 'rank correlation with the metric', nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'category', data: known.map((p) => p.name) },
    series: [{ type: 'bar', data: known.map((p) => ({ value: p.correlation, itemStyle: { color: p.correlation! >= 0 ? PALETTE[0] : PALETTE[1] } })) }],
  }), [JSON.stringify(known)]);
  return (
    <Section title="Parameter importance">
      {known.length > 0
        ? <EChart title={`Spearman correlation of each parameter with the metric: ${known.map((p) => `${p.name} ${formatNumber(p.correlation, 2)}`).join(', ')}`} option={option} height={Math.max(140, 40 * known.length + 50)} testId="importance" />
        : <Empty>No correlation yet: it needs 3 succeeded runs and a numeric parameter that varies.</Empty>}
      {unknown.length > 0 && <p class="muted">Not computable: {unknown.map((p) => p.name).join(', ')} (fewer than 3 runs, a constant parameter, or values that are not numbers).</p>}
    </Section>
  );
}
