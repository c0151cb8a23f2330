import { useMemo, useState } from 'preact/hooks';
import { Pager, useCursorPages } from '../ui/pager';
import { ApiError } from '../api/client';
import { asApiError, useQuery } from '../api/hooks';
import { storedKey } from '../api/session';
import { graphql } from '../gql';
import type { ConsoleDatasetVersionFragment } from '../gql/graphql';
import { href, type Route } from '../router';
import { Badge, Empty, ErrorBox, Facts, formatNumber, formatTime, Loading, Section } from '../ui/components';
import { EChart, type ChartOption } from '../ui/echart';

const DatasetDocument = graphql(`
  query ConsoleDataset($id: ID!, $version: Int!, $pick: Boolean!) {
    dataset(id: $id) {
      id name kind description createdAt updatedAt latestVersion rowCount
      latest @skip(if: $pick) { ...ConsoleDatasetVersion }
      picked: version(version: $version) @include(if: $pick) { ...ConsoleDatasetVersion }
    }
  }
  fragment ConsoleDatasetVersion on DatasetVersion {
    id version rowCount source createdAt exportUrl
    parent { id version }
    warnings { column message examples }
    columns {
      name type nullCount distinctCount distinctCountCapped min max mean std earliest latest
      topValues { value count }
      histogram { edges counts }
    }
  }
`);

const VersionsDocument = graphql(`
  query ConsoleDatasetVersions($id: ID!, $first: Int!, $after: String) {
    dataset(id: $id) {
      id
      versions(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { id version source rowCount createdAt parent { id version } } }
      }
    }
  }
`);

type Version = ConsoleDatasetVersionFragment;
type Column = Version['columns'][number];

/** Histograms drawn before "Show all": a wide dataset would otherwise draw hundreds of charts at once. */
const FIRST_CHARTS = 12;

/** One dataset: its versions, and for the chosen one (`?version=N`, else the latest) its column statistics, histograms, warnings and exports. */
export function DatasetPage({ route }: { route: Route }) {
  const id = route.parts[1] ?? '';
  const asked = route.query.get('version');
  const picked = asked !== null && /^\d+$/.test(asked) ? Number(asked) : null;
  const { data, error, loading } = useQuery(DatasetDocument, { id, version: picked ?? 0, pick: picked !== null });
  const dataset = data?.dataset;
  if (loading && !dataset) return <Loading what="the dataset" />;
  if (!dataset) return <><h1>Dataset</h1><ErrorBox error={error} />{!error && <Empty>No dataset with id {id}: see the <a href={href('datasets')}>datasets</a>.</Empty>}</>;
  const version = picked !== null ? dataset.picked : dataset.latest;
  return (
    <>
      <p class="muted ds-crumbs"><a href={href('datasets')}>Datasets</a> /</p>
      <h1>{dataset.name}</h1>
      <ErrorBox error={error} />
      <Facts items={[
        ['Kind', <Badge value={dataset.kind} />],
        ['Latest version', `v${dataset.latestVersion}`],
        ['Rows (latest)', formatNumber(dataset.rowCount)],
        ['Created', formatTime(dataset.createdAt)],
        ['Updated', formatTime(dataset.updatedAt)],
        ['Id', <code>{dataset.id}</code>],
      ]} />
      {dataset.description && <p class="ds-description">{dataset.description}</p>}
      <Versions datasetId={dataset.id} selected={version?.version ?? null} />
      {version
        ? <VersionDetail datasetName={dataset.name} version={version} />
        : <Empty>This dataset has no version {picked}: its versions run from 1 to {dataset.latestVersion}.</Empty>}
    </>
  );
}

function Versions({ datasetId, selected }: { datasetId: string; selected: number | null }) {
  const pages = useCursorPages(JSON.stringify([datasetId]));
  const { data, error } = useQuery(VersionsDocument, { id: datasetId, first: 10, after: pages.after });
  const versions = data?.dataset?.versions;
  return (
    <Section title="Versions">
      <ErrorBox error={error} />
      {versions && (
        <table class="ds-versions">
          <caption class="visually-hidden">Versions, newest first</caption>
          <thead><tr><th scope="col">Version</th><th scope="col">Source</th><th scope="col" class="num">Rows</th><th scope="col">Created</th><th scope="col">Parent</th></tr></thead>
          <tbody>
            {versions.edges.map(({ node: v }) => (
              <tr key={v.id} class={v.version === selected ? 'ds-selected' : undefined} aria-current={v.version === selected ? 'true' : undefined}>
                <th scope="row"><a href={`${href('datasets', datasetId)}?version=${v.version}`}>v{v.version}</a>{v.version === selected && <span class="muted"> (shown)</span>}</th>
                <td>{v.source}</td>
                <td class="num">{formatNumber(v.rowCount)}</td>
                <td>{formatTime(v.createdAt)}</td>
                <td>{v.parent ? <a href={`${href('datasets', datasetId)}?version=${v.parent.version}`}>v{v.parent.version}</a> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pages={pages} pageInfo={versions?.pageInfo} labels={['Newer versions', 'Older versions']} />
    </Section>
  );
}

function VersionDetail({ datasetName, version }: { datasetName: string; version: Version }) {
  const numeric = version.columns.filter((c) => c.histogram);
  const categorical = version.columns.filter((c) => c.topValues.length > 0);
  const [allCharts, setAllCharts] = useState(false);
  const shown = allCharts ? numeric : numeric.slice(0, FIRST_CHARTS);
  return (
    <>
      <Section title={`Version ${version.version}`} actions={<Exports datasetName={datasetName} version={version} />}>
        <Facts items={[
          ['Rows', <span data-testid="version-rows">{formatNumber(version.rowCount)}</span>],
          ['Columns', formatNumber(version.columns.length)],
          ['Source', version.source],
          ['Parent', version.parent ? `v${version.parent.version}` : '—'],
          ['Created', formatTime(version.createdAt)],
        ]} />
      </Section>
      <Section title="Warnings">
        {version.warnings.length === 0
          ? <p class="muted">No warnings: every column’s values fit its type.</p>
          : (
            <ul class="ds-warnings">
              {version.warnings.map((w) => (
                <li key={w.column}>
                  <Badge value="WARNING" /> <strong>{w.column}</strong>: {w.message}
                  {w.examples.length > 0 && <> <span class="muted">(e.g. {w.examples.map((x, i) => <><code key={x}>{x}</code>{i < w.examples.length - 1 ? ', ' : ''}</>)})</span></>}
                </li>
              ))}
            </ul>
          )}
      </Section>
      <Section title="Column statistics">
        <ColumnTable columns={version.columns} rowCount={version.rowCount} />
      </Section>
      <Section title="Histograms" actions={numeric.length > FIRST_CHARTS ? <button type="button" class="secondary" onClick={() => setAllCharts(!allCharts)}>{allCharts ? `Show the first ${FIRST_CHARTS}` : `Show all ${numeric.length}`}</button> : undefined}>
        {numeric.length === 0
          ? <p class="muted">{version.columns.some((c) => c.type === 'NUMBER') ? 'This version was made before histograms were kept: see min, mean and max above.' : 'No NUMBER columns.'}</p>
          : <div class="ds-histograms" data-testid="histograms">{shown.map((c) => <Histogram key={c.name} column={c} />)}</div>}
      </Section>
      {categorical.length > 0 && (
        <Section title="Top values">
          <div class="ds-top-grid">{categorical.map((c) => <TopValues key={c.name} column={c} rowCount={version.rowCount} />)}</div>
        </Section>
      )}
    </>
  );
}

function ColumnTable({ columns, rowCount }: { columns: Column[]; rowCount: number }) {
  return (
    <div class="ds-scroll" tabIndex={0} role="region" aria-label="Column statistics (scrolls sideways)">
      <table class="ds-columns" data-testid="column-stats">
        <caption class="visually-hidden">Statistics of each column over {rowCount} rows</caption>
        <thead><tr>
          <th scope="col">Column</th><th scope="col">Type</th><th scope="col" class="num">Nulls</th><th scope="col" class="num">Distinct</th>
          <th scope="col" class="num">Min</th><th scope="col" class="num">Max</th><th scope="col" class="num">Mean</th><th scope="col" class="num">Std</th><th scope="col">Top values</th>
        </tr></thead>
        <tbody>
          {columns.map((c) => (
            <tr key={c.name}>
              <th scope="row">{c.name}</th>
              <td>{c.type}</td>
              <td class="num">{formatNumber(c.nullCount)}{c.nullCount > 0 && rowCount > 0 && <span class="muted"> ({formatNumber((100 * c.nullCount) / rowCount, 2)} %)</span>}</td>
              <td class="num">{c.distinctCountCapped ? '≥ ' : ''}{formatNumber(c.distinctCount)}</td>
              <td class="num">{c.type === 'DATE' ? c.earliest ?? '—' : formatNumber(c.min)}</td>
              <td class="num">{c.type === 'DATE' ? c.latest ?? '—' : formatNumber(c.max)}</td>
              <td class="num">{formatNumber(c.mean)}</td>
              <td class="num">{formatNumber(c.std)}</td>
              <td class="ds-top-cell">{c.topValues.length ? c.topValues.slice(0, 3).map((t) => `${t.value} (${formatNumber(t.count)})`).join(', ') + (c.topValues.length > 3 ? ', …' : '') : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Histogram({ column }: { column: Column }) {
  const { edges, counts } = column.histogram!;
  const total = counts.reduce((a, b) => a + b, 0);
  const peak = counts.indexOf(Math.max(...counts));
  const title = `${column.name}: ${formatNumber(total)} values in ${counts.length} bins from ${formatNumber(edges[0])} to ${formatNumber(edges[edges.length - 1])}, most between ${formatNumber(edges[peak])} and ${formatNumber(edges[peak + 1])}`;
  const option = useMemo<ChartOption>(() => {
    const labels = counts.map((_, i) => `${formatNumber(edges[i])} – ${formatNumber(edges[i + 1])}`);
    return {
      // The chart's text alternative: the summary, then every bin (ECharts' own lists bin indices).
      aria: { enabled: true, label: { description: `Histogram of ${title}. Rows per bin: ${labels.map((label, i) => `${label}: ${formatNumber(counts[i])}`).join('; ')}.` } },
      grid: { left: 48, right: 12, top: 16, bottom: 36 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'category', data: labels, axisLabel: { formatter: (label: string) => label.split(' – ')[0], hideOverlap: true } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', name: 'rows', data: counts, barCategoryGap: '4%' }],
    };
  }, [column]);
  return <EChart title={title} option={option} height={200} testId={`histogram-${column.name}`} />;
}

function TopValues({ column, rowCount }: { column: Column; rowCount: number }) {
  const most = column.topValues[0]?.count ?? 1;
  return (
    <figure class="ds-top" data-testid={`top-values-${column.name}`}>
      <figcaption>{column.name} <span class="muted">({column.type}, {column.distinctCountCapped ? '≥ ' : ''}{formatNumber(column.distinctCount)} distinct)</span></figcaption>
      <table>
        <caption class="visually-hidden">Most frequent values of {column.name}</caption>
        <thead class="visually-hidden"><tr><th scope="col">Value</th><th scope="col">Rows</th><th scope="col">Share</th></tr></thead>
        <tbody>
          {column.topValues.map((t) => (
            <tr key={t.value}>
              <th scope="row">{t.value}</th>
              <td class="num">{formatNumber(t.count)}</td>
              <td class="ds-bar-cell"><span class="ds-bar" style={{ width: `${(100 * t.count) / most}%` }} aria-hidden="true" /><span class="visually-hidden">{formatNumber((100 * t.count) / Math.max(rowCount, 1), 3)} %</span></td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** CSV and Parquet downloads: fetched with the key (a plain link would not send it) and saved from a Blob. */
function Exports({ datasetName, version }: { datasetName: string; version: Version }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const formats = [
    { label: 'CSV', url: version.exportUrl, file: `${datasetName}-v${version.version}.csv` },
    { label: 'Parquet', url: version.exportUrl.replace(/\.csv(\?|$)/, '.parquet$1'), file: `${datasetName}-v${version.version}.parquet` },
  ];
  const save = async (format: (typeof formats)[number]) => {
    setBusy(format.label);
    setError(null);
    try {
      await download(format.url, format.file);
    } catch (failure) {
      setError(asApiError(failure));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div class="ds-exports">
      {formats.map((format) => (
        <button key={format.label} type="button" class="secondary" disabled={busy !== null} onClick={() => save(format)} data-url={format.url}>
          {busy === format.label ? `Downloading ${format.label}…` : `Download ${format.label}`}
        </button>
      ))}
      <ErrorBox error={error} />
    </div>
  );
}

async function download(url: string, fallbackName: string): Promise<void> {
  const key = storedKey();
  let response: Response;
  try {
    response = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  } catch (failure) {
    throw new ApiError(`The server cannot be reached: ${(failure as Error).message}`, 'NETWORK_ERROR');
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null) as { errors?: { message: string; extensions?: { code?: string } }[] } | null;
    const first = body?.errors?.[0];
    throw new ApiError(first?.message ?? `The export was refused (HTTP ${response.status})`, first?.extensions?.code ?? `HTTP_${response.status}`);
  }
  const blob = await response.blob();
  const named = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1];
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = named ?? fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}
