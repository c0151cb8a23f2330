import { registerEnumType } from 'type-graphql';

/** What a rule watches: a field of the health snapshot, a per-model serving figure, or a drift PSI. */
export enum AlertMetric {
  REQUEST_RATE = 'REQUEST_RATE',
  ERROR_RATE = 'ERROR_RATE',
  CLIENT_ERROR_RATE = 'CLIENT_ERROR_RATE',
  LATENCY_P50_MS = 'LATENCY_P50_MS',
  LATENCY_P95_MS = 'LATENCY_P95_MS',
  LATENCY_P99_MS = 'LATENCY_P99_MS',
  CPU_PERCENT = 'CPU_PERCENT',
  RSS_MB = 'RSS_MB',
  RSS_PERCENT_OF_MAX = 'RSS_PERCENT_OF_MAX',
  HEAP_USED_MB = 'HEAP_USED_MB',
  EVENT_LOOP_LAG_MS = 'EVENT_LOOP_LAG_MS',
  TRAININGS_QUEUED = 'TRAININGS_QUEUED',
  TRAININGS_RUNNING = 'TRAININGS_RUNNING',
  TRAINING_FAILED = 'TRAINING_FAILED',
  WORKERS_LOST = 'WORKERS_LOST',
  DATABASE_SIZE_MB = 'DATABASE_SIZE_MB',
  DISK_FREE_MB = 'DISK_FREE_MB',
  DISK_FREE_PERCENT = 'DISK_FREE_PERCENT',
  NETWORK_IN_BYTES_PER_SECOND = 'NETWORK_IN_BYTES_PER_SECOND',
  NETWORK_OUT_BYTES_PER_SECOND = 'NETWORK_OUT_BYTES_PER_SECOND',
  HTTP_CONNECTIONS = 'HTTP_CONNECTIONS',
  WEBSOCKET_CONNECTIONS = 'WEBSOCKET_CONNECTIONS',
  PREDICT_LATENCY_P95_MS = 'PREDICT_LATENCY_P95_MS',
  PREDICT_LATENCY_P99_MS = 'PREDICT_LATENCY_P99_MS',
  PREDICT_ERROR_RATE = 'PREDICT_ERROR_RATE',
  PREDICT_CLIENT_ERROR_RATE = 'PREDICT_CLIENT_ERROR_RATE',
  PREDICTION_ROW_RATE = 'PREDICTION_ROW_RATE',
  DRIFT_PSI = 'DRIFT_PSI',
  REALISED_AUC = 'REALISED_AUC',
  VALIDATION_OVERDUE_DAYS = 'VALIDATION_OVERDUE_DAYS',
  FINDINGS_OVERDUE = 'FINDINGS_OVERDUE',
}
registerEnumType(AlertMetric, {
  name: 'AlertMetric',
  description: 'What an alert rule watches. Process-wide: REQUEST_RATE (per second), ERROR_RATE (server failures, 0 to 1), CLIENT_ERROR_RATE (client mistakes, 0 to 1), LATENCY_P50/P95/P99_MS, CPU_PERCENT, RSS_MB, RSS_PERCENT_OF_MAX (of MAX_RSS_MB), HEAP_USED_MB, EVENT_LOOP_LAG_MS, TRAININGS_QUEUED, TRAININGS_RUNNING, TRAINING_FAILED (1 for each run that failed within the window), WORKERS_LOST (workers that stopped heartbeating without a goodbye within the window), DATABASE_SIZE_MB, DISK_FREE_MB and DISK_FREE_PERCENT (the SQLite file\'s file system; no data on MySQL), NETWORK_IN/OUT_BYTES_PER_SECOND, HTTP_CONNECTIONS, WEBSOCKET_CONNECTIONS. Per model (all models, or the rule\'s model): PREDICT_LATENCY_P95/P99_MS, PREDICT_ERROR_RATE, PREDICT_CLIENT_ERROR_RATE, PREDICTION_ROW_RATE (rows per second), DRIFT_PSI (the largest feature PSI of the PRODUCTION version, from the scheduled drift check), REALISED_AUC (binary classifiers: the AUC of PRODUCTION predictions of the last 30 days against their recorded outcomes, computed with the drift check; no data until outcomes exist), VALIDATION_OVERDUE_DAYS (days since the model\'s latest validation approval ran out: negative while it holds; no data while never validated), FINDINGS_OVERDUE (OPEN validation findings past their due date). The last two are computed with the drift check (DRIFT_CHECK_INTERVAL_SECONDS).',
});

/** Metrics measured per model; the others are process-wide. */
export const PER_MODEL_METRICS = new Set<AlertMetric>([
  AlertMetric.PREDICT_LATENCY_P95_MS, AlertMetric.PREDICT_LATENCY_P99_MS, AlertMetric.PREDICT_ERROR_RATE, AlertMetric.PREDICT_CLIENT_ERROR_RATE,
  AlertMetric.PREDICTION_ROW_RATE, AlertMetric.DRIFT_PSI, AlertMetric.REALISED_AUC, AlertMetric.VALIDATION_OVERDUE_DAYS, AlertMetric.FINDINGS_OVERDUE,
]);

export enum AlertComparator {
  GT = 'GT',
  GTE = 'GTE',
  LT = 'LT',
  LTE = 'LTE',
}
registerEnumType(AlertComparator, { name: 'AlertComparator', description: 'How the metric is compared with the threshold: GT >, GTE ≥, LT <, LTE ≤.' });

export enum AlertSeverity {
  INFO = 'INFO',
  WARNING = 'WARNING',
  CRITICAL = 'CRITICAL',
}
registerEnumType(AlertSeverity, { name: 'AlertSeverity', description: 'INFO < WARNING < CRITICAL; subscriptions filter with minSeverity.' });

/** Severity order, for minSeverity filters. */
export const SEVERITY_RANK: Record<AlertSeverity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

export enum AlertState {
  OPEN = 'OPEN',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
  RESOLVED = 'RESOLVED',
}
registerEnumType(AlertState, { name: 'AlertState', description: 'OPEN when a rule starts firing; ACKNOWLEDGED once someone takes it; RESOLVED when the rule clears (acknowledged or not).' });
