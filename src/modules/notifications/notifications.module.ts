import { Notifications1766000000000 } from '../../../migrations/1766000000000-notifications';
import { byIdLoader } from '../../engines/db/grouped-page-loader';
import { defineModule } from '../shared/module-definition';
import { DeliveryLoop } from './delivery-loop';
import { AlertMail } from './alert-mail';
import { Mailer } from '../../engines/notify/mailer';
import { happenings } from './happenings';
import { Webhook, WebhookDelivery, WebhookEvent } from './webhook.entity';
import { WebhookResolver } from './webhook.resolver';
import { WebhookService } from './webhook.service';

declare module '../shared/context' {
  interface ServiceMap {
    webhooks: WebhookService;
    webhookDeliveries: DeliveryLoop;
    /** SMTP for alert e-mails (null without SMTP_URL). */
    alertMailer: Mailer | null;
  }
  interface LoaderMap {
    webhooks: { byId: ReturnType<typeof byIdLoader<Webhook>> };
  }
}

/**
 * Webhooks: what happens in the other modules (alerts, training, deployments, batch jobs,
 * back-tests) is told to the endpoints that asked, signed, retried and recorded. Each module
 * announces its happenings where they happen (its listeners), so in a cluster the instance that
 * did the work writes the delivery, and any instance may send it.
 */
export const notificationsModule = defineModule({
  name: 'notifications',
  entities: [Webhook, WebhookDelivery],
  migrations: [Notifications1766000000000],
  resolvers: [WebhookResolver],
  nodes: [{ entity: Webhook, load: (loaders) => loaders.webhooks.byId, modelOf: (webhook: Webhook) => webhook.modelId }],
  loaders: ({ db }) => ({ webhooks: { byId: byIdLoader(db, Webhook) } }),
  services: ({ db, config, log }, { models, training, alertEngine, deployments, batchPredictions, backtests }) => {
    const loop = new DeliveryLoop({ db, config: config.webhooks, log });
    const webhooks = new WebhookService({ db, config: config.webhooks, maxPageSize: config.maxPageSize, models, loop });
    // A failure to store a delivery is logged here: the announcing module must not fail or wait for it.
    const tell = (happening: ReturnType<(typeof happenings)[keyof typeof happenings]>) => webhooks.enqueue(happening).then(
      () => undefined,
      (error: unknown) => log.error({ err: error, event: happening.event, key: happening.key }, 'could not store a webhook delivery'),
    );
    alertEngine.onOpened((alert) => tell(happenings.alert(alert, WebhookEvent.ALERT_OPENED)));
    alertEngine.resolved.add((alert) => tell(happenings.alert(alert, WebhookEvent.ALERT_RESOLVED)));
    training.onFinished((run) => tell(happenings.training(run)));
    deployments.requests.add((request) => tell(happenings.request(request)));
    deployments.deployed.add(({ deployment, replacedVersionId }) => tell(happenings.deployed(deployment, replacedVersionId)));
    batchPredictions.finished.add((job) => tell(happenings.batch(job)));
    backtests.finished.add((backtest) => tell(happenings.backtest(backtest)));
    const email = config.webhooks.email;
    const mailer = email ? new Mailer(email.smtpUrl, email.from) : null;
    if (email && mailer) {
      const mail = new AlertMail({ mailer, to: email.to, minSeverity: email.minSeverity, models, log });
      alertEngine.onOpened((alert) => mail.send(alert, 'opened'));
      alertEngine.resolved.add((alert) => mail.send(alert, 'resolved'));
    }
    return { webhooks, webhookDeliveries: loop, alertMailer: mailer };
  },
  start: ({ webhookDeliveries }) => webhookDeliveries.start(),
  stop: ({ webhookDeliveries, alertMailer }) => {
    webhookDeliveries.stop();
    alertMailer?.close();
  },
});
