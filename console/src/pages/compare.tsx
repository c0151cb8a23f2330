import { useState } from 'preact/hooks';
import { useQuery } from '../api/hooks';
import { graphql } from '../gql';
import type { ConsoleCompareRunsQuery } from '../gql/graphql';
import { href, navigate, type Route } from '../router';
import { Badge, Empty, ErrorBox, formatNumber, formatTime, Loading, Section } from '../ui/components';
import { PALETTE, TimeChart } from '../ui/time-chart';
import './compare.css';

const CompareDocument = graphql(`
  query ConsoleCompareRuns($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      ... on TrainingRun {
        id status seed queuedAt sweepTrial
        model { id name }
        datasetVersion { id version dataset { id name } }
        hyperparameters {
          activation batchSize bootstrap classWeighting cost criterion degree dropout epochs forecastTarget gamma hiddenUnits
          horizon kernel l2 learningRate maxDepth maxFeatures minSamplesLeaf patience rounds smoothing solver subsample trees windowSize
        }
        metrics { name count last points(maxPoints: 500) { step epoch value } }
      }
    }
  }
`);

const CandidatesDocument = graphql(`
  query ConsoleCompareCandidates($modelId: ID!) {
    trainingRuns(filter: { modelId: $modelId }, first: 50) {
      edges { node { id status queuedAt hyperparameters { learningRate epochs } } }
    }
  }
`);

type Run = Extract<NonNullable<ConsoleCompareRunsQuery['nodes'][number]>, { __typename: 'TrainingRun' }>;

/** Throughput and schedule metrics: not curves to compare a fit by. */
const NOT_CHARTED = new Set(['samples_per_second', 'learning_rate', 'batch_loss']);
const MAX_RUNS = PALETTE.length;

function idsOf(route: Route): string[] {
  return [...new Set((route.query.get('runs') ?? '').split(',').map((s) => s.trim()).filter(Boolean))].slice(0, MAX_RUNS);
}

function go(ids: string[]) {
  navigate(`#/compare${ids.length ? `?runs=${ids.map(encodeURIComponent).join(',')}` : ''}`);
}

/** `#/compare?runs=a,b`: the runs' curves overlaid (one chart per metric) and the hyper-parameters that differ. */
export function ComparePage({ route }: { route: Route }) {
  const ids = idsOf(route);
  const { data, error, loading } = useQuery(CompareDocument, { ids }, { skip: ids.length === 0 });
  const [axis, setAxis] = useState<'epoch' | 'step'>('epoch');
  const runs = (data?.nodes ?? []).filter((n): n is Run => n?.__typename === 'TrainingRun');
  const missing = data ? ids.filter((id) => !runs.some((r) => r.id === id)) : [];
  return (
    <>
      <h1>Compare runs</h1>
      <ErrorBox error={error} />
      {ids.length === 0 && <Empty>No runs to compare yet: add run ids below, or open <code>#/compare?runs=run_a,run_b</code> (a sweep page links its runs here).</Empty>}
      {loading && !data && ids.length > 0 && <Loading what="the runs" />}
      {missing.length > 0 && <p class="error" role="alert"><code class="code">NOT_FOUND</code> No training run {missing.join(', ')}.</p>}
      <RunsTable runs={runs} ids={ids} />
      <AddRun ids={ids} modelId={runs[0]?.model.id ?? null} />
      {runs.length > 0 && <DifferingParameters runs={runs} />}
      {runs.length > 0 && (
        <Section title="Curves" actions={
          <span class="toolbar">
            <label for="compare-axis">X axis</label>
            <select id="compare-axis" value={axis} onChange={(e) => setAxis((e.target as HTMLSelectElement).value as 'epoch' | 'step')}>
              <option value="epoch">epoch</option>
              <option value="step">step (batches)</option>
            </select>
          </span>
        }>
          <Curves runs={runs} axis={axis} />
        </Section>
      )}
    </>
  );
}

function label(run: Run): string {
  return run.sweepTrial != null ? `${run.id} (trial ${run.sweepTrial})` : run.id;
}

function RunsTable({ runs, ids }: { runs: Run[]; ids: string[] }) {
  if (runs.length === 0) return null;
  return (
    <table data-testid="compared-runs">
      <caption class="visually-hidden">Runs compared</caption>
      <thead><tr><th scope="col">Run</th><th scope="col">Model</th><th scope="col">Status</th><th scope="col">Queued</th><th scope="col">Final values</th><th scope="col"><span class="visually-hidden">Remove</span></th></tr></thead>
      <tbody>
        {runs.map((run, i) => (
          <tr key={run.id}>
            <th scope="row"><span class="swatch" style={{ background: PALETTE[i % PALETTE.length] }} aria-hidden="true" /> <a href={href('runs', run.id)}>{label(run)}</a></th>
            <td><a href={href('models', run.model.id)}>{run.model.name}</a></td>
            <td><Badge value={run.status} /></td>
            <td>{formatTime(run.queuedAt)}</td>
            <td class="muted">{run.metrics.filter((m) => !NOT_CHARTED.has(m.name)).map((m) => `${m.name} ${formatNumber(m.last, 3)}`).join(' · ') || '—'}</td>
            <td><button type="button" class="secondary" onClick={() => go(ids.filter((id) => id !== run.id))} aria-label={`Remove ${run.id}`}>Remove</button></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AddRun({ ids, modelId }: { ids: string[]; modelId: string | null }) {
  const [value, setValue] = useState('');
  const candidates = useQuery(CandidatesDocument, { modelId: modelId ?? '' }, { skip: !modelId });
  const options = (candidates.data?.trainingRuns.edges ?? []).map((e) => e.node).filter((r) => !ids.includes(r.id));
  const full = ids.length >= MAX_RUNS;
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const id = value.trim();
    if (!id || ids.includes(id)) return;
    setValue('');
    go([...ids, id]);
  };
  return (
    <form class="toolbar add-run" onSubmit={onSubmit}>
      <label for="compare-add">Add a run</label>
      <input id="compare-add" list="compare-candidates" placeholder="run id" value={value} disabled={full} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
      <datalist id="compare-candidates">
        {options.map((r) => <option key={r.id} value={r.id}>{`${r.status} · learning rate ${formatNumber(r.hyperparameters.learningRate)} · ${r.hyperparameters.epochs} epochs · ${formatTime(r.queuedAt)}`}</option>)}
      </datalist>
      <button type="submit" disabled={full || !value.trim()}>Add</button>
      {full ? <span class="muted">At most {MAX_RUNS} runs at once.</span> : options.length > 0 && <span class="muted">{options.length} other runs of this model to pick from</span>}
      <ErrorBox error={candidates.error} />
    </form>
  );
}

const PARAMETER_LABELS: Record<string, string> = { seed: 'seed', dataset: 'dataset version' };

/** The hyper-parameters (and seed, dataset version) whose values are not the same in every run. */
export function differingParameters(runs: Run[]): { name: string; values: string[] }[] {
  const rows = runs.map((run) => {
    const values: Record<string, string> = {};
    for (const [name, value] of Object.entries(run.hyperparameters)) if (name !== '__typename') values[name] = show(value);
    values.seed = String(run.seed);
    values.dataset = `${run.datasetVersion.dataset.name} v${run.datasetVersion.version}`;
    return values;
  });
  const names = Object.keys(rows[0] ?? {});
  return names.filter((name) => new Set(rows.map((r) => r[name])).size > 1).map((name) => ({ name, values: rows.map((r) => r[name]) }));
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'default';
  if (Array.isArray(value)) return value.length ? value.join(' × ') : '—';
  if (typeof value === 'number') return formatNumber(value, 6);
  return String(value);
}

function DifferingParameters({ runs }: { runs: Run[] }) {
  const differing = differingParameters(runs);
  return (
    <Section title="What differs">
      {runs.length < 2 ? <Empty>Add another run to see the hyper-parameters that differ.</Empty>
        : differing.length === 0 ? <Empty>These runs share every hyper-parameter, their seed and their dataset version.</Empty>
        : (
          <table data-testid="differing-parameters">
            <caption class="visually-hidden">Hyper-parameters that differ between the runs</caption>
            <thead><tr><th scope="col">Parameter</th>{runs.map((r) => <th scope="col" key={r.id}>{label(r)}</th>)}</tr></thead>
            <tbody>
              {differing.map((row) => (
                <tr key={row.name}><th scope="row">{PARAMETER_LABELS[row.name] ?? row.name}</th>{row.values.map((v, i) => <td key={runs[i].id}>{v}</td>)}</tr>
              ))}
            </tbody>
          </table>
        )}
    </Section>
  );
}

/** One chart per metric, a series per run, on a shared x (the union of the runs' epochs or steps). */
function Curves({ runs, axis }: { runs: Run[]; axis: 'epoch' | 'step' }) {
  const names = [...new Set(runs.flatMap((r) => r.metrics.map((m) => m.name)))].filter((n) => !NOT_CHARTED.has(n)).sort(byLossFirst);
  if (names.length === 0) return <Empty>These runs stored no metric points yet.</Empty>;
  return (
    <div class="charts" data-testid="compare-curves">
      {names.map((name) => {
        const perRun = runs.map((run) => {
          const values = new Map<number, number>();
          // Points come in step order, so the last one of an epoch wins: the epoch's own value.
          for (const point of run.metrics.find((m) => m.name === name)?.points ?? []) values.set(axis === 'epoch' ? point.epoch : point.step, point.value);
          return values;
        });
        const x = [...new Set(perRun.flatMap((values) => [...values.keys()]))].sort((a, b) => a - b);
        const series = runs.map((run, i) => ({ label: label(run), values: x.map((at) => perRun[i].get(at) ?? null) }));
        return <TimeChart key={`${name}-${axis}-${runs.map((r) => r.id).join()}`} title={name} x={x} series={series} xLabel={axis} height={240} />;
      })}
    </div>
  );
}

function byLossFirst(a: string, b: string): number {
  const rank = (n: string) => (n === 'loss' ? 0 : n === 'val_loss' ? 1 : n.startsWith('val_') ? 3 : 2);
  return rank(a) - rank(b) || a.localeCompare(b);
}
