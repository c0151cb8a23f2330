import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../../core/logger';

/**
 * Distinct operation labels kept before new ones become `other`. Operation names are chosen by
 * clients (`query Anything123 { … }`), and every distinct label value is a new time series in this
 * process and in Prometheus: without a cap, one client looping over random names would grow
 * memory here and the TSDB there without bound. 200 is far above the schema's root fields plus the
 * named operations real clients send.
 */
const MAX_OPERATIONS = 200;
const OTHER = 'other';

/** From 1 ms (a cached read) to 10 s (a large batch or a slow database). */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The Prometheus metrics of one server instance, served at /metrics. Each instance has its own
 * registry rather than prom-client's global one, so several servers in one process (the tests)
 * neither clash on metric names nor count each other's requests.
 */
export class PrometheusMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'operation' | 'outcome'>;
  private readonly durations: Histogram<'operation'>;
  private readonly predictions: Counter<'model' | 'model_name' | 'version'>;
  private readonly operations = new Set<string>();

  /** `log` hears when a scrape-time gauge cannot be read. */
  constructor(private readonly log?: Logger) {
    const registers = [this.registry];
    // Process CPU, memory, handles, event loop lag and GC pauses, as aimass_process_… / aimass_nodejs_….
    collectDefaultMetrics({ register: this.registry, prefix: 'aimass_' });
    this.requests = new Counter({
      name: 'aimass_graphql_requests_total',
      help: 'GraphQL operations over HTTP and WebSocket, by operation and outcome (ok or the first error code).',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.durations = new Histogram({
      name: 'aimass_graphql_request_duration_seconds',
      help: 'Time to answer a GraphQL operation, from request start to response (a subscription: until it starts).',
      labelNames: ['operation'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.predictions = new Counter({
      name: 'aimass_predictions_total',
      help: 'Rows predicted, by model (id and name) and model version.',
      labelNames: ['model', 'model_name', 'version'],
      registers,
    });
  }

  /**
   * A gauge whose value is read when Prometheus scrapes, e.g. training runs by status from the
   * database (so it is the database's count, whichever process changed it). Modules register
   * theirs when they are built. When `read` fails, the series is left absent for that scrape
   * ("unknown"); a stale value would lie, and one failing source must not fail the whole scrape.
   */
  gaugeAtScrape(spec: { name: string; help: string; labelNames?: string[] }, read: (set: (labels: Record<string, string>, value: number) => void) => Promise<void> | void): void {
    const log = this.log;
    new Gauge({
      name: spec.name,
      help: spec.help,
      labelNames: spec.labelNames ?? [],
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          await read((labels, value) => this.set(labels, value));
        } catch (error) {
          this.reset();
          log?.warn({ err: error, metric: spec.name }, 'could not read a gauge for /metrics');
        }
      },
    });
  }

  /** The Content-Type of `metricsText()` (Prometheus text exposition format). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** One GraphQL operation: its label (see `operationLabel`), outcome, and duration in seconds. */
  recordRequest(operation: string, outcome: string, seconds: number): void {
    const label = this.operationLabel(operation);
    this.requests.inc({ operation: label, outcome });
    this.durations.observe({ operation: label }, seconds);
  }

  /** `rows` rows predicted by one model version. Called by the prediction service. */
  recordPrediction(modelId: string, modelVersionId: string, rows: number, modelName = ''): void {
    this.predictions.inc({ model: modelId, model_name: modelName, version: modelVersionId }, rows);
  }

  /** Every metric in the Prometheus text format, with scrape-time gauges freshly collected. */
  metricsText(): Promise<string> {
    return this.registry.metrics();
  }

  /** The operation itself while fewer than MAX_OPERATIONS are known, then `other` for new ones. */
  private operationLabel(operation: string): string {
    if (this.operations.has(operation)) return operation;
    if (this.operations.size >= MAX_OPERATIONS) return OTHER;
    this.operations.add(operation);
    return operation;
  }
}
