import { useEffect, useState } from 'preact/hooks';
import { Pager, useCursorPages } from '../ui/pager';
import { subscribe, type ApiError } from '../api/client';
import { useMutation, useQuery } from '../api/hooks';
import { useCan } from '../api/viewer';
import { graphql } from '../gql';
import type { AlertSeverity, AlertState, ConsoleAlertFragment } from '../gql/graphql';
import { href } from '../router';
import { monitoringHref } from './monitoring-route';
import { Badge, Empty, ErrorBox, formatNumber, formatTime, Loading, Section } from '../ui/components';

const AlertsDocument = graphql(`
  query ConsoleAlerts($first: Int!, $after: String, $state: AlertState, $minSeverity: AlertSeverity) {
    alerts(first: $first, after: $after, filter: { state: $state, minSeverity: $minSeverity }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ...ConsoleAlert } }
    }
  }
  fragment ConsoleAlert on Alert {
    id state severity metric comparator threshold value message ruleName createdAt acknowledgedAt acknowledgedBy resolvedAt
    model { id name }
    run { id }
  }
`);

const HealthAlertsDocument = graphql(`
  subscription ConsoleHealthAlerts($minSeverity: AlertSeverity) {
    healthAlerts(minSeverity: $minSeverity) { ...ConsoleAlert }
  }
`);

const AcknowledgeDocument = graphql(`
  mutation ConsoleAcknowledgeAlert($id: ID!) {
    acknowledgeAlert(id: $id) { ...ConsoleAlert }
  }
`);

type Alert = ConsoleAlertFragment;

const PAGE = 25;
const SEVERITY_RANK: Record<AlertSeverity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };
const COMPARATOR: Record<string, string> = { GT: '>', GTE: '≥', LT: '<', LTE: '≤' };

/**
 * The alert feed, newest first: the stored alerts, with every alert that opens, is acknowledged or
 * resolves merged in live (healthAlerts); Acknowledge for keys that may.
 */
export function AlertsSection() {
  const [state, setState] = useState<AlertState | ''>('');
  const [minSeverity, setMinSeverity] = useState<AlertSeverity | ''>('');
  const pages = useCursorPages(JSON.stringify([state, minSeverity]));
  const { data, error, loading, reload } = useQuery(AlertsDocument, { first: PAGE, after: pages.after, state: state || null, minSeverity: minSeverity || null });
  /** Alerts as the stream (or an acknowledgement) last reported them, by id. */
  const [live, setLive] = useState<Map<string, Alert>>(new Map());
  const [streamError, setStreamError] = useState<ApiError | null>(null);
  const acknowledge = useMutation(AcknowledgeDocument);
  const can = useCan();
  useEffect(() => {
    setLive(new Map());
    return subscribe(HealthAlertsDocument, { minSeverity: minSeverity || null }, {
      next: ({ healthAlerts }) => setLive((current) => new Map(current).set(healthAlerts.id, healthAlerts)),
      error: setStreamError,
    });
  }, [minSeverity]);

  const page = data?.alerts.edges.map((e) => live.get(e.node.id) ?? e.node) ?? [];
  const onPage = new Set(page.map((a) => a.id));
  // New alerts show on the first page only, above the stored ones.
  const arrived = pages.depth > 0 ? [] : [...live.values()]
    .filter((a) => !onPage.has(a.id) && (!minSeverity || SEVERITY_RANK[a.severity] >= SEVERITY_RANK[minSeverity]))
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (b.id < a.id ? -1 : 1));
  const shown = [...arrived, ...page].filter((a) => !state || a.state === state);
  const newCount = arrived.filter((a) => !state || a.state === state).length;
  const mayAcknowledge = can('Mutation.acknowledgeAlert');
  const onAcknowledge = async (id: string) => {
    const result = await acknowledge.run({ id });
    if (result) setLive((current) => new Map(current).set(id, result.acknowledgeAlert));
  };

  return (
    <Section
      title="Alerts"
      actions={(
        <div class="toolbar">
          <label for="alert-state">State</label>
          <select id="alert-state" value={state} onChange={(e) => { setState((e.target as HTMLSelectElement).value as AlertState | ''); }}>
            <option value="">any</option><option value="OPEN">open</option><option value="ACKNOWLEDGED">acknowledged</option><option value="RESOLVED">resolved</option>
          </select>
          <label for="alert-severity">At least</label>
          <select id="alert-severity" value={minSeverity} onChange={(e) => { setMinSeverity((e.target as HTMLSelectElement).value as AlertSeverity | ''); }}>
            <option value="">info</option><option value="WARNING">warning</option><option value="CRITICAL">critical</option>
          </select>
          <button type="button" class="secondary" onClick={() => { setLive(new Map()); reload(); }}>Refresh</button>
        </div>
      )}
    >
      <ErrorBox error={acknowledge.error ?? error ?? streamError} />
      {data && <p class="muted" aria-live="polite">{data.alerts.totalCount + newCount} {data.alerts.totalCount + newCount === 1 ? 'alert' : 'alerts'}{state ? ` ${state.toLowerCase()}` : ''}{newCount ? `, ${newCount} new since the page opened` : ''}.</p>}
      {loading && !data && <Loading what="alerts" />}
      {data && shown.length === 0 && (
        <Empty>No alerts{state ? ` ${state.toLowerCase()}` : ''} yet: they open when a rule's condition holds (see <code>alertRules</code>; add one with <code>createAlertRule</code>), and appear here live.</Empty>
      )}
      {shown.length > 0 && (
        <table class="alerts" data-testid="alert-feed">
          <caption class="visually-hidden">Alerts, newest first</caption>
          <thead><tr>
            <th scope="col">Opened</th><th scope="col">Severity</th><th scope="col">State</th><th scope="col">Rule</th>
            <th scope="col">What happened</th><th scope="col">Concerns</th><th scope="col"><span class="visually-hidden">Actions</span></th>
          </tr></thead>
          <tbody>
            {shown.map((alert) => (
              <tr key={alert.id} data-alert-id={alert.id} data-state={alert.state}>
                <td>{formatTime(alert.createdAt)}</td>
                <td><Badge value={alert.severity} /></td>
                <td>
                  <Badge value={alert.state} />
                  {alert.acknowledgedAt && <div class="muted small">by {alert.acknowledgedBy ?? '—'}, {formatTime(alert.acknowledgedAt)}</div>}
                  {alert.resolvedAt && <div class="muted small">resolved {formatTime(alert.resolvedAt)}</div>}
                </td>
                <td>{alert.ruleName}<div class="muted small">{alert.metric} {COMPARATOR[alert.comparator] ?? alert.comparator} {formatNumber(alert.threshold)}</div></td>
                <td>{alert.message}{alert.value != null && <div class="muted small">value {formatNumber(alert.value)}</div>}</td>
                <td>
                  {alert.model && <div><a href={monitoringHref(alert.model.id, 'PRODUCTION')}>{alert.model.name}</a></div>}
                  {alert.run && <div><a href={href('runs', alert.run.id)}>run {alert.run.id}</a></div>}
                  {!alert.model && !alert.run && <span class="muted">the server</span>}
                </td>
                <td>
                  {alert.state === 'OPEN' && mayAcknowledge && (
                    <button type="button" onClick={() => onAcknowledge(alert.id)} disabled={acknowledge.running} aria-label={`Acknowledge: ${alert.message}`}>Acknowledge</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pages={pages} pageInfo={data?.alerts.pageInfo} labels={['Newer', 'Older']} />
    </Section>
  );
}
