import type { PageDefinition } from './registry';
import { ApprovalsPage } from './approvals';
import { ModelsRoute } from './model';
import { ModelsPage } from './models';
import { RunPage } from './run';
import { MonitoringPage } from './monitoring';
import { BacktestsRoute } from './backtests';
import { PaperPage } from './paper';
import { VersionPage } from './version';
import { EvaluationPage } from './evaluation';
import { ComparePage } from './compare';
import { SweepsPage } from './sweep';
import { DatasetsRoute } from './datasets';
import { KeysPage } from './keys';
import { AuditPage } from './audit';

/**
 * Every page of the console, in navigation order. A page that `needs` an operation is neither
 * listed nor opened for keys whose role may not call it (the server refuses it anyway).
 */
export const PAGES: PageDefinition[] = [
  { path: '', component: ModelsPage },
  { path: 'models', component: ModelsRoute, nav: 'Models', needs: 'Query.models' },
  { path: 'approvals', component: ApprovalsPage, nav: 'Approvals', needs: 'Query.deploymentRequests' },
  { path: 'runs', component: RunPage, needs: 'Query.trainingRun' },
  { path: 'monitoring', component: MonitoringPage, nav: 'Monitoring', needs: 'Query.health' },
  { path: 'backtests', component: BacktestsRoute, nav: 'Back-tests', needs: 'Query.backtests' },
  { path: 'paper', component: PaperPage, needs: 'Query.paperTradingSession' },
  { path: 'versions', component: VersionPage, needs: 'Query.modelVersion' },
  { path: 'evaluations', component: EvaluationPage, needs: 'Query.node' },
  { path: 'compare', component: ComparePage, needs: 'Query.nodes' },
  { path: 'sweeps', component: SweepsPage, nav: 'Sweeps', needs: 'Query.sweeps' },
  { path: 'datasets', component: DatasetsRoute, nav: 'Datasets', needs: 'Query.datasets' },
  { path: 'keys', component: KeysPage, nav: 'Keys', needs: 'Query.apiKeys' },
  { path: 'audit', component: AuditPage, nav: 'Audit', needs: 'Query.auditLog' },
];
