import { ApiKey } from '../../modules/auth/api-key.entity';
import { AuditEntry } from '../../modules/auth/audit-entry.entity';
import { Evaluation } from '../../modules/evaluations/evaluation.entity';
import { TrainingRun } from '../../modules/training/training-run.entity';
import { Dataset } from '../../modules/datasets/dataset.entity';
import { DatasetVersion } from '../../modules/datasets/dataset-version.entity';
import { Model } from '../../modules/models/model.entity';
import { ModelVersion } from '../../modules/models/model-version.entity';
import { Deployment, LiveDeployment } from '../../modules/deployments/deployment.entity';
import { DeploymentRequest } from '../../modules/deployments/deployment-request.entity';
import { Prediction } from '../../modules/predictions/prediction.entity';
import { BatchPredictionJob } from '../../modules/predictions/batch-prediction-job.entity';
import { AlertRule } from '../../modules/monitoring/alert-rule.entity';
import { Alert, StoredHealthSnapshot } from '../../modules/monitoring/alert.entity';

/** Every TypeORM entity; listed by class so tsc output and vitest load the same set. */
export const ENTITIES = [Dataset, DatasetVersion, Model, ModelVersion, ApiKey, AuditEntry, TrainingRun, Evaluation, Deployment, LiveDeployment, DeploymentRequest, Prediction, BatchPredictionJob, AlertRule, Alert, StoredHealthSnapshot];
