import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { useMutation, useQuery } from '../api/hooks';
import { useCan } from '../api/viewer';
import { graphql } from '../gql';
import type { ConsoleEvaluationFragment, ConsoleRobustnessReportFragment, ConsoleVersionFactsFragment } from '../gql/graphql';
import { href, type Route } from '../router';
import { Empty, ErrorBox, Facts, formatNumber, formatTime, Loading, Section } from '../ui/components';
import { EChart, type ChartOption } from '../ui/echart';
import { PALETTE } from '../ui/time-chart';
import './evaluation.css';

graphql(`
  fragment ConsoleEvaluation on Evaluation {
    id createdAt split rowCount threshold confusionMatrix
    rocCurve { fpr tpr threshold }
    metrics { accuracy auc f1 ks logLoss precision recall rmse mae mape r2 mase skill relativeRmse persistenceRmse persistenceMae }
    featureImportance { feature importance }
    nativeImportance { feature importance }
    datasetVersion { id version dataset { id name } }
  }
  fragment ConsoleRobustnessReport on RobustnessReport {
    id createdAt metric baseline rowCount
    scenarios { name kind scale value change }
    features { feature value change }
  }
  fragment ConsoleVersionFacts on ModelVersion {
    id version createdAt metrics
    model { id name task architecture targetColumn }
    datasetVersion { id version dataset { id name } columns { name type mean min max topValues { value } } }
    trainingRun { id status seed }
    featureSelection { kept method }
    signature { features { name type min max mean categories } }
    robustnessReports { ...ConsoleRobustnessReport }
  }
`);

const EvaluationDocument = graphql(`
  query ConsoleEvaluationPage($id: ID!) {
    node(id: $id) {
      __typename
      ... on Evaluation { ...ConsoleEvaluation modelVersion { ...ConsoleVersionFacts } }
    }
  }
`);

const CreateRobustnessDocument = graphql(`
  mutation ConsoleCreateRobustnessReport($input: RobustnessReportInput!) {
    createRobustnessReport(input: $input) { ...ConsoleRobustnessReport }
  }
`);

const SensitivityDocument = graphql(`
  query ConsolePredictSensitivity($input: PredictSensitivityInput!) {
    predictSensitivity(input: $input) { value prediction { value label } }
  }
`);

export type EvaluationData = ConsoleEvaluationFragment;
export type VersionData = ConsoleVersionFactsFragment;

/** `#/evaluations/<id>`: any evaluation (TEST or FULL), with its version's robustness and what-if. */
export function EvaluationPage({ route }: { route: Route }) {
  const id = route.parts[1] ?? '';
  const { data, error, loading, reload } = useQuery(EvaluationDocument, { id });
  if (loading && !data) return <Loading what="the evaluation" />;
  const node = data?.node;
  const evaluation = node?.__typename === 'Evaluation' ? node : null;
  if (!evaluation) {
    const missing = data && !evaluation ? new ApiError(`No evaluation with id ${JSON.stringify(id)}`, 'NOT_FOUND') : null;
    return <><h1>Evaluation</h1><ErrorBox error={error ?? missing} /><Empty>Evaluations are made by training (on its held-out rows), or with the <code>evaluateModelVersion</code> mutation; a version's page links to its own.</Empty></>;
  }
  const version = evaluation.modelVersion;
  return (
    <div class="evaluation-page">
      <h1>Evaluation <span class="muted">of</span> <a href={href('models', version.model.id)}>{version.model.name}</a> <a href={href('versions', version.id)}>v{version.version}</a></h1>
      <ErrorBox error={error} />
      <EvaluationView evaluation={evaluation} version={version} onChanged={reload} />
    </div>
  );
}

const CLASSIFICATION_METRICS: [keyof EvaluationData['metrics'], string][] = [
  ['auc', 'AUC'], ['accuracy', 'Accuracy'], ['precision', 'Precision'], ['recall', 'Recall'], ['f1', 'F1'], ['ks', 'KS'], ['logLoss', 'Log loss'],
];
const REGRESSION_METRICS: [keyof EvaluationData['metrics'], string][] = [
  ['rmse', 'RMSE'], ['mae', 'MAE'], ['mape', 'MAPE'], ['r2', 'R²'], ['mase', 'MASE'], ['skill', 'Skill'], ['relativeRmse', 'Relative RMSE'], ['persistenceRmse', 'Persistence RMSE'], ['persistenceMae', 'Persistence MAE'],
];

/** The evaluation in full: key metrics, ROC and confusion matrix with a threshold, importance, robustness, what-if. */
export function EvaluationView({ evaluation, version, onChanged }: { evaluation: EvaluationData; version: VersionData; onChanged(): void }) {
  const task = version.model.task;
  const classifier = task === 'BINARY_CLASSIFICATION' || task === 'MULTICLASS_CLASSIFICATION';
  const metrics = (classifier ? CLASSIFICATION_METRICS : REGRESSION_METRICS).filter(([key]) => typeof evaluation.metrics[key] === 'number');
  const labels = classLabels(version);
  return (
    <>
      <Section title="Evaluation">
        <Facts items={[
          ['Split', evaluation.split === 'TEST' ? 'TEST (held-out rows of its run)' : 'FULL (every row)'],
          ['Rows evaluated', formatNumber(evaluation.rowCount)],
          ['Dataset', <a href={href('datasets', evaluation.datasetVersion.dataset.id)}>{evaluation.datasetVersion.dataset.name} v{evaluation.datasetVersion.version}</a>],
          ['Made', formatTime(evaluation.createdAt)],
          ['Evaluation id', <a href={href('evaluations', evaluation.id)}><code>{evaluation.id}</code></a>],
        ]} />
        <dl class="key-metrics" data-testid="key-metrics">
          {metrics.map(([key, label]) => (
            <div key={key}><dt>{label}</dt><dd>{formatNumber(evaluation.metrics[key] as number)}</dd></div>
          ))}
        </dl>
        {metrics.length === 0 && <Empty>This evaluation holds no metrics.</Empty>}
        {task === 'TIME_SERIES_FORECAST' && typeof evaluation.metrics.skill === 'number' && (
          <p class="muted">Skill above 0 (and MASE below 1) beats the persistence forecast, which repeats the last value seen.</p>
        )}
      </Section>
      {classifier && <ClassifierSection evaluation={evaluation} labels={labels} binary={task === 'BINARY_CLASSIFICATION'} />}
      <ImportanceSection evaluation={evaluation} />
      <RobustnessSection version={version} evaluation={evaluation} onCreated={onChanged} />
      <WhatIf version={version} />
    </>
  );
}

/** The classes in the server's order (numbers numerically, else as text), from the target column's values. */
function classLabels(version: VersionData): string[] {
  const column = version.datasetVersion?.columns.find((c) => c.name === version.model.targetColumn);
  // A 0/1 target is a NUMBER column: its two classes are its smallest and largest values.
  if (column?.type === 'NUMBER' && version.model.task === 'BINARY_CLASSIFICATION' && column.min != null && column.max != null) return [String(column.min), String(column.max)];
  const values = column?.topValues.map((v) => v.value) ?? [];
  if (values.length && values.every((v) => v.trim() !== '' && Number.isFinite(Number(v)))) return [...values].sort((a, b) => Number(a) - Number(b));
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface Counts { tp: number; fp: number; fn: number; tn: number; threshold: number; pointThreshold: number }

/**
 * The confusion counts at threshold t from the ROC points: the point for t is the one with the
 * lowest threshold at or above t (rows scoring ≥ t are called positive; the closest point above
 * when the curve was thinned), else the closest. P and N are the stored matrix's row sums.
 */
export function countsAt(roc: { fpr: number; tpr: number; threshold: number }[], positives: number, negatives: number, t: number): Counts {
  let best = roc[0];
  for (const point of roc) {
    const above = point.threshold >= t;
    if (above && (best.threshold < t || point.threshold < best.threshold)) best = point;
    else if (!above && best.threshold < t && Math.abs(point.threshold - t) < Math.abs(best.threshold - t)) best = point;
  }
  const tp = Math.round(best.tpr * positives);
  const fp = Math.round(best.fpr * negatives);
  return { tp, fp, fn: positives - tp, tn: negatives - fp, threshold: t, pointThreshold: best.threshold };
}

function ClassifierSection({ evaluation, labels, binary }: { evaluation: EvaluationData; labels: string[]; binary: boolean }) {
  const matrix = evaluation.confusionMatrix ?? [];
  const roc = evaluation.rocCurve ?? [];
  const [threshold, setThreshold] = useState(evaluation.threshold ?? 0.5);
  useEffect(() => setThreshold(evaluation.threshold ?? 0.5), [evaluation.id]);
  const rowSum = (row: number[] | undefined) => (row ?? []).reduce((a, b) => a + b, 0);
  const negatives = rowSum(matrix[0]);
  const positives = rowSum(matrix[1]);
  const rocOption = useMemo<ChartOption>(() => ({
    grid: { left: 56, right: 24, top: 36, bottom: 44 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, right: 0 },
    xAxis: { type: 'value', name: 'False positive rate', nameLocation: 'middle', nameGap: 28, min: 0, max: 1 },
    yAxis: { type: 'value', name: 'True positive rate', nameLocation: 'middle', nameGap: 40, min: 0, max: 1 },
    series: [
      { name: `ROC (AUC ${formatNumber(evaluation.metrics.auc ?? NaN, 3)})`, type: 'line', showSymbol: false, data: roc.map((p) => [p.fpr, p.tpr]), lineStyle: { width: 2 } },
      { name: 'Chance', type: 'line', showSymbol: false, data: [[0, 0], [1, 1]], lineStyle: { type: 'dashed', width: 1, color: '#4b5563' }, itemStyle: { color: '#4b5563' } },
    ],
  }), [evaluation.id]);
  const usable = binary && roc.length > 0 && matrix.length === 2;
  const counts = usable ? countsAt(roc, positives, negatives, threshold) : null;
  const cells: number[][] = counts ? [[counts.tn, counts.fp], [counts.fn, counts.tp]] : matrix;
  const names = cells.map((_, i) => labels[i] ?? `class ${i}`);
  const precision = counts && counts.tp + counts.fp > 0 ? counts.tp / (counts.tp + counts.fp) : NaN;
  const recall = counts && positives > 0 ? counts.tp / positives : NaN;
  return (
    <Section title="Classification">
      <div class="grid-2">
        {binary && (roc.length > 0
          ? <EChart title={`ROC curve: ${roc.length} points, AUC ${formatNumber(evaluation.metrics.auc ?? NaN, 3)}, against the diagonal of chance`} option={rocOption} height={320} testId="roc" />
          : <Empty>No ROC curve: the evaluated rows hold only one class.</Empty>)}
        <div class="confusion" data-testid="confusion">
          <h3>Confusion matrix {counts ? `at threshold ${threshold.toFixed(2)}` : evaluation.threshold != null ? `at threshold ${evaluation.threshold}` : ''}</h3>
          {usable && (
            <div class="threshold">
              <label for="eval-threshold">Decision threshold</label>
              <input id="eval-threshold" type="range" min={0} max={1} step={0.01} value={threshold}
                aria-valuetext={threshold.toFixed(2)}
                onInput={(e) => setThreshold(Number((e.target as HTMLInputElement).value))} />
              <output for="eval-threshold" data-testid="threshold-value">{threshold.toFixed(2)}</output>
              {threshold !== (evaluation.threshold ?? 0.5) && (
                <button type="button" class="secondary" onClick={() => setThreshold(evaluation.threshold ?? 0.5)}>Reset to {evaluation.threshold ?? 0.5}</button>
              )}
            </div>
          )}
          {cells.length === 0 ? <Empty>No confusion matrix stored for this evaluation.</Empty> : (
            <table class="matrix">
              <caption class="visually-hidden">Confusion matrix: rows are the actual class, columns the predicted class</caption>
              <thead>
                <tr><td /><th scope="colgroup" colSpan={names.length}>Predicted</th></tr>
                <tr><th scope="col">Actual</th>{names.map((name) => <th scope="col" key={name} class="num">{name}</th>)}</tr>
              </thead>
              <tbody>
                {cells.map((row, i) => (
                  <tr key={i}>
                    <th scope="row">{names[i]}</th>
                    {row.map((count, j) => <td key={j} class={`num ${i === j ? 'hit' : 'miss'}`} data-testid={`cell-${i}-${j}`}>{count}</td>)}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {counts && (
            <Facts items={[
              ['Precision', formatNumber(precision, 3)],
              ['Recall (TPR)', formatNumber(recall, 3)],
              ['False positive rate', formatNumber(negatives ? counts.fp / negatives : NaN, 3)],
              ['Accuracy', formatNumber((counts.tp + counts.tn) / (positives + negatives), 3)],
            ]} />
          )}
          {counts && <p class="muted small">Recomputed in the browser from the ROC point at threshold {formatNumber(counts.pointThreshold, 3)} and the stored matrix's row sums ({positives} positive, {negatives} negative).</p>}
        </div>
      </div>
    </Section>
  );
}

function bars(items: { feature: string; importance: number }[], name: string): ChartOption {
  const shown = items.slice(0, 20).reverse();
  return {
    grid: { left: 140, right: 24, top: 8, bottom: 32 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', name, nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'category', data: shown.map((i) => i.feature), axisLabel: { width: 130, overflow: 'truncate' } },
    series: [{ type: 'bar', name, data: shown.map((i) => i.importance), itemStyle: { color: PALETTE[0] } }],
  };
}

function ImportanceSection({ evaluation }: { evaluation: EvaluationData }) {
  const permutation = evaluation.featureImportance ?? [];
  const native = evaluation.nativeImportance ?? [];
  const summary = (items: typeof permutation) => items.slice(0, 5).map((i) => `${i.feature} ${formatNumber(i.importance, 3)}`).join(', ');
  return (
    <Section title="Feature importance">
      {permutation.length === 0 && native.length === 0 && <Empty>No feature importance stored for this evaluation.</Empty>}
      <div class="grid-2">
        {permutation.length > 0 && <EChart title={`Permutation importance (score drop when shuffled): ${summary(permutation)}`} option={bars(permutation, 'score drop')} height={Math.max(160, 26 * Math.min(20, permutation.length) + 40)} testId="permutation-importance" />}
        {native.length > 0 && <EChart title={`The algorithm's own importance: ${summary(native)}`} option={bars(native, 'share')} height={Math.max(160, 26 * Math.min(20, native.length) + 40)} testId="native-importance" />}
        {permutation.length > 0 && native.length === 0 && <p class="muted">No native importance: this algorithm has none (networks, naive Bayes), or this is a FULL evaluation.</p>}
      </div>
    </Section>
  );
}

const SCENARIOS = [
  { key: 'noise-05', name: 'noise 0.5 sd', kind: 'NOISE', scale: 0.5 },
  { key: 'noise-1', name: 'noise 1 sd', kind: 'NOISE', scale: 1 },
  { key: 'missing-20', name: '20 % missing', kind: 'MISSING', scale: 0.2 },
  { key: 'flip-20', name: '20 % categories flipped', kind: 'CATEGORY_FLIP', scale: 0.2 },
] as const;

function RobustnessSection({ version, evaluation, onCreated }: { version: VersionData; evaluation: EvaluationData; onCreated(): void }) {
  const can = useCan();
  const create = useMutation(CreateRobustnessDocument);
  const [dataset, setDataset] = useState(evaluation.datasetVersion.dataset.name);
  const [picked, setPicked] = useState<Set<string>>(() => new Set(['noise-05', 'noise-1', 'missing-20']));
  const [created, setCreated] = useState<ConsoleRobustnessReportFragment | null>(null);
  const reports = [...(created && !version.robustnessReports.some((r) => r.id === created.id) ? [created] : []), ...version.robustnessReports];
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const scenarios = SCENARIOS.filter((s) => picked.has(s.key)).map(({ name, kind, scale }) => ({ name, kind, scale }));
    const result = await create.run({ input: { modelVersionId: version.id, datasetId: dataset, scenarios } });
    if (result) {
      setCreated(result.createRobustnessReport);
      onCreated();
    }
  };
  return (
    <Section title="Robustness">
      {reports.length === 0 && <Empty>No robustness report yet{can('Mutation.createRobustnessReport') ? ': create one below' : ': a builder makes one with the createRobustnessReport mutation'}.</Empty>}
      {reports.map((report) => <RobustnessReportView key={report.id} report={report} />)}
      {can('Mutation.createRobustnessReport') && (
        <form class="robustness-form" onSubmit={onSubmit}>
          <fieldset>
            <legend>New robustness report</legend>
            <div class="toolbar">
              <label for="robust-dataset">Dataset (id or name; rows the version did not train on are best)</label>
              <input id="robust-dataset" value={dataset} onInput={(e) => setDataset((e.target as HTMLInputElement).value)} required />
            </div>
            <div class="toolbar">
              {SCENARIOS.map((s) => (
                <label key={s.key} class="check">
                  <input type="checkbox" checked={picked.has(s.key)} onChange={(e) => {
                    const next = new Set(picked);
                    if ((e.target as HTMLInputElement).checked) next.add(s.key); else next.delete(s.key);
                    setPicked(next);
                  }} /> {s.name}
                </label>
              ))}
            </div>
            <button type="submit" disabled={create.running || picked.size === 0}>{create.running ? 'Scoring…' : 'Create robustness report'}</button>
          </fieldset>
          <ErrorBox error={create.error} />
        </form>
      )}
    </Section>
  );
}

function RobustnessReportView({ report }: { report: ConsoleRobustnessReportFragment }) {
  const worse = (change: number | null | undefined) => change != null && (report.metric === 'rmse' ? change > 0 : change < 0);
  return (
    <div class="robustness-report" data-testid="robustness-report">
      <p><strong>{report.metric}</strong> {formatNumber(report.baseline ?? NaN)} on {formatNumber(report.rowCount)} rows as they are <span class="muted">· {formatTime(report.createdAt)}</span></p>
      <div class="grid-2 robustness-tables">
        <table>
          <caption>Scenarios</caption>
          <thead><tr><th scope="col">Scenario</th><th scope="col">Kind</th><th scope="col" class="num">{report.metric}</th><th scope="col" class="num">Change</th></tr></thead>
          <tbody>
            {report.scenarios.map((s) => (
              <tr key={s.name}><th scope="row">{s.name}</th><td>{s.kind} {s.scale ? formatNumber(s.scale) : ''}</td><td class="num">{formatNumber(s.value ?? NaN)}</td><td class={`num ${worse(s.change) ? 'worse' : ''}`}>{formatSigned(s.change)}</td></tr>
            ))}
          </tbody>
        </table>
        <table>
          <caption>Each feature alone, worst first</caption>
          <thead><tr><th scope="col">Feature</th><th scope="col" class="num">{report.metric}</th><th scope="col" class="num">Change</th></tr></thead>
          <tbody>
            {report.features.slice(0, 10).map((f) => (
              <tr key={f.feature}><th scope="row">{f.feature}</th><td class="num">{formatNumber(f.value ?? NaN)}</td><td class={`num ${worse(f.change) ? 'worse' : ''}`}>{formatSigned(f.change)}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function formatSigned(value: number | null | undefined): string {
  if (value == null) return '—';
  return `${value > 0 ? '+' : ''}${formatNumber(value)}`;
}

/** The row the what-if starts from: each numeric feature's mean, each category's most frequent value. */
function baseRow(version: VersionData): Record<string, string | number | null> {
  const columns = new Map((version.datasetVersion?.columns ?? []).map((c) => [c.name, c]));
  const row: Record<string, string | number | null> = {};
  for (const feature of version.signature?.features ?? []) {
    const column = columns.get(feature.name);
    if (feature.type === 'NUMBER') row[feature.name] = round(column?.mean ?? feature.mean ?? feature.min ?? 0);
    else if (feature.type === 'CATEGORY') row[feature.name] = column?.topValues[0]?.value ?? feature.categories?.[0] ?? null;
    else if (feature.type === 'BOOLEAN') row[feature.name] = column?.topValues[0]?.value ?? 'false';
    else row[feature.name] = null;
  }
  return row;
}

function round(value: number): number {
  return Number(value.toPrecision(4));
}

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [JSON.stringify(value)]);
  return settled;
}

/** What-if: sliders for the row's numbers, and how the answer moves along one feature (predictSensitivity). */
function WhatIf({ version }: { version: VersionData }) {
  const features = version.signature?.features ?? [];
  const numeric = features.filter((f) => f.type === 'NUMBER');
  const [row, setRow] = useState(() => baseRow(version));
  const [along, setAlong] = useState(numeric[0]?.name ?? '');
  useEffect(() => { setRow(baseRow(version)); setAlong(numeric[0]?.name ?? ''); }, [version.id]);
  const settled = useDebounced(row, 250);
  const feature = numeric.find((f) => f.name === along);
  const low = feature?.min ?? 0;
  const high = feature && feature.max != null && feature.max > low ? feature.max : low + 1;
  const forecast = version.model.task === 'TIME_SERIES_FORECAST';
  const skip = !feature || forecast || !version.signature;
  const { data, error, loading } = useQuery(SensitivityDocument, { input: { model: version.model.id, modelVersionId: version.id, row: settled, feature: along, from: low, to: high, steps: 41 } }, { skip });
  const points = data?.predictSensitivity ?? [];
  const binary = version.model.task === 'BINARY_CLASSIFICATION';
  const output = binary ? `probability of ${version.model.targetColumn} = positive class` : version.model.task === 'MULTICLASS_CLASSIFICATION' ? 'probability of the predicted class' : version.model.targetColumn;
  const current = Number(row[along] ?? NaN);
  const option = useMemo<ChartOption>(() => ({
    grid: { left: 64, right: 24, top: 24, bottom: 48 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'value', name: along, nameLocation: 'middle', nameGap: 28, min: low, max: high },
    yAxis: { type: 'value', name: output, nameLocation: 'middle', nameGap: 48, scale: !binary, ...(binary ? { min: 0, max: 1 } : {}) },
    series: [{
      type: 'line', name: output, showSymbol: false, lineStyle: { width: 2 }, data: points.map((p) => [p.value, p.prediction.value]),
      markLine: Number.isFinite(current) ? { symbol: 'none', silent: true, label: { formatter: `${along} = ${formatNumber(current)}` }, lineStyle: { color: '#c2410c' }, data: [{ xAxis: current }] } : undefined,
    }],
  }), [points, current, along]);
  const answerHere = interpolate(points, current);
  if (forecast) return <Section title="What-if"><Empty>A forecast answers a whole history, not one row: the what-if panel is for tabular models.</Empty></Section>;
  if (!version.signature) return <Section title="What-if"><Empty>This version has no trained weights, so it cannot answer.</Empty></Section>;
  if (numeric.length === 0) return <Section title="What-if"><Empty>This version has no numeric feature to slide.</Empty></Section>;
  const set = (name: string, value: string | number | null) => setRow({ ...row, [name]: value });
  return (
    <Section title="What-if" actions={<button type="button" class="secondary" onClick={() => setRow(baseRow(version))}>Reset to the means</button>}>
      <p class="muted">Starts from the training data's means (most frequent value for categories); change any input. The chart shows how this version's answer moves along one feature, the others held.</p>
      <div class="whatif">
        <fieldset class="whatif-inputs">
          <legend>Row</legend>
          {features.map((f) => (
            <div class="whatif-field" key={f.name}>
              {f.type === 'NUMBER' ? (
                <>
                  <label for={`whatif-${f.name}`}>{f.name}</label>
                  <input id={`whatif-${f.name}`} type="range" min={f.min ?? 0} max={f.max ?? 1} step={sliderStep(f.min ?? 0, f.max ?? 1)} value={Number(row[f.name] ?? 0)}
                    onInput={(e) => set(f.name, Number((e.target as HTMLInputElement).value))} />
                  <input type="number" aria-label={`${f.name} value`} value={row[f.name] ?? ''} step="any"
                    onChange={(e) => { const v = (e.target as HTMLInputElement).value; set(f.name, v === '' ? null : Number(v)); }} />
                </>
              ) : f.type === 'CATEGORY' && f.categories ? (
                <>
                  <label for={`whatif-${f.name}`}>{f.name}</label>
                  <select id={`whatif-${f.name}`} value={String(row[f.name] ?? '')} onChange={(e) => set(f.name, (e.target as HTMLSelectElement).value)}>
                    {f.categories.map((c) => <option key={c} value={c}>{c}</option>)}
                  </select>
                </>
              ) : (
                <>
                  <label for={`whatif-${f.name}`}>{f.name} <span class="muted">({f.type.toLowerCase()})</span></label>
                  <input id={`whatif-${f.name}`} value={String(row[f.name] ?? '')} onChange={(e) => { const v = (e.target as HTMLInputElement).value; set(f.name, v === '' ? null : v); }} />
                </>
              )}
            </div>
          ))}
        </fieldset>
        <div>
          <div class="toolbar">
            <label for="whatif-along">Slide along</label>
            <select id="whatif-along" value={along} onChange={(e) => setAlong((e.target as HTMLSelectElement).value)}>
              {numeric.map((f) => <option key={f.name} value={f.name}>{f.name}</option>)}
            </select>
            {loading && <span class="muted" aria-live="polite">Asking the model…</span>}
          </div>
          <ErrorBox error={error} />
          <EChart
            title={points.length ? `Answer along ${along} from ${formatNumber(low)} to ${formatNumber(high)}: from ${formatNumber(points[0].prediction.value, 3)} to ${formatNumber(points[points.length - 1].prediction.value, 3)}` : `Answer along ${along}`}
            option={option} height={300} testId="whatif-chart" />
          <p data-testid="whatif-answer" data-points={points.length} aria-live="polite">
            {points.length > 0 && Number.isFinite(answerHere) ? <>At {along} = {formatNumber(current)} this version answers <strong>{formatNumber(answerHere, 3)}</strong> <span class="muted">({output})</span>.</> : null}
          </p>
        </div>
      </div>
    </Section>
  );
}

function sliderStep(min: number, max: number): number {
  if (Number.isInteger(min) && Number.isInteger(max) && max - min <= 1000) return 1;
  return Number(((max - min) / 100).toPrecision(2)) || 0.01;
}

function interpolate(points: { value: number; prediction: { value: number } }[], x: number): number {
  if (!points.length || !Number.isFinite(x)) return NaN;
  if (x <= points[0].value) return points[0].prediction.value;
  for (let i = 1; i < points.length; i++) {
    if (x <= points[i].value) {
      const a = points[i - 1];
      const b = points[i];
      return a.prediction.value + ((b.prediction.value - a.prediction.value) * (x - a.value)) / (b.value - a.value);
    }
  }
  return points[points.length - 1].prediction.value;
}
