import { useMemo, useState } from 'preact/hooks';
import { useQuery } from '../api/hooks';
import { graphql } from '../gql';
import type { ConsoleChallengerReportQuery, ConsoleDriftReportQuery, ConsoleOutcomePeriodFragment, ConsoleOutcomeReportQuery, Environment, OutcomeBucket } from '../gql/graphql';
import { href, navigate } from '../router';
import { Badge, Empty, ErrorBox, Facts, formatNumber, formatTime, Loading, Section } from '../ui/components';
import { EChart, type ChartOption } from '../ui/echart';
import { PALETTE } from '../ui/time-chart';
import { ENVIRONMENTS, monitoringHref } from './monitoring-route';

const MonitoredModelsDocument = graphql(`
  query ConsoleMonitoredModels {
    models(first: 100) { edges { node { id name task deployments { id environment } } } }
  }
`);

const DriftReportDocument = graphql(`
  query ConsoleDriftReport($model: String!, $environment: Environment!) {
    driftReport(model: $model, environment: $environment) {
      environment from to status maxPsi message rowCount sampled scorePsi
      model { id name }
      modelVersion { id version }
      scoreBins { label expected actual }
      features { feature type psi ks count status bins { label expected actual } }
    }
  }
`);

const ChallengerReportDocument = graphql(`
  query ConsoleChallengerReport($modelId: ID!, $environment: Environment!) {
    challengerReport(modelId: $modelId, environment: $environment) {
      from to liveRows challengerRows comparedRows agreement meanAbsoluteDifference meanRelativeDifference scorePsi
      realisedMetric liveRealised challengerRealised rowsWithOutcomes
      latency { route rows meanMs p95Ms modelVersion { id version } }
      challenger {
        id mode trafficPercent reason startedAt startedBy endedAt endedBy endReason
        modelVersion { id version }
        champion { id version }
      }
    }
  }
`);

const OutcomeReportDocument = graphql(`
  query ConsoleOutcomeReport($modelId: ID!, $environment: Environment!, $bucket: OutcomeBucket!) {
    outcomeReport(modelId: $modelId, environment: $environment, bucket: $bucket) {
      from to
      total { ...ConsoleOutcomePeriod }
      periods { ...ConsoleOutcomePeriod }
      calibration { from to count meanPredicted observedRate }
    }
  }
  fragment ConsoleOutcomePeriod on OutcomePeriod {
    from to predictions outcomes
    realised { auc accuracy positiveRate predictedRate rmse mae }
    estimated { auc accuracy positiveRate }
  }
`);

/** Colours of the drift statuses (always shown with the word too). */
const STATUS_COLOUR: Record<string, string> = { STABLE: '#15803d', MODERATE: '#a16207', SIGNIFICANT: '#b91c1c', INSUFFICIENT_DATA: '#4b5563' };

/** The model-level reports: drift, challenger and outcomes, for the model and environment in the route. */
export function ModelReportsSection({ modelId, environment }: { modelId: string | null; environment: Environment }) {
  const models = useQuery(MonitoredModelsDocument, {});
  const choices = models.data?.models.edges.map((e) => e.node) ?? [];
  const chosen = choices.find((m) => m.id === modelId || m.name === modelId) ?? null;
  return (
    <Section title="Model reports">
      <div class="toolbar">
        <label for="monitor-model">Model</label>
        <select id="monitor-model" value={modelId ?? ''} onChange={(e) => navigate(monitoringHref((e.target as HTMLSelectElement).value || null, environment))}>
          <option value="">choose a model…</option>
          {modelId && !chosen && <option value={modelId}>{modelId}</option>}
          {choices.map((m) => (
            <option key={m.id} value={m.id}>{m.name}{m.deployments.length ? ` (live in ${m.deployments.map((d) => d.environment).join(', ')})` : ''}</option>
          ))}
        </select>
        <label for="monitor-environment">Environment</label>
        <select id="monitor-environment" value={environment} disabled={!modelId} onChange={(e) => navigate(monitoringHref(modelId, (e.target as HTMLSelectElement).value))}>
          {ENVIRONMENTS.map((env) => <option key={env} value={env}>{env}</option>)}
        </select>
        {chosen && <a href={href('models', chosen.id)}>Open the model</a>}
      </div>
      <ErrorBox error={models.error} />
      {models.data && choices.length === 0 && <Empty>No models yet: define one with <code>createModel</code>, train it and deploy a version to see its reports.</Empty>}
      {!modelId && choices.length > 0 && <Empty>Choose a model above to see its drift, challenger and outcome reports.</Empty>}
      {modelId && (
        <>
          <DriftReport modelId={modelId} environment={environment} />
          <ChallengerReport modelId={modelId} environment={environment} />
          <OutcomeReport modelId={modelId} environment={environment} />
        </>
      )}
    </Section>
  );
}

type Drift = ConsoleDriftReportQuery['driftReport'];

function DriftReport({ modelId, environment }: { modelId: string; environment: Environment }) {
  const { data, error, loading, reload } = useQuery(DriftReportDocument, { model: modelId, environment });
  const report = data?.driftReport;
  return (
    <section class="report" aria-labelledby="drift-title" data-testid="drift-report">
      <div class="section-head">
        <h3 id="drift-title">Drift: served rows against training</h3>
        <button type="button" class="secondary" onClick={reload} disabled={loading}>Refresh</button>
      </div>
      <ErrorBox error={error} />
      {loading && !report && <Loading what="the drift report" />}
      {report && <DriftBody report={report} />}
    </section>
  );
}

function DriftBody({ report }: { report: Drift }) {
  const [picked, setPicked] = useState<string | null>(null);
  const feature = report.features.find((f) => f.feature === picked) ?? [...report.features].sort((a, b) => b.psi - a.psi)[0] ?? null;
  const psiOption = useMemo<ChartOption>(() => {
    const features = [...report.features].reverse();
    return {
      grid: { left: 130, right: 30, top: 10, bottom: 30 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', name: 'PSI', nameLocation: 'middle', nameGap: 22 },
      yAxis: { type: 'category', data: features.map((f) => f.feature) },
      series: [{
        type: 'bar', name: 'PSI',
        data: features.map((f) => ({ value: Number(f.psi.toFixed(4)), itemStyle: { color: STATUS_COLOUR[f.status] ?? PALETTE[0] } })),
        markLine: { symbol: 'none', label: { formatter: '{c}' }, lineStyle: { type: 'dashed', color: '#4b5563' }, data: [{ xAxis: 0.1 }, { xAxis: 0.25 }] },
      }],
    };
  }, [report]);
  return (
    <>
      <div class="status-line">
        {report.status ? <Badge value={report.status} /> : <span class="muted">no status</span>}
        <span>{report.rowCount} served rows{report.sampled ? ' (the newest 10,000)' : ''}</span>
        <span class="muted">{formatTime(report.from)} to {formatTime(report.to)}</span>
        {report.modelVersion && <a href={href('versions', report.modelVersion.id)}>version {report.modelVersion.version}</a>}
        {report.maxPsi != null && <span>max PSI {formatNumber(report.maxPsi)}</span>}
        {report.scorePsi != null && <span>score PSI {formatNumber(report.scorePsi)}</span>}
      </div>
      {report.message && <Empty>{report.message}{report.rowCount === 0 ? ' Deploy a version and call predict in this environment, then refresh.' : ''}</Empty>}
      {report.features.length > 0 && (
        <div class="grid-2">
          <EChart title={`PSI per feature (dashed: 0.1 moderate, 0.25 significant)`} option={psiOption} height={Math.max(160, 28 * report.features.length + 50)} testId="psi-chart" />
          <div>
            <div class="toolbar">
              <label for="drift-feature">Feature</label>
              <select id="drift-feature" value={feature?.feature ?? ''} onChange={(e) => setPicked((e.target as HTMLSelectElement).value)}>
                {report.features.map((f) => <option key={f.feature} value={f.feature}>{f.feature} ({f.status.toLowerCase()})</option>)}
              </select>
            </div>
            {feature && <BinsChart title={`${feature.feature}: share of rows per bin, training against serving`} bins={feature.bins} expected="training" actual="serving" />}
          </div>
        </div>
      )}
      {report.features.length > 0 && (
        <table>
          <caption class="visually-hidden">Drift per feature</caption>
          <thead><tr><th scope="col">Feature</th><th scope="col">Type</th><th scope="col" class="num">PSI</th><th scope="col" class="num">KS</th><th scope="col" class="num">Served values</th><th scope="col">Status</th></tr></thead>
          <tbody>
            {report.features.map((f) => (
              <tr key={f.feature}>
                <th scope="row"><button type="button" class="link" onClick={() => setPicked(f.feature)}>{f.feature}</button></th>
                <td>{f.type}</td>
                <td class="num">{formatNumber(f.psi)}</td>
                <td class="num">{formatNumber(f.ks)}</td>
                <td class="num">{formatNumber(f.count)}</td>
                <td><Badge value={f.status} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.scoreBins && <BinsChart title="Prediction scores: held-out test split against serving" bins={report.scoreBins} expected="expected" actual="served" />}
    </>
  );
}

function BinsChart({ title, bins, expected, actual }: { title: string; bins: { label: string; expected: number; actual: number }[]; expected: string; actual: string }) {
  const option = useMemo<ChartOption>(() => ({
    grid: { left: 50, right: 20, top: 40, bottom: 60 },
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: bins.map((b) => b.label), axisLabel: { rotate: 30, fontSize: 10 } },
    yAxis: { type: 'value', name: '% of rows', axisLabel: { formatter: '{value} %' } },
    series: [
      { type: 'bar', name: expected, data: bins.map((b) => Number((b.expected * 100).toFixed(2))) },
      { type: 'bar', name: actual, data: bins.map((b) => Number((b.actual * 100).toFixed(2))) },
    ],
  }), [bins, expected, actual]);
  return <EChart title={title} option={option} height={300} testId="drift-histogram" />;
}

type ChallengerData = ConsoleChallengerReportQuery['challengerReport'];

function ChallengerReport({ modelId, environment }: { modelId: string; environment: Environment }) {
  const { data, error, loading, reload } = useQuery(ChallengerReportDocument, { modelId, environment });
  const none = error?.code === 'NOT_FOUND';
  const report = data?.challengerReport;
  return (
    <section class="report" aria-labelledby="challenger-title" data-testid="challenger-report">
      <div class="section-head">
        <h3 id="challenger-title">Challenger against the champion</h3>
        <button type="button" class="secondary" onClick={reload} disabled={loading}>Refresh</button>
      </div>
      {none ? (
        <Empty>No challenger in {environment}: deploy a version with <code>deployModelVersion</code> and <code>mode: SHADOW</code> (or <code>CANARY</code>), then call predict.</Empty>
      ) : <ErrorBox error={error} />}
      {loading && !report && !error && <Loading what="the challenger report" />}
      {report && !none && <ChallengerBody report={report} />}
    </section>
  );
}

function ChallengerBody({ report }: { report: ChallengerData }) {
  const c = report.challenger;
  return (
    <>
      <Facts items={[
        ['Mode', <Badge value={c.mode} />],
        ['Challenger', <a href={href('versions', c.modelVersion.id)}>version {c.modelVersion.version}</a>],
        ['Champion', <a href={href('versions', c.champion.id)}>version {c.champion.version}</a>],
        ['Traffic', c.trafficPercent != null ? `${c.trafficPercent} %` : null],
        ['Started', `${formatTime(c.startedAt)}${c.startedBy ? ` by ${c.startedBy}` : ''}`],
        ['Ended', c.endedAt ? `${formatTime(c.endedAt)} (${c.endReason ?? 'ended'}${c.endedBy ? ` by ${c.endedBy}` : ''})` : 'still running'],
        ['Reason', c.reason],
        ['Window', `${formatTime(report.from)} to ${formatTime(report.to)}`],
      ]} />
      {report.liveRows + report.challengerRows === 0 && <Empty>No predictions in this window: call predict in this environment and the challenger's answers are logged beside the champion's.</Empty>}
      <table>
        <caption class="visually-hidden">Challenger figures</caption>
        <tbody>
          <tr><th scope="row">Rows the champion answered</th><td class="num">{formatNumber(report.liveRows)}</td></tr>
          <tr><th scope="row">Rows the challenger answered or scored</th><td class="num">{formatNumber(report.challengerRows)}</td></tr>
          <tr><th scope="row">Rows compared one to one</th><td class="num">{formatNumber(report.comparedRows)}</td></tr>
          <tr><th scope="row">Agreement (same label)</th><td class="num">{report.agreement == null ? '—' : `${formatNumber(report.agreement * 100, 3)} %`}</td></tr>
          <tr><th scope="row">Mean |challenger − champion|</th><td class="num">{formatNumber(report.meanAbsoluteDifference)}</td></tr>
          <tr><th scope="row">Mean relative difference</th><td class="num">{report.meanRelativeDifference == null ? '—' : `${formatNumber(report.meanRelativeDifference * 100, 3)} %`}</td></tr>
          <tr><th scope="row">Score PSI (above 0.25: they score very differently)</th><td class="num">{formatNumber(report.scorePsi)}</td></tr>
          <tr><th scope="row">Realised {report.realisedMetric ?? 'metric'}: champion / challenger</th><td class="num">{report.realisedMetric ? `${formatNumber(report.liveRealised)} / ${formatNumber(report.challengerRealised)} (${report.rowsWithOutcomes} rows)` : 'no outcomes recorded (recordOutcomes)'}</td></tr>
        </tbody>
      </table>
      {report.latency.length > 0 && (
        <table>
          <caption>Latency per version</caption>
          <thead><tr><th scope="col">Version</th><th scope="col">Route</th><th scope="col" class="num">Rows</th><th scope="col" class="num">Mean ms</th><th scope="col" class="num">p95 ms</th></tr></thead>
          <tbody>
            {report.latency.map((l) => (
              <tr key={`${l.modelVersion.id}-${l.route}`}>
                <th scope="row"><a href={href('versions', l.modelVersion.id)}>v{l.modelVersion.version}</a></th>
                <td><Badge value={l.route} /></td>
                <td class="num">{formatNumber(l.rows)}</td>
                <td class="num">{formatNumber(l.meanMs, 3)}</td>
                <td class="num">{formatNumber(l.p95Ms, 3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

type Outcomes = ConsoleOutcomeReportQuery['outcomeReport'];

function OutcomeReport({ modelId, environment }: { modelId: string; environment: Environment }) {
  const [bucket, setBucket] = useState<OutcomeBucket>('WEEK');
  const { data, error, loading, reload } = useQuery(OutcomeReportDocument, { modelId, environment, bucket });
  const report = data?.outcomeReport;
  return (
    <section class="report" aria-labelledby="outcome-title" data-testid="outcome-report">
      <div class="section-head">
        <h3 id="outcome-title">Outcomes: predictions against what happened</h3>
        <div class="toolbar">
          <label for="outcome-bucket">Per</label>
          <select id="outcome-bucket" value={bucket} onChange={(e) => setBucket((e.target as HTMLSelectElement).value as OutcomeBucket)}>
            <option value="DAY">day</option><option value="WEEK">week</option><option value="MONTH">month</option>
          </select>
          <button type="button" class="secondary" onClick={reload} disabled={loading}>Refresh</button>
        </div>
      </div>
      <ErrorBox error={error} />
      {loading && !report && <Loading what="the outcome report" />}
      {report && <OutcomeBody report={report} environment={environment} />}
    </section>
  );
}

function OutcomeBody({ report, environment }: { report: Outcomes; environment: string }) {
  const calibration = useMemo<ChartOption>(() => ({
    grid: { left: 55, right: 20, top: 40, bottom: 45 },
    legend: { top: 0 },
    tooltip: { trigger: 'item' },
    xAxis: { type: 'value', min: 0, max: 1, name: 'mean predicted probability', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', min: 0, max: 1, name: 'observed rate' },
    series: [
      { type: 'line', name: 'perfect calibration', data: [[0, 0], [1, 1]], symbol: 'none', lineStyle: { type: 'dashed', color: '#4b5563' }, itemStyle: { color: '#4b5563' } },
      { type: 'line', name: 'this model', data: report.calibration.map((b) => [b.meanPredicted, b.observedRate, b.count]), symbolSize: 8 },
    ],
  }), [report]);
  const total = report.total;
  if (total.predictions === 0) {
    return <Empty>No predictions in this window ({formatTime(report.from)} to {formatTime(report.to)}): deploy a version to {environment} and call <code>predict</code>, then send what happened with <code>recordOutcomes</code>.</Empty>;
  }
  return (
    <>
      <p>
        {formatNumber(total.predictions)} predictions from {formatTime(report.from)} to {formatTime(report.to)}, {formatNumber(total.outcomes)} with a recorded outcome.
        {total.outcomes === 0 && ' Send outcomes with recordOutcomes (by prediction id) to see the realised figures.'}
      </p>
      <table>
        <caption>Per period</caption>
        <thead><tr>
          <th scope="col">From</th><th scope="col" class="num">Predictions</th><th scope="col" class="num">Outcomes</th>
          <th scope="col" class="num">AUC</th><th scope="col" class="num">Accuracy</th><th scope="col" class="num">Positive rate</th><th scope="col" class="num">Predicted rate</th>
          <th scope="col" class="num">RMSE</th><th scope="col" class="num">MAE</th><th scope="col" class="num">Estimated AUC (CBPE)</th>
        </tr></thead>
        <tbody>
          {[...report.periods, { ...total, total: true }].map((p) => <PeriodRow key={p.from + ('total' in p ? 'total' : '')} period={p} total={'total' in p} />)}
        </tbody>
      </table>
      {report.calibration.length > 0 ? (
        <EChart title="Calibration: observed rate against mean predicted probability, per bin" option={calibration} height={320} testId="calibration-chart" />
      ) : (
        <Empty>No calibration yet: it needs a binary classifier's predictions with recorded outcomes.</Empty>
      )}
    </>
  );
}

function PeriodRow({ period: p, total }: { period: ConsoleOutcomePeriodFragment; total: boolean }) {
  const r = p.realised;
  return (
    <tr class={total ? 'total' : undefined}>
      <th scope="row">{total ? 'Whole window' : formatTime(p.from)}</th>
      <td class="num">{formatNumber(p.predictions)}</td>
      <td class="num">{formatNumber(p.outcomes)}</td>
      <td class="num">{formatNumber(r.auc)}</td>
      <td class="num">{formatNumber(r.accuracy)}</td>
      <td class="num">{formatNumber(r.positiveRate)}</td>
      <td class="num">{formatNumber(r.predictedRate)}</td>
      <td class="num">{formatNumber(r.rmse)}</td>
      <td class="num">{formatNumber(r.mae)}</td>
      <td class="num">{formatNumber(p.estimated?.auc)}</td>
    </tr>
  );
}
