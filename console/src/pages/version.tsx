import { useQuery } from '../api/hooks';
import { graphql } from '../gql';
import { href, type Route } from '../router';
import { Badge, Empty, ErrorBox, Facts, formatNumber, formatTime, Loading, Section } from '../ui/components';
import { EvaluationView, type VersionData } from './evaluation';

const VersionDocument = graphql(`
  query ConsoleVersion($id: ID!) {
    modelVersion(id: $id) {
      ...ConsoleVersionFacts
      evaluation { ...ConsoleEvaluation }
    }
    evaluations(filter: { modelVersionId: $id }, first: 20) {
      totalCount
      edges { node { id split rowCount createdAt metrics { auc accuracy rmse mae } datasetVersion { id version dataset { id name } } } }
    }
  }
`);

/** `#/versions/<id>`: a model version's facts and metrics, and its evaluation in full. */
export function VersionPage({ route }: { route: Route }) {
  const id = route.parts[1] ?? '';
  const { data, error, loading, reload } = useQuery(VersionDocument, { id });
  if (loading && !data) return <Loading what="the version" />;
  const version = data?.modelVersion;
  if (!version) return <><h1>Model version</h1><ErrorBox error={error} />{!error && <Empty>No model version with id {id}.</Empty>}</>;
  const others = (data?.evaluations.edges ?? []).map((e) => e.node).filter((e) => e.id !== version.evaluation?.id);
  return (
    <div class="evaluation-page">
      <h1><a href={href('models', version.model.id)}>{version.model.name}</a> v{version.version}</h1>
      <ErrorBox error={error} />
      <VersionFacts version={version} withMetrics={!version.evaluation} />
      {version.evaluation
        ? <EvaluationView evaluation={version.evaluation} version={version} onChanged={reload} />
        : <Section title="Evaluation"><Empty>This version has no evaluation of its own: evaluate it with the <code>evaluateModelVersion</code> mutation.</Empty></Section>}
      {others.length > 0 && (
        <Section title="Other evaluations">
          <table>
            <caption class="visually-hidden">Other evaluations of this version</caption>
            <thead><tr><th scope="col">Evaluation</th><th scope="col">Split</th><th scope="col">Dataset</th><th scope="col" class="num">Rows</th><th scope="col">Key metric</th><th scope="col">Made</th></tr></thead>
            <tbody>
              {others.map((e) => {
                const key = (['auc', 'accuracy', 'rmse', 'mae'] as const).find((k) => typeof e.metrics[k] === 'number');
                return (
                  <tr key={e.id}>
                    <th scope="row"><a href={href('evaluations', e.id)}><code>{e.id}</code></a></th>
                    <td>{e.split}</td>
                    <td><a href={href('datasets', e.datasetVersion.dataset.id)}>{e.datasetVersion.dataset.name} v{e.datasetVersion.version}</a></td>
                    <td class="num">{formatNumber(e.rowCount)}</td>
                    <td>{key ? `${key} ${formatNumber(e.metrics[key] as number)}` : '—'}</td>
                    <td>{formatTime(e.createdAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Section>
      )}
    </div>
  );
}

export function VersionFacts({ version, withMetrics }: { version: VersionData; withMetrics: boolean }) {
  const metrics = Object.entries(version.metrics as Record<string, unknown>).filter(([, v]) => typeof v === 'number') as [string, number][];
  return (
    <Section title="Version">
      <Facts items={[
        ['Model', <a href={href('models', version.model.id)}>{version.model.name}</a>],
        ['Task', version.model.task],
        ['Architecture', version.model.architecture],
        ['Target', <code>{version.model.targetColumn}</code>],
        ['Made', formatTime(version.createdAt)],
        ['Trained on', version.datasetVersion ? <a href={href('datasets', version.datasetVersion.dataset.id)}>{version.datasetVersion.dataset.name} v{version.datasetVersion.version}</a> : null],
        ['Training run', version.trainingRun ? <><a href={href('runs', version.trainingRun.id)}>{version.trainingRun.id}</a> <Badge value={version.trainingRun.status} /></> : null],
        ['Seed', version.trainingRun?.seed],
        ['Features', version.featureSelection ? `${version.featureSelection.kept.join(', ')} (kept by ${version.featureSelection.method})` : `${version.signature?.features.length ?? 0}, all of the model's`],
        ['Version id', <code>{version.id}</code>],
      ]} />
      {withMetrics && metrics.length > 0 && (
        <dl class="key-metrics" aria-label="Metrics recorded when the version was made">
          {metrics.map(([name, value]) => <div key={name}><dt>{name}</dt><dd>{formatNumber(value)}</dd></div>)}
        </dl>
      )}
    </Section>
  );
}
