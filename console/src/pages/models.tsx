import { useState } from 'preact/hooks';
import { Pager, useCursorPages } from '../ui/pager';
import { useQuery } from '../api/hooks';
import { graphql } from '../gql';
import { href, type Route } from '../router';
import { Badge, Empty, ErrorBox, formatNumber, formatTime, Loading } from '../ui/components';

const ModelsDocument = graphql(`
  query ConsoleModels($first: Int!, $after: String, $nameContains: String) {
    models(first: $first, after: $after, filter: { nameContains: $nameContains }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node {
        id name task architecture updatedAt
        latestVersion { id version metrics }
        deployments { id environment modelVersion { id version } }
      } }
    }
  }
`);

/** Headline metric per task, for the list. */
const HEADLINE = ['auc', 'accuracy', 'rmse', 'mae'];

/** The models, each with its latest version and what serves in each environment. */
export function ModelsPage(_: { route: Route }) {
  const [filter, setFilter] = useState('');
  const pages = useCursorPages(JSON.stringify([filter]));
  const { data, error, loading } = useQuery(ModelsDocument, { first: 25, after: pages.after, nameContains: filter || null });
  const models = data?.models;
  return (
    <>
      <h1>Models</h1>
      <div class="toolbar">
        <label for="model-filter">Name contains</label>
        <input id="model-filter" type="search" value={filter} onInput={(e) => { setFilter((e.target as HTMLInputElement).value); }} />
        {models && <span class="muted">{models.totalCount} models</span>}
      </div>
      <ErrorBox error={error} />
      {loading && !models && <Loading what="models" />}
      {models && models.edges.length === 0 && (
        <Empty>No models yet: define one with the <code>createModel</code> mutation (see <a href="/graphiql">GraphiQL</a>), or start the server with <code>SEED_DEMO=true</code>.</Empty>
      )}
      {models && models.edges.length > 0 && (
        <table>
          <caption class="visually-hidden">Models</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Task</th><th scope="col">Latest version</th><th scope="col">Key metric</th><th scope="col">Serving</th><th scope="col">Updated</th></tr></thead>
          <tbody>
            {models.edges.map(({ node: model }) => {
              const metrics = (model.latestVersion?.metrics ?? {}) as Record<string, unknown>;
              const headline = HEADLINE.find((name) => typeof metrics[name] === 'number');
              return (
                <tr key={model.id}>
                  <th scope="row"><a href={href('models', model.id)}>{model.name}</a></th>
                  <td>{model.task} <span class="muted">{model.architecture}</span></td>
                  <td>{model.latestVersion ? <a href={href('versions', model.latestVersion.id)}>v{model.latestVersion.version}</a> : '—'}</td>
                  <td>{headline ? `${headline} ${formatNumber(metrics[headline] as number)}` : '—'}</td>
                  <td>{model.deployments.length ? model.deployments.map((d) => <span key={d.id} class="pill"><Badge value={d.environment} /> v{d.modelVersion.version}</span>) : <span class="muted">not deployed</span>}</td>
                  <td>{formatTime(model.updatedAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <Pager pages={pages} pageInfo={models?.pageInfo} />
    </>
  );
}
