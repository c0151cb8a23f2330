import type { Alert } from '../monitoring/alert.entity';
import type { Backtest } from '../backtests/backtest.entity';
import type { BatchPredictionJob } from '../predictions/batch-prediction-job.entity';
import type { DeploymentRequest } from '../deployments/deployment-request.entity';
import type { Deployment } from '../deployments/deployment.entity';
import type { TrainingRun } from '../training/training-run.entity';
import { WebhookEvent } from './webhook.entity';
import type { Happening } from './webhook.service';

/** What each event says, built from the object it is about (ids to look the rest up with, and the outcome). */
export const happenings = {
  alert: (alert: Alert, event: WebhookEvent.ALERT_OPENED | WebhookEvent.ALERT_RESOLVED): Happening => ({
    event, key: `alert:${alert.id}:${event}`, modelId: alert.modelId,
    data: { alertId: alert.id, state: alert.state, severity: alert.severity, metric: alert.metric, value: alert.value, threshold: alert.threshold, message: alert.message, runId: alert.runId, createdAt: alert.createdAt, resolvedAt: alert.resolvedAt },
  }),
  training: (run: TrainingRun): Happening => ({
    event: WebhookEvent.TRAINING_FINISHED, key: `run:${run.id}:${run.status}`, modelId: run.modelId,
    data: { runId: run.id, status: run.status, error: run.error, modelVersionId: run.modelVersionId, epochsCompleted: run.epochsCompleted, finishedAt: run.finishedAt },
  }),
  request: (request: DeploymentRequest): Happening => {
    const pending = request.status === 'PENDING';
    return {
      event: pending ? WebhookEvent.DEPLOYMENT_REQUESTED : WebhookEvent.DEPLOYMENT_DECIDED, key: `request:${request.id}:${request.status}`, modelId: request.modelId,
      data: { requestId: request.id, status: request.status, modelVersionId: request.modelVersionId, environment: request.environment, requestedBy: request.requestedBy, decidedBy: request.decidedBy ?? null },
    };
  },
  deployed: (deployment: Deployment, replacedVersionId: string | null): Happening => ({
    event: WebhookEvent.DEPLOYED, key: `deployment:${deployment.id}`, modelId: deployment.modelId,
    data: { deploymentId: deployment.id, environment: deployment.environment, modelVersionId: deployment.modelVersionId, action: deployment.action, deployedBy: deployment.deployedBy, replacedVersionId },
  }),
  batch: (job: BatchPredictionJob): Happening => ({
    event: WebhookEvent.BATCH_FINISHED, key: `batch:${job.id}:${job.status}`, modelId: job.modelId,
    data: { jobId: job.id, status: job.status, error: job.error, rowsDone: job.rowsDone, outputDatasetVersionId: job.outputDatasetVersionId },
  }),
  backtest: (backtest: Backtest): Happening => ({
    event: WebhookEvent.BACKTEST_FINISHED, key: `backtest:${backtest.id}:${backtest.status}`, modelId: backtest.modelId,
    data: { backtestId: backtest.id, status: backtest.status, error: backtest.error, modelVersionId: backtest.modelVersionId },
  }),
};
