import { useState } from 'preact/hooks';
import { Pager, useCursorPages } from '../ui/pager';
import { useQuery } from '../api/hooks';
import { graphql } from '../gql';
import { href, type Route } from '../router';
import { Badge, Empty, ErrorBox, formatNumber, formatTime, Loading } from '../ui/components';
import { DatasetPage } from './dataset';
import './datasets.css';

const DatasetsDocument = graphql(`
  query ConsoleDatasets($first: Int!, $after: String, $nameContains: String) {
    datasets(first: $first, after: $after, filter: { nameContains: $nameContains }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name kind latestVersion rowCount updatedAt } }
    }
  }
`);

const PAGE_SIZE = 25;

/** `#/datasets` lists them; `#/datasets/<id>` (with `?version=N`) shows one. */
export function DatasetsRoute({ route }: { route: Route }) {
  return route.parts[1] ? <DatasetPage route={route} /> : <DatasetsPage />;
}

/** Every dataset: its kind, latest version, rows and last change; filtered by name, paged. */
function DatasetsPage() {
  const [filter, setFilter] = useState('');
  const pages = useCursorPages(JSON.stringify([filter]));
  const { data, error, loading } = useQuery(DatasetsDocument, { first: PAGE_SIZE, after: pages.after, nameContains: filter || null });
  const datasets = data?.datasets;
  return (
    <>
      <h1>Datasets</h1>
      <div class="toolbar">
        <label for="dataset-filter">Name contains</label>
        <input id="dataset-filter" type="search" value={filter} onInput={(e) => { setFilter((e.target as HTMLInputElement).value); }} />
        {datasets && <span class="muted" aria-live="polite">{datasets.totalCount} {datasets.totalCount === 1 ? 'dataset' : 'datasets'}</span>}
      </div>
      <ErrorBox error={error} />
      {loading && !datasets && <Loading what="datasets" />}
      {datasets && datasets.edges.length === 0 && (filter
        ? <Empty>No dataset’s name contains “{filter}”.</Empty>
        : <Empty>No datasets yet: upload one with the <code>createDataset</code> mutation (a CSV text; see <a href="/graphiql">GraphiQL</a>), or start the server with <code>SEED_DEMO=true</code>.</Empty>)}
      {datasets && datasets.edges.length > 0 && (
        <table class="ds-list">
          <caption class="visually-hidden">Datasets</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Latest version</th><th scope="col" class="num">Rows</th><th scope="col">Updated</th></tr></thead>
          <tbody>
            {datasets.edges.map(({ node: dataset }) => (
              <tr key={dataset.id}>
                <th scope="row"><a href={href('datasets', dataset.id)}>{dataset.name}</a></th>
                <td><Badge value={dataset.kind} /></td>
                <td><a href={`${href('datasets', dataset.id)}?version=${dataset.latestVersion}`}>v{dataset.latestVersion}</a></td>
                <td class="num">{formatNumber(dataset.rowCount)}</td>
                <td>{formatTime(dataset.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pages={pages} pageInfo={datasets?.pageInfo} />
    </>
  );
}
