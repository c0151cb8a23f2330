import type { Environment } from '../gql/graphql';
import type { Route } from '../router';
import { AlertsSection } from './monitoring-alerts';
import { HealthSection } from './monitoring-health';
import { ModelReportsSection } from './monitoring-model';
import { ENVIRONMENTS } from './monitoring-route';
import './monitoring.css';

/**
 * Monitoring: the server's live health charts, the alert feed (live, with Acknowledge), and for
 * the model and environment in the route (`?model=<id>&environment=PRODUCTION`) its drift,
 * challenger and outcome reports.
 */
export function MonitoringPage({ route }: { route: Route }) {
  const modelId = route.query.get('model') || null;
  const asked = route.query.get('environment') ?? 'PRODUCTION';
  const environment = ((ENVIRONMENTS as readonly string[]).includes(asked) ? asked : 'PRODUCTION') as Environment;
  return (
    <>
      <h1>Monitoring</h1>
      <HealthSection />
      <AlertsSection />
      <ModelReportsSection modelId={modelId} environment={environment} />
    </>
  );
}
