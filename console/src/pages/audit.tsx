import { useState } from 'preact/hooks';
import { Pager, useCursorPages } from '../ui/pager';
import { useQuery } from '../api/hooks';
import { useViewer } from '../api/viewer';
import { graphql } from '../gql';
import { navigate, type Route } from '../router';
import { Badge, Empty, ErrorBox, formatTime, Loading } from '../ui/components';
import './audit.css';

const AuditLogDocument = graphql(`
  query ConsoleAuditLog($first: Int!, $after: String, $filter: AuditLogFilter) {
    auditLog(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node {
        id createdAt actorKeyId actorName actorPrincipal actorRole operation outcome errorMessage requestId clientAddress arguments
      } }
    }
  }
`);

const PAGE_SIZE = 50;
/** The filters, as they appear in the route (`#/audit?operation=createApiKey&outcome=ok`). */
const FIELDS = ['operation', 'actor', 'outcome', 'from', 'to'] as const;
type Filters = Record<(typeof FIELDS)[number], string>;
/** Operations audited outside GraphQL (plain HTTP routes). */
const HTTP_OPERATIONS = ['exportDatasetVersion', 'exportPredictions', 'downloadSchema'];
const OUTCOMES = ['ok', 'BAD_USER_INPUT', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'UNAUTHENTICATED', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR'];

function filtersOf(route: Route): Filters {
  return Object.fromEntries(FIELDS.map((f) => [f, route.query.get(f) ?? ''])) as Filters;
}

/** `2025-01-31T09:30` in the browser's zone, for a datetime-local input, from an ISO time. */
function localInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The form's values: the route's, with its ISO times as the browser's local date and time. */
function draftOf(applied: Filters): Filters {
  return { ...applied, from: applied.from && localInput(applied.from), to: applied.to && localInput(applied.to) };
}

/** The audit log (APPROVER, ADMIN): every mutation and export, newest first, filtered as the API allows, paged. */
export function AuditPage({ route }: { route: Route }) {
  const applied = filtersOf(route);
  const appliedKey = JSON.stringify(applied);
  const [draft, setDraft] = useState<Filters>(() => draftOf(applied));
  const [draftFor, setDraftFor] = useState(appliedKey);
  const pages = useCursorPages(appliedKey);
  // A new route (a link, back/forward) resets the form and the paging.
  if (draftFor !== appliedKey) {
    setDraft(draftOf(applied));
    setDraftFor(appliedKey);
  }
  const filter = {
    operation: applied.operation || null,
    actor: applied.actor || null,
    outcome: applied.outcome || null,
    from: applied.from || null,
    to: applied.to || null,
  };
  const { data, error, loading } = useQuery(AuditLogDocument, { first: PAGE_SIZE, after: pages.after, filter });
  const log = data?.auditLog;
  const viewer = useViewer();
  const operations = [...viewer.operations.filter((o) => o.startsWith('Mutation.')).map((o) => o.slice('Mutation.'.length)), ...HTTP_OPERATIONS].sort();
  const set = (field: keyof Filters) => (e: Event) => setDraft({ ...draft, [field]: (e.target as HTMLInputElement).value });
  const apply = (next: Filters) => {
    const query = new URLSearchParams();
    for (const f of FIELDS) if (next[f].trim()) query.set(f, next[f].trim());
    navigate(`#/audit${query.size ? `?${query}` : ''}`);
  };
  const onSubmit = (event: Event) => {
    event.preventDefault();
    const toIso = (local: string) => (local && !Number.isNaN(Date.parse(local)) ? new Date(local).toISOString() : '');
    apply({ ...draft, from: toIso(draft.from), to: toIso(draft.to) });
  };
  const active = FIELDS.some((f) => applied[f]);
  return (
    <>
      <h1>Audit log</h1>
      <form class="audit-filters" onSubmit={onSubmit} aria-label="Filter the audit log">
        <div>
          <label for="audit-operation">Operation</label>
          <input id="audit-operation" type="text" list="audit-operations" value={draft.operation} onInput={set('operation')} placeholder="e.g. createApiKey" />
          <datalist id="audit-operations">{operations.map((o) => <option key={o} value={o} />)}</datalist>
        </div>
        <div>
          <label for="audit-actor">Key (id or name)</label>
          <input id="audit-actor" type="text" value={draft.actor} onInput={set('actor')} placeholder="key_… or its name" />
        </div>
        <div>
          <label for="audit-outcome">Outcome</label>
          <input id="audit-outcome" type="text" list="audit-outcomes" value={draft.outcome} onInput={set('outcome')} placeholder="ok or an error code" />
          <datalist id="audit-outcomes">{OUTCOMES.map((o) => <option key={o} value={o} />)}</datalist>
        </div>
        <div>
          <label for="audit-from">From</label>
          <input id="audit-from" type="datetime-local" value={draft.from} onInput={set('from')} />
        </div>
        <div>
          <label for="audit-to">Before</label>
          <input id="audit-to" type="datetime-local" value={draft.to} onInput={set('to')} />
        </div>
        <div class="audit-buttons">
          <button type="submit">Apply filters</button>
          {active && <button type="button" class="secondary" onClick={() => apply({ operation: '', actor: '', outcome: '', from: '', to: '' })}>Clear</button>}
        </div>
      </form>
      <p class="muted" aria-live="polite">{log ? `${log.totalCount} ${log.totalCount === 1 ? 'entry' : 'entries'}${active ? ' match' : ''}, newest first` : ''}</p>
      <ErrorBox error={error} />
      {loading && !log && <Loading what="the audit log" />}
      {log && log.edges.length === 0 && (active
        ? <Empty>No entry matches these filters: widen the time range, or clear a filter.</Empty>
        : <Empty>No entries yet: every mutation (and every export) is recorded here as it happens.</Empty>)}
      {log && log.edges.length > 0 && (
        <table class="audit-table" data-testid="audit-table">
          <caption class="visually-hidden">Audit log entries, newest first</caption>
          <thead><tr>
            <th scope="col">When</th><th scope="col">Who</th><th scope="col">Role</th><th scope="col">Operation</th>
            <th scope="col">Outcome</th><th scope="col">Error</th><th scope="col">Request id</th><th scope="col">Arguments</th>
          </tr></thead>
          <tbody>
            {log.edges.map(({ node: e }) => (
              <tr key={e.id} data-operation={e.operation}>
                <td class="audit-when">{formatTime(e.createdAt)}</td>
                <td>
                  {e.actorName ?? <span class="muted">no key</span>}
                  {e.actorPrincipal && e.actorPrincipal !== e.actorName && <div class="muted">{e.actorPrincipal}</div>}
                  {e.actorKeyId && <div class="muted audit-small"><code>{e.actorKeyId}</code></div>}
                </td>
                <td>{e.actorRole ?? '—'}</td>
                <th scope="row"><code>{e.operation}</code></th>
                <td><Badge value={e.outcome} /></td>
                <td class="audit-error">{e.errorMessage ?? ''}</td>
                <td class="audit-small"><code>{e.requestId}</code>{e.clientAddress && <div class="muted">{e.clientAddress}</div>}</td>
                <td>
                  <details>
                    <summary>{Object.keys(e.arguments).join(', ') || 'none'}</summary>
                    <pre class="audit-args" tabIndex={0}>{JSON.stringify(e.arguments, null, 2)}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pages={pages} pageInfo={log?.pageInfo} labels={['Newer', 'Older']} />
    </>
  );
}
