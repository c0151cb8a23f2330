import { useEffect, useState } from 'preact/hooks';
import { subscribe } from '../api/client';
import { useMutation, useQuery } from '../api/hooks';
import { useMetricStream, type MetricColumns } from '../api/metric-stream';
import { useCan } from '../api/viewer';
import { graphql } from '../gql';
import type { ConsoleRunQuery } from '../gql/graphql';
import { href, type Route } from '../router';
import { Badge, Empty, ErrorBox, Facts, formatDuration, formatNumber, formatTime, Loading, Section } from '../ui/components';
import { TimeChart } from '../ui/time-chart';

const RunDocument = graphql(`
  query ConsoleRun($id: ID!) {
    trainingRun(id: $id) {
      ...ConsoleRunState
      seed backend queuedAt attempts workerId
      hyperparameters { epochs batchSize learningRate hiddenUnits dropout l2 patience }
      model { id name task architecture }
      datasetVersion { id version dataset { id name } }
      sweep { id }
    }
  }
  fragment ConsoleRunState on TrainingRun {
    id status progress epochsCompleted startedAt finishedAt error
    modelVersion { id version evaluation { id } }
  }
`);

const RunUpdatedDocument = graphql(`
  subscription ConsoleRunUpdated($runId: ID!) {
    trainingRunUpdated(runId: $runId) { ...ConsoleRunState }
  }
`);

const CancelDocument = graphql(`
  mutation ConsoleCancelRun($id: ID!) {
    cancelTrainingRun(id: $id) { ...ConsoleRunState }
  }
`);

type RunState = Pick<NonNullable<ConsoleRunQuery['trainingRun']>, 'id' | 'status' | 'progress' | 'epochsCompleted' | 'startedAt' | 'finishedAt' | 'error' | 'modelVersion'>;

const ENDED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'STOPPED_EARLY']);
/** Throughput and schedule metrics: useful numbers, but not curves to read a fit from. */
const NOT_CHARTED = new Set(['samples_per_second', 'learning_rate', 'batch_loss']);

/** One training run: status, progress, ETA, live loss and metric curves that resume after a reconnect, and cancel. */
export function RunPage({ route }: { route: Route }) {
  const id = route.parts[1] ?? '';
  const { data, error, loading } = useQuery(RunDocument, { id });
  const [live, setLive] = useState<RunState | null>(null);
  const metrics = useMetricStream(id);
  const cancel = useMutation(CancelDocument);
  const can = useCan();
  useEffect(() => {
    setLive(null);
    return subscribe(RunUpdatedDocument, { runId: id }, { next: ({ trainingRunUpdated }) => setLive(trainingRunUpdated) });
  }, [id]);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  if (loading && !data) return <Loading what="the run" />;
  const run = data?.trainingRun;
  if (!run) return <><h1>Training run</h1><ErrorBox error={error} />{!error && <Empty>No run with id {id}.</Empty>}</>;
  const state: RunState = live ?? run;
  const ended = ENDED.has(state.status);
  const elapsed = state.startedAt ? ((state.finishedAt ? Date.parse(state.finishedAt) : now) - Date.parse(state.startedAt)) / 1000 : 0;
  const eta = !ended && state.progress > 0.02 ? (elapsed * (1 - state.progress)) / state.progress : NaN;
  const onCancel = async () => {
    const result = await cancel.run({ id });
    if (result) setLive(result.cancelTrainingRun);
  };
  return (
    <>
      <h1>Run {run.id} <span class="muted">of</span> <a href={href('models', run.model.id)}>{run.model.name}</a></h1>
      <div class="status-line" aria-live="polite">
        <Badge value={state.status} />
        <progress max={1} value={state.progress} aria-label="Progress">{Math.round(state.progress * 100)} %</progress>
        <span data-testid="progress">{Math.round(state.progress * 100)} %</span>
        <span>epoch {state.epochsCompleted} of {run.hyperparameters.epochs}</span>
        {!ended && <span>ETA {formatDuration(eta)}</span>}
        {!ended && can('Mutation.cancelTrainingRun') && (
          <button type="button" class="danger" onClick={onCancel} disabled={cancel.running}>Cancel run</button>
        )}
      </div>
      <ErrorBox error={cancel.error ?? error} />
      {state.error && <p class="error" role="alert">{state.error}</p>}
      <MetricCharts metrics={metrics} ended={ended} />
      <Section title="Details">
        <Facts items={[
          ['Model', <a href={href('models', run.model.id)}>{run.model.name}</a>],
          ['Task', run.model.task],
          ['Architecture', run.model.architecture],
          ['Dataset', <a href={href('datasets', run.datasetVersion.dataset.id)}>{run.datasetVersion.dataset.name} v{run.datasetVersion.version}</a>],
          ['Version made', state.modelVersion ? <a href={href('versions', state.modelVersion.id)}>v{state.modelVersion.version}</a> : null],
          ['Evaluation', state.modelVersion?.evaluation ? <a href={href('evaluations', state.modelVersion.evaluation.id)}>open</a> : null],
          ['Queued', formatTime(run.queuedAt)],
          ['Started', formatTime(state.startedAt)],
          ['Finished', formatTime(state.finishedAt)],
          ['Elapsed', formatDuration(elapsed)],
          ['Seed', run.seed],
          ['Backend', run.backend],
          ['Attempts', run.attempts],
          ['Sweep', run.sweep ? <a href={href('sweeps', run.sweep.id)}>{run.sweep.id}</a> : null],
          ['Epochs', run.hyperparameters.epochs],
          ['Batch size', run.hyperparameters.batchSize],
          ['Learning rate', formatNumber(run.hyperparameters.learningRate)],
          ['Hidden units', run.hyperparameters.hiddenUnits.join(' × ') || '—'],
        ]} />
      </Section>
    </>
  );
}

function MetricCharts({ metrics, ended }: { metrics: MetricColumns; ended: boolean }) {
  const charted = [...metrics.series].filter(([name]) => !NOT_CHARTED.has(name));
  const losses = charted.filter(([name]) => name.endsWith('loss')).map(([label, values]) => ({ label, values }));
  const others = charted.filter(([name]) => !name.endsWith('loss')).map(([label, values]) => ({ label, values }));
  return (
    <Section title="Curves">
      <ErrorBox error={metrics.error} />
      {metrics.steps.length === 0 && (
        <Empty>{ended ? 'This run stored no metric points.' : 'No points yet: they appear here as soon as the first epoch ends.'}</Empty>
      )}
      <div class="charts" data-testid="curves" data-complete={metrics.complete ? 'true' : 'false'}>
        <TimeChart title="Loss by step" x={metrics.steps} series={losses} xLabel="step" />
        {others.length > 0 && <TimeChart title="Metrics by step" x={metrics.steps} series={others} xLabel="step" />}
      </div>
    </Section>
  );
}
