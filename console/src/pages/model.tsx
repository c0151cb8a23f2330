import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, execute, subscribe } from '../api/client';
import { asApiError, useMutation, useQuery } from '../api/hooks';
import { useCan } from '../api/viewer';
import { graphql } from '../gql';
import type {
  ConsoleDeployModelVersionMutation, ConsoleDeploymentEntryFragment, ConsoleModelChallengerQuery, ConsoleModelQuery, ConsoleModelRunFragment, Environment,
} from '../gql/graphql';
import { href, type Route } from '../router';
import { Badge, Empty, ErrorBox, Facts, formatNumber, formatTime, Loading, Section } from '../ui/components';
import { Decided, GateCell, RequestsTable, useRequestUpdates, type DeploymentRequestInfo } from './approvals';
import { ModelsPage } from './models';
import './model.css';

const ModelDocument = graphql(`
  query ConsoleModel($id: ID!) {
    model(id: $id) {
      id name description task architecture featureColumns targetColumn requiresApproval archived createdAt updatedAt
      promotionGate { metric threshold mustBeatCurrent }
      versions(first: 50) { totalCount edges { node { id version createdAt metrics trainingRun { id } } } }
      trainingRuns(first: 50) { totalCount edges { node { ...ConsoleModelRun } } }
    }
  }
  fragment ConsoleModelRun on TrainingRun {
    id status progress epochsCompleted queuedAt startedAt finishedAt
    modelVersion { id version }
  }
`);

const HistoryDocument = graphql(`
  query ConsoleModelDeploymentHistory($id: ID!) {
    TEST: deploymentHistory(modelId: $id, environment: TEST, first: 20) { totalCount edges { node { ...ConsoleDeploymentEntry } } }
    PREVIEW: deploymentHistory(modelId: $id, environment: PREVIEW, first: 20) { totalCount edges { node { ...ConsoleDeploymentEntry } } }
    PRODUCTION: deploymentHistory(modelId: $id, environment: PRODUCTION, first: 20) { totalCount edges { node { ...ConsoleDeploymentEntry } } }
  }
  fragment ConsoleDeploymentEntry on Deployment {
    id action deployedAt deployedBy reason
    modelVersion { id version }
    restores { id modelVersion { version } }
    request { id requestedBy createdAt reason decidedBy decidedAt decisionComment }
  }
`);

const ModelRequestsDocument = graphql(`
  query ConsoleModelDeploymentRequests($id: ID!) {
    deploymentRequests(first: 20, filter: { modelId: $id }) {
      totalCount
      edges { node { ...ConsoleDeploymentRequest } }
    }
  }
`);

const ChallengerDocument = graphql(`
  query ConsoleModelChallenger($id: ID!, $environment: Environment!) {
    challengerReport(modelId: $id, environment: $environment) {
      challenger {
        id mode trafficPercent startedAt startedBy reason endedAt
        modelVersion { id version }
        champion { id version }
      }
      liveRows challengerRows
    }
  }
`);

const RunsUpdatedDocument = graphql(`
  subscription ConsoleModelRunsUpdated($modelId: ID!) {
    trainingRunUpdated(modelId: $modelId) { ...ConsoleModelRun }
  }
`);

const DeployDocument = graphql(`
  mutation ConsoleDeployModelVersion($input: DeployModelVersionInput!) {
    deployModelVersion(input: $input) { ...ConsoleDeployOutcome }
  }
  fragment ConsoleDeployOutcome on DeployOutcome {
    __typename
    ... on Deployment { id environment modelVersion { version } }
    ... on DeploymentRequest { id environment mode modelVersion { version } gate { passed summary } }
    ... on Challenger { id environment mode trafficPercent modelVersion { version } }
  }
`);

const RollbackDocument = graphql(`
  mutation ConsoleRollbackDeployment($input: RollbackDeploymentInput!) {
    rollbackDeployment(input: $input) { id environment modelVersion { version } }
  }
`);

const PromoteChallengerDocument = graphql(`
  mutation ConsolePromoteChallenger($input: ChallengerInput!) {
    promoteChallenger(input: $input) { ...ConsoleDeployOutcome }
  }
`);

const EndChallengerDocument = graphql(`
  mutation ConsoleEndChallenger($input: ChallengerInput!) {
    endChallenger(input: $input) { id environment modelVersion { version } }
  }
`);

const ENVIRONMENTS: Environment[] = ['TEST', 'PREVIEW', 'PRODUCTION'];
const ENDED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'STOPPED_EARLY']);
/** The metrics a version's row shows first, when it has them. */
const KEY_METRICS = ['auc', 'accuracy', 'f1', 'logLoss', 'r2', 'rmse', 'mae', 'skill', 'mape', 'val_loss', 'loss'];
/** Gate metrics where lower is better (the threshold is a ceiling). */
const LOWER_IS_BETTER = new Set(['logLoss', 'rmse', 'mae', 'mape', 'mase', 'relativeRmse', 'maxDrawdown']);

type Model = NonNullable<ConsoleModelQuery['model']>;
type Version = Model['versions']['edges'][number]['node'];
type Challenger = ConsoleModelChallengerQuery['challengerReport']['challenger'];
type Outcome = ConsoleDeployModelVersionMutation['deployModelVersion'];

/** `#/models` is the list, `#/models/<id>` one model. */
export function ModelsRoute({ route }: { route: Route }) {
  return route.parts[1] ? <ModelPage route={route} /> : <ModelsPage route={route} />;
}

/** The running challenger of each environment (null where none runs), re-read on `tick`. */
function useChallengers(modelId: string, tick: number) {
  const [state, setState] = useState<{ byEnvironment: Partial<Record<Environment, Challenger>>; error: ApiError | null }>({ byEnvironment: {}, error: null });
  useEffect(() => {
    let current = true;
    Promise.all(ENVIRONMENTS.map(async (environment) => {
      try {
        const { challengerReport } = await execute(ChallengerDocument, { id: modelId, environment });
        return [environment, challengerReport.challenger.endedAt ? null : challengerReport.challenger] as const;
      } catch (error) {
        // NOT_FOUND: the model never had a challenger there.
        if (error instanceof ApiError && error.code === 'NOT_FOUND') return [environment, null] as const;
        throw error;
      }
    })).then(
      (entries) => { if (current) setState({ byEnvironment: Object.fromEntries(entries.filter(([, c]) => c)), error: null }); },
      (error) => { if (current) setState((previous) => ({ ...previous, error: asApiError(error) })); },
    );
    return () => { current = false; };
  }, [modelId, tick]);
  return state;
}

/**
 * One model: what it is, its versions and runs, what serves in each environment with the history
 * (who, when, why, approved by whom), deploy, roll back and challenger actions for roles that may,
 * and its deployment requests with approve and reject; requests and decisions arrive live.
 */
export function ModelPage({ route }: { route: Route }) {
  const id = route.parts[1] ?? '';
  const can = useCan();
  const model = useQuery(ModelDocument, { id });
  const history = useQuery(HistoryDocument, { id });
  const requests = useQuery(ModelRequestsDocument, { id });
  const [challengerTick, setChallengerTick] = useState(0);
  const challengers = useChallengers(id, challengerTick);
  const [liveRuns, setLiveRuns] = useState<Map<string, ConsoleModelRunFragment>>(new Map());
  const [outcome, setOutcome] = useState<ComponentChildren>(null);
  const [decided, setDecided] = useState<DeploymentRequestInfo | null>(null);
  const [form, setForm] = useState<'deploy' | 'challenger' | null>(null);

  const refreshDeployments = useCallback(() => {
    history.reload();
    requests.reload();
    model.reload();
    setChallengerTick((t) => t + 1);
  }, [history.reload, requests.reload, model.reload]);
  useRequestUpdates(id, refreshDeployments);
  useEffect(() => {
    setLiveRuns(new Map());
    return subscribe(RunsUpdatedDocument, { modelId: id }, {
      next: ({ trainingRunUpdated: run }) => {
        setLiveRuns((previous) => new Map(previous).set(run.id, run));
        // A new run, or one that made a version: the lists need the server's answer.
        if (ENDED.has(run.status)) model.reload();
      },
    });
  }, [id]);

  if (model.loading && !model.data) return <Loading what="the model" />;
  const m = model.data?.model;
  if (!m) return <><h1>Model</h1><ErrorBox error={model.error} />{!model.error && <Empty>No model with id {id}. Go back to the <a href={href('models')}>models</a>.</Empty>}</>;

  const versions = m.versions.edges.map((e) => e.node);
  const known = new Set(m.trainingRuns.edges.map((e) => e.node.id));
  const runs = [
    ...[...liveRuns.values()].filter((run) => !known.has(run.id)).reverse(),
    ...m.trainingRuns.edges.map((e) => liveRuns.get(e.node.id) ?? e.node),
  ];
  const liveIn = new Map<string, Environment[]>();
  for (const environment of ENVIRONMENTS) {
    const live = history.data?.[environment].edges[0]?.node;
    if (live) liveIn.set(live.modelVersion.id, [...(liveIn.get(live.modelVersion.id) ?? []), environment]);
  }
  const onOutcome = (result: Outcome | null, message?: ComponentChildren) => {
    setOutcome(result ? <OutcomeMessage outcome={result} /> : message);
    setForm(null);
    refreshDeployments();
  };
  const canDeploy = can('Mutation.deployModelVersion');

  return (
    <>
      <h1>{m.name} <span class="muted">model</span></h1>
      {m.description && <p>{m.description}</p>}
      <ErrorBox error={model.error} />
      <Facts items={[
        ['Task', m.task],
        ['Architecture', m.architecture],
        ['Features', <span class="features">{m.featureColumns.join(', ')}</span>],
        ['Target', m.targetColumn],
        ['Requires approval', m.requiresApproval ? 'Yes: PRODUCTION needs a second person (maker-checker)' : 'No'],
        ['Promotion gate', m.promotionGate ? gateText(m.promotionGate) : 'none'],
        ['Created', formatTime(m.createdAt)],
        ['Archived', m.archived ? 'yes' : 'no'],
      ]} />

      <Section title="Versions">
        {versions.length === 0
          ? <Empty>No versions yet: train one with the <code>startTrainingRun</code> mutation (see <a href="/graphiql">GraphiQL</a>).</Empty>
          : (
            <table>
              <caption class="visually-hidden">Versions of {m.name}, newest first</caption>
              <thead><tr><th scope="col">Version</th><th scope="col">Created</th><th scope="col">Key metrics</th><th scope="col">Live in</th><th scope="col">Training run</th></tr></thead>
              <tbody>
                {versions.map((version) => (
                  <tr key={version.id}>
                    <th scope="row"><a href={href('versions', version.id)}>v{version.version}</a></th>
                    <td>{formatTime(version.createdAt)}</td>
                    <td><KeyMetrics metrics={version.metrics} /></td>
                    <td>{liveIn.get(version.id)?.map((environment) => <Badge key={environment} value={environment} />) ?? <span class="muted">—</span>}</td>
                    <td>{version.trainingRun ? <a href={href('runs', version.trainingRun.id)}>{version.trainingRun.id}</a> : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        {m.versions.totalCount > versions.length && <p class="muted">The newest {versions.length} of {m.versions.totalCount} versions.</p>}
      </Section>

      <RunsSection runs={runs} total={Math.max(m.trainingRuns.totalCount, runs.length)} />

      <Section title="Deployments" actions={canDeploy && (
        <div class="actions">
          <button type="button" aria-expanded={form === 'deploy'} onClick={() => setForm(form === 'deploy' ? null : 'deploy')} disabled={versions.length === 0}>Deploy a version…</button>
          <button type="button" class="secondary" aria-expanded={form === 'challenger'} onClick={() => setForm(form === 'challenger' ? null : 'challenger')} disabled={versions.length === 0}>Start challenger…</button>
        </div>
      )}>
        {canDeploy && form && <DeployForm key={form} kind={form} versions={versions} onDone={onOutcome} onCancel={() => setForm(null)} />}
        <div aria-live="polite">{outcome}</div>
        <ErrorBox error={history.error ?? challengers.error} />
        {history.loading && !history.data && <Loading what="the deployments" />}
        {history.data && ENVIRONMENTS.map((environment) => (
          <EnvironmentPanel
            key={environment}
            modelId={m.id}
            environment={environment}
            entries={history.data![environment].edges.map((e) => e.node)}
            total={history.data![environment].totalCount}
            challenger={challengers.byEnvironment[environment] ?? null}
            onDone={onOutcome}
          />
        ))}
      </Section>

      <Section title="Deployment requests">
        <ErrorBox error={requests.error} />
        <Decided request={decided} />
        {requests.data && requests.data.deploymentRequests.edges.length === 0 && (
          <Empty>No deployment requests: a PRODUCTION deploy{m.requiresApproval ? '' : ' (once the model requires approval)'} waits here for an APPROVER.</Empty>
        )}
        {requests.data && requests.data.deploymentRequests.edges.length > 0 && (
          <RequestsTable
            caption={`Deployment requests of ${m.name}, newest first`}
            requests={requests.data.deploymentRequests.edges.map((e) => e.node)}
            onDecided={(request) => { setDecided(request); refreshDeployments(); }}
          />
        )}
      </Section>
    </>
  );
}

function gateText(gate: NonNullable<Model['promotionGate']>): string {
  const parts = [gate.metric];
  if (gate.threshold !== null && gate.threshold !== undefined) parts.push(`${LOWER_IS_BETTER.has(gate.metric) ? '≤' : '≥'} ${formatNumber(gate.threshold)}`);
  if (gate.mustBeatCurrent) parts.push('and at least as good as the live PRODUCTION version');
  return parts.join(' ');
}

function KeyMetrics({ metrics }: { metrics: Record<string, unknown> }) {
  const numeric = Object.entries(metrics).filter((entry): entry is [string, number] => typeof entry[1] === 'number');
  const shown = [
    ...KEY_METRICS.flatMap((name) => numeric.filter(([key]) => key === name)),
    ...numeric.filter(([key]) => !KEY_METRICS.includes(key)),
  ].slice(0, 4);
  if (shown.length === 0) return <span class="muted">none recorded</span>;
  return <span class="metrics">{shown.map(([name, value]) => <span key={name}><span class="muted">{name}</span> {formatNumber(value)}</span>)}</span>;
}

/** The runs, with checkboxes to pick two or more for the comparison page. */
function RunsSection({ runs, total }: { runs: ConsoleModelRunFragment[]; total: number }) {
  const [picked, setPicked] = useState<string[]>([]);
  const toggle = (runId: string, on: boolean) => setPicked((previous) => (on ? [...previous, runId] : previous.filter((p) => p !== runId)));
  const compare = `#/compare?runs=${picked.map(encodeURIComponent).join(',')}`;
  return (
    <Section title="Training runs" actions={runs.length > 1 && (
      picked.length >= 2
        ? <a class="button-link" href={compare}>Compare {picked.length} runs</a>
        : <span class="muted">Pick two or more runs to compare them</span>
    )}>
      {runs.length === 0 && <Empty>No runs yet: start one with the <code>startTrainingRun</code> mutation.</Empty>}
      {runs.length > 0 && (
        <table>
          <caption class="visually-hidden">Training runs, newest first</caption>
          <thead><tr><th scope="col"><span class="visually-hidden">Compare</span></th><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Started</th><th scope="col">Finished</th><th scope="col">Version made</th></tr></thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id}>
                <td><input type="checkbox" id={`pick-${run.id}`} checked={picked.includes(run.id)} onChange={(e) => toggle(run.id, (e.target as HTMLInputElement).checked)} aria-label={`Compare run ${run.id}`} /></td>
                <th scope="row"><a href={href('runs', run.id)}>{run.id}</a></th>
                <td><Badge value={run.status} /></td>
                <td class="progress-cell">
                  <progress max={1} value={run.progress} aria-label={`Progress of run ${run.id}`}>{Math.round(run.progress * 100)} %</progress>
                  <span>{Math.round(run.progress * 100)} %</span>
                </td>
                <td>{formatTime(run.startedAt ?? null) === '—' ? <span class="muted">queued {formatTime(run.queuedAt)}</span> : formatTime(run.startedAt)}</td>
                <td>{formatTime(run.finishedAt)}</td>
                <td>{run.modelVersion ? <a href={href('versions', run.modelVersion.id)}>v{run.modelVersion.version}</a> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {total > runs.length && <p class="muted">The newest {runs.length} of {total} runs.</p>}
    </Section>
  );
}

function OutcomeMessage({ outcome }: { outcome: Outcome }) {
  if (outcome.__typename === 'Deployment') {
    return <p class="outcome ok-box" data-outcome="Deployment">Deployed: v{outcome.modelVersion.version} is live in {outcome.environment}.</p>;
  }
  if (outcome.__typename === 'DeploymentRequest') {
    return (
      <div class="outcome pending-box" data-outcome="DeploymentRequest">
        <p><strong>Pending approval</strong>: v{outcome.modelVersion.version} for {outcome.environment}{outcome.mode === 'CANARY' ? ' (canary)' : ''} waits for an APPROVER (request <code>{outcome.id}</code>).</p>
        <p>Gate check: <GateCell gate={outcome.gate ?? null} /></p>
      </div>
    );
  }
  return (
    <p class="outcome ok-box" data-outcome="Challenger">
      Challenger started: v{outcome.modelVersion.version} runs beside the live version in {outcome.environment} as {outcome.mode}{outcome.trafficPercent ? ` (${outcome.trafficPercent} % of requests)` : ''}.
    </p>
  );
}

/** Deploy (LIVE) or start a challenger (SHADOW, CANARY): version, environment, reason. */
function DeployForm({ kind, versions, onDone, onCancel }: { kind: 'deploy' | 'challenger'; versions: Version[]; onDone(outcome: Outcome): void; onCancel(): void }) {
  const deploy = useMutation(DeployDocument);
  const [versionId, setVersionId] = useState(versions[0]?.id ?? '');
  const [environment, setEnvironment] = useState<Environment>('TEST');
  const [mode, setMode] = useState<'SHADOW' | 'CANARY'>('SHADOW');
  const [traffic, setTraffic] = useState('10');
  const [reason, setReason] = useState('');
  const [allowSignatureChange, setAllowSignatureChange] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const result = await deploy.run({
      input: {
        modelVersionId: versionId, environment, reason: reason.trim() || null, allowSignatureChange,
        mode: kind === 'deploy' ? 'LIVE' : mode,
        trafficPercent: kind === 'challenger' && mode === 'CANARY' ? Number(traffic) : null,
      },
    });
    if (result) onDone(result.deployModelVersion);
  };
  const title = kind === 'deploy' ? 'Deploy a version' : 'Start a challenger';
  return (
    <form class="panel-form" onSubmit={submit} aria-label={title}>
      <h3>{title}</h3>
      {kind === 'challenger' && <p class="muted">A challenger runs beside the live version: SHADOW sees every request and answers none (no gate, no approval); CANARY answers a share of requests and goes through the gate and approval like a deploy.</p>}
      {kind === 'deploy' && <p class="muted">PRODUCTION must pass the promotion gate, and a model that requires approval makes a pending request for an APPROVER instead of deploying.</p>}
      <div class="form-grid">
        <label for="deploy-version">Version</label>
        <select id="deploy-version" value={versionId} onChange={(e) => setVersionId((e.target as HTMLSelectElement).value)}>
          {versions.map((v) => <option key={v.id} value={v.id}>v{v.version} ({formatTime(v.createdAt)})</option>)}
        </select>
        <label for="deploy-environment">Environment</label>
        <select id="deploy-environment" value={environment} onChange={(e) => setEnvironment((e.target as HTMLSelectElement).value as Environment)}>
          {ENVIRONMENTS.map((env) => <option key={env} value={env}>{env}</option>)}
        </select>
        {kind === 'challenger' && <>
          <label for="deploy-mode">Mode</label>
          <select id="deploy-mode" value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value as 'SHADOW' | 'CANARY')}>
            <option value="SHADOW">SHADOW (answers none)</option>
            <option value="CANARY">CANARY (answers a share)</option>
          </select>
          {mode === 'CANARY' && <>
            <label for="deploy-traffic">Traffic percent</label>
            <input id="deploy-traffic" type="number" min={1} max={99} value={traffic} onInput={(e) => setTraffic((e.target as HTMLInputElement).value)} />
          </>}
        </>}
        <label for="deploy-reason">Reason</label>
        <input id="deploy-reason" type="text" maxLength={2000} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        <span />
        <label class="check"><input type="checkbox" checked={allowSignatureChange} onChange={(e) => setAllowSignatureChange((e.target as HTMLInputElement).checked)} /> Allow an input signature change</label>
      </div>
      <div class="actions">
        <button type="submit" disabled={deploy.running || !versionId}>{kind === 'deploy' ? 'Deploy' : 'Start challenger'}</button>
        <button type="button" class="secondary" onClick={onCancel}>Cancel</button>
      </div>
      <ErrorBox error={deploy.error} />
    </form>
  );
}

/** One environment: the live version, a running challenger, roll back, and the history. */
function EnvironmentPanel({ modelId, environment, entries, total, challenger, onDone }: {
  modelId: string; environment: Environment; entries: ConsoleDeploymentEntryFragment[]; total: number; challenger: Challenger | null;
  onDone(outcome: Outcome | null, message?: ComponentChildren): void;
}) {
  const can = useCan();
  const live = entries[0] ?? null;
  const [rolling, setRolling] = useState(false);
  const headingId = `env-${environment.toLowerCase()}`;
  return (
    <section class="environment" aria-labelledby={headingId} data-environment={environment}>
      <div class="environment-head">
        <h3 id={headingId}>{environment}</h3>
        <span data-testid={`live-${environment}`}>
          {live
            ? <>Live: <a href={href('versions', live.modelVersion.id)}>v{live.modelVersion.version}</a> <span class="muted">since {formatTime(live.deployedAt)} by {live.deployedBy ?? '—'}</span></>
            : <span class="muted">Nothing deployed</span>}
        </span>
        {live && total > 1 && can('Mutation.rollbackDeployment') && (
          <button type="button" class="secondary" aria-expanded={rolling} onClick={() => setRolling(!rolling)}>Roll back {environment}…</button>
        )}
      </div>
      {rolling && <RollbackForm modelId={modelId} environment={environment} onDone={(message) => { setRolling(false); onDone(null, message); }} />}
      {challenger && <ChallengerBox modelId={modelId} environment={environment} challenger={challenger} onDone={onDone} />}
      {entries.length === 0
        ? <Empty>No deployments to {environment} yet{can('Mutation.deployModelVersion') ? ': use “Deploy a version” above.' : '.'}</Empty>
        : (
          <table class="history">
            <caption class="visually-hidden">Deployment history of {environment}, newest first</caption>
            <thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Version</th><th scope="col">By</th><th scope="col">Reason</th><th scope="col">Request and approval</th></tr></thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatTime(entry.deployedAt)}</td>
                  <td>{entry.action}{entry.restores && <span class="muted"> (to v{entry.restores.modelVersion.version})</span>}</td>
                  <td><a href={href('versions', entry.modelVersion.id)}>v{entry.modelVersion.version}</a></td>
                  <td>{entry.deployedBy ?? '—'}</td>
                  <td>{entry.reason ?? <span class="muted">—</span>}</td>
                  <td>
                    {entry.request
                      ? <>Requested by {entry.request.requestedBy ?? '—'} <span class="muted">{formatTime(entry.request.createdAt)}</span>{entry.request.reason && <> (“{entry.request.reason}”)</>};
                        {' '}approved by <strong>{entry.request.decidedBy ?? '—'}</strong> <span class="muted">{formatTime(entry.request.decidedAt)}</span>{entry.request.decisionComment && <>: “{entry.request.decisionComment}”</>}</>
                      : <span class="muted">no approval needed</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      {total > entries.length && <p class="muted">The newest {entries.length} of {total} deployments.</p>}
    </section>
  );
}

function RollbackForm({ modelId, environment, onDone }: { modelId: string; environment: Environment; onDone(message: ComponentChildren): void }) {
  const rollback = useMutation(RollbackDocument);
  const [reason, setReason] = useState('');
  const id = `rollback-reason-${environment}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    const result = await rollback.run({ input: { modelId, environment, reason: reason.trim() || null } });
    if (result) onDone(<p class="outcome ok-box" data-outcome="Rollback">Rolled back: v{result.rollbackDeployment.modelVersion.version} is live in {environment} again.</p>);
  };
  return (
    <form class="inline-form" onSubmit={submit} aria-label={`Roll back ${environment}`}>
      <label for={id}>Reason for the rollback</label>
      <input id={id} type="text" maxLength={2000} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
      <button type="submit" class="danger" disabled={rollback.running}>Confirm roll back</button>
      <ErrorBox error={rollback.error} />
    </form>
  );
}

function ChallengerBox({ modelId, environment, challenger, onDone }: { modelId: string; environment: Environment; challenger: NonNullable<Challenger>; onDone(outcome: Outcome | null, message?: ComponentChildren): void }) {
  const can = useCan();
  const promote = useMutation(PromoteChallengerDocument);
  const end = useMutation(EndChallengerDocument);
  const [reason, setReason] = useState('');
  const id = `challenger-reason-${environment}`;
  const canPromote = can('Mutation.promoteChallenger');
  const canEnd = can('Mutation.endChallenger');
  const onPromote = async () => {
    const result = await promote.run({ input: { modelId, environment, reason: reason.trim() || null } });
    if (result) onDone(result.promoteChallenger);
  };
  const onEnd = async () => {
    const result = await end.run({ input: { modelId, environment, reason: reason.trim() || null } });
    if (result) onDone(null, <p class="outcome ok-box" data-outcome="ChallengerEnded">Challenger ended: v{result.endChallenger.modelVersion.version} no longer runs in {environment}.</p>);
  };
  return (
    <div class="challenger" data-testid={`challenger-${environment}`}>
      <p>
        <strong>Challenger</strong> <a href={href('versions', challenger.modelVersion.id)}>v{challenger.modelVersion.version}</a> in <Badge value={challenger.mode} /> {challenger.mode}
        {challenger.trafficPercent ? ` (${challenger.trafficPercent} % of requests)` : ''} against v{challenger.champion.version},
        {' '}since {formatTime(challenger.startedAt)} by {challenger.startedBy ?? '—'}{challenger.reason && <> (“{challenger.reason}”)</>}.
      </p>
      {(canPromote || canEnd) && (
        <div class="inline-form">
          <label for={id}>Reason for promoting or ending it</label>
          <input id={id} type="text" maxLength={2000} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          {canPromote && <button type="button" onClick={onPromote} disabled={promote.running || end.running}>Promote challenger</button>}
          {canEnd && <button type="button" class="danger" onClick={onEnd} disabled={promote.running || end.running}>End challenger</button>}
        </div>
      )}
      <ErrorBox error={promote.error ?? end.error} />
    </div>
  );
}
