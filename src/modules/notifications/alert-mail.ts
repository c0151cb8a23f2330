import type { Logger } from '../../core/logger';
import type { Mailer } from '../../engines/notify/mailer';
import type { Alert } from '../monitoring/alert.entity';
import type { ModelService } from '../models/model.service';

const SEVERITY_RANK: Record<string, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };
/** Attempts of one e-mail; its failure is logged (webhooks are the channel with stored, redeliverable deliveries). */
const ATTEMPTS = 3;

/** E-mails alerts at or above a severity to the administrators, as they open and resolve. */
export class AlertMail {
  constructor(private readonly deps: { mailer: Mailer; to: string[]; minSeverity: string; models: ModelService; log: Logger; retryMs?: number }) {}

  async send(alert: Alert, change: 'opened' | 'resolved'): Promise<void> {
    const { mailer, to, minSeverity, models, log } = this.deps;
    if ((SEVERITY_RANK[alert.severity] ?? 0) < (SEVERITY_RANK[minSeverity] ?? 1)) return;
    const model = alert.modelId ? await models.get(alert.modelId).then((m) => m.name, () => alert.modelId) : null;
    const subject = `[aimass] ${alert.severity} alert ${change}: ${alert.message}`;
    const text = [
      `Alert ${alert.id} ${change}${change === 'resolved' && alert.resolvedAt ? ` at ${alert.resolvedAt.toISOString()}` : ''}.`,
      '',
      `Rule: ${alert.ruleName}`,
      `Metric: ${alert.metric}${alert.value != null ? ` = ${alert.value}` : ''}${alert.threshold != null ? ` (threshold ${alert.threshold})` : ''}`,
      `Severity: ${alert.severity}`,
      ...(model ? [`Model: ${model}`] : []),
      `Opened: ${alert.createdAt.toISOString()}`,
      '',
      alert.message,
    ].join('\n');
    for (let attempt = 1; ; attempt++) {
      try {
        await mailer.send(to, subject, text);
        return;
      } catch (error) {
        if (attempt >= ATTEMPTS) {
          log.error({ err: error, alertId: alert.id }, 'could not e-mail an alert');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, (this.deps.retryMs ?? 1000) * 2 ** (attempt - 1)));
      }
    }
  }
}
