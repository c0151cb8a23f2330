import type { PageDefinition } from './registry';

/**
 * Every page of the console, in navigation order. A page that `needs` an operation is neither
 * listed nor opened for keys whose role may not call it (the server refuses it anyway). Each
 * page's code is its own chunk, loaded when the page first opens.
 */
export const PAGES: PageDefinition[] = [
  { path: '', load: () => import('./models').then((m) => m.ModelsPage) },
  { path: 'models', load: () => import('./model').then((m) => m.ModelsRoute), nav: 'Models', needs: 'Query.models' },
  { path: 'datasets', load: () => import('./datasets').then((m) => m.DatasetsRoute), nav: 'Datasets', needs: 'Query.datasets' },
  { path: 'sweeps', load: () => import('./sweep').then((m) => m.SweepsPage), nav: 'Sweeps', needs: 'Query.sweeps' },
  { path: 'approvals', load: () => import('./approvals').then((m) => m.ApprovalsPage), nav: 'Approvals', needs: 'Query.deploymentRequests' },
  { path: 'monitoring', load: () => import('./monitoring').then((m) => m.MonitoringPage), nav: 'Monitoring', needs: 'Query.health' },
  { path: 'backtests', load: () => import('./backtests').then((m) => m.BacktestsRoute), nav: 'Back-tests', needs: 'Query.backtests' },
  { path: 'keys', load: () => import('./keys').then((m) => m.KeysPage), nav: 'Keys', needs: 'Query.apiKeys' },
  { path: 'audit', load: () => import('./audit').then((m) => m.AuditPage), nav: 'Audit', needs: 'Query.auditLog' },
  { path: 'runs', load: () => import('./run').then((m) => m.RunPage), needs: 'Query.trainingRun' },
  { path: 'compare', load: () => import('./compare').then((m) => m.ComparePage), needs: 'Query.nodes' },
  { path: 'versions', load: () => import('./version').then((m) => m.VersionPage), needs: 'Query.modelVersion' },
  { path: 'evaluations', load: () => import('./evaluation').then((m) => m.EvaluationPage), needs: 'Query.node' },
  { path: 'paper', load: () => import('./paper').then((m) => m.PaperPage), needs: 'Query.paperTradingSession' },
];
