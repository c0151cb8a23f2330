import { createHash } from 'node:crypto';
import type { AuditEntry } from '../auth/audit-entry.entity';
import type { AuditService } from '../auth/audit.service';
import type { Backtest } from '../backtests/backtest.entity';
import type { BacktestService } from '../backtests/backtest.service';
import type { Deployment } from '../deployments/deployment.entity';
import type { DeploymentRequest } from '../deployments/deployment-request.entity';
import type { DeploymentService } from '../deployments/deployment.service';
import type { Environment } from '../deployments/environment';
import type { Evaluation } from '../evaluations/evaluation.entity';
import type { EvaluationService } from '../evaluations/evaluation.service';
import type { Model } from '../models/model.entity';
import type { ModelVersion } from '../models/model-version.entity';
import type { ModelVersionService } from '../models/model-version.service';
import type { ModelService } from '../models/model.service';
import type { Alert } from '../monitoring/alert.entity';
import type { AlertService } from '../monitoring/alert.service';
import type { Prediction } from '../predictions/prediction.entity';
import type { PredictionService } from '../predictions/prediction.service';
import type { ChallengerReport, ChallengerReports } from '../predictions/challenger-report';
import type { RobustnessReport } from '../robustness/robustness.types';
import type { RobustnessService } from '../robustness/robustness.service';
import type { TrainingRun } from '../training/training-run.entity';
import type { TrainingRunService } from '../training/training-run.service';
import type { Validation, ValidationFinding } from '../validations/validation.entity';
import type { ValidationService } from '../validations/validation.service';

/** Bounds on what one pack reads: a decision's evidence is a page, not a dump. */
const MOST = { evaluations: 50, backtests: 50, alerts: 50, auditEntries: 100 };

/** Everything known about one served decision at the moment it was made. */
export interface DecisionEvidencePack {
  /** When the prediction was served: every fact below is as it stood then. */
  asOf: Date;
  prediction: Prediction;
  model: Model;
  modelVersion: ModelVersion;
  /** The deployment in force in the prediction's environment at that moment (null if none was recorded, e.g. served before deployments were kept). */
  deployment: Deployment | null;
  /** The approval request that deployment carried out, with who asked and who approved. */
  deploymentRequest: DeploymentRequest | null;
  trainingRun: TrainingRun | null;
  evaluations: Evaluation[];
  robustnessReports: RobustnessReport[];
  backtests: Backtest[];
  /** The challenger beside the live version by then (running, or the last that ran), compared over its rows up to the decision. */
  challengerReport: ChallengerReport | null;
  validations: Validation[];
  validationFindings: ValidationFinding[];
  openAlerts: Alert[];
  /** Audit entries about the version and its deployment written by then, oldest first. */
  auditEntries: AuditEntry[];
  /** SHA-256 (hex) of the cited entries' hashes, one per line in sequence order: recompute it from auditLog to check the pack's citations. */
  auditDigest: string;
}

export interface EvidenceDeps {
  predictions: Pick<PredictionService, 'get'>;
  models: Pick<ModelService, 'get'>;
  modelVersions: Pick<ModelVersionService, 'get'>;
  deployments: Pick<DeploymentService, 'history' | 'getRequest' | 'challengerAt'>;
  challengerReports: Pick<ChallengerReports, 'report'>;
  training: Pick<TrainingRunService, 'forVersion'>;
  evaluations: Pick<EvaluationService, 'list'>;
  robustness: Pick<RobustnessService, 'forVersion'>;
  backtests: Pick<BacktestService, 'list'>;
  validations: Pick<ValidationService, 'asOf'>;
  alerts: Pick<AlertService, 'openAt'>;
  audit: Pick<AuditService, 'citing'>;
}

export const auditDigestOf = (entries: Pick<AuditEntry, 'hash'>[]) => createHash('sha256').update(entries.map((entry) => entry.hash).join('\n')).digest('hex');

/**
 * The evidence pack of a decision (model-risk management: which version decided, on what data it
 * was trained, who approved it, and what was known about it then), read through each owning
 * module's service. Later facts are left out: a report made after the decision was not known.
 */
export class EvidenceService {
  constructor(private readonly deps: EvidenceDeps) {}

  async collect(predictionId: string): Promise<DecisionEvidencePack> {
    const { deps } = this;
    const prediction = await deps.predictions.get(predictionId);
    const at = prediction.createdAt;
    const known = <T extends { createdAt: Date }>(items: T[]) => items.filter((item) => item.createdAt <= at);
    const [model, modelVersion, history, trainingRun, evaluations, robustness, backtests, validation, openAlerts, challenger] = await Promise.all([
      deps.models.get(prediction.modelId),
      deps.modelVersions.get(prediction.modelVersionId),
      deps.deployments.history(prediction.modelId, prediction.environment as Environment, at, { first: 1 }),
      deps.training.forVersion(prediction.modelVersionId),
      deps.evaluations.list({ modelVersionId: prediction.modelVersionId }, { first: MOST.evaluations }),
      deps.robustness.forVersion(prediction.modelVersionId),
      deps.backtests.list(prediction.modelId, { first: MOST.backtests }),
      deps.validations.asOf(prediction.modelVersionId, at),
      deps.alerts.openAt(prediction.modelId, at, MOST.alerts),
      deps.deployments.challengerAt(prediction.modelId, prediction.environment as Environment, at),
    ]);
    // Its rows up to the decision, this one included (the report's window ends before `to`). Realised
    // outcomes recorded since are counted too: they are kept without a date of their own.
    const through = new Date(at.getTime() + 1);
    const challengerReport = challenger ? await deps.challengerReports.report(challenger, challenger.startedAt, challenger.endedAt && challenger.endedAt < through ? challenger.endedAt : through) : null;
    const deployment = history.items[0] ?? null;
    const deploymentRequest = deployment?.requestId ? await deps.deployments.getRequest(deployment.requestId) : null;
    const cited = [prediction.modelVersionId, deployment?.id, deploymentRequest?.id, ...validation.validations.map((v) => v.id)].filter((id): id is string => !!id);
    const auditEntries = await deps.audit.citing(cited, at, MOST.auditEntries);
    return {
      asOf: at, prediction, model, modelVersion, deployment, deploymentRequest, trainingRun,
      evaluations: known(evaluations.items),
      robustnessReports: known(robustness),
      // A back-test counts once it finished by then.
      backtests: backtests.items.filter((b) => b.modelVersionId === prediction.modelVersionId && b.finishedAt !== null && b.finishedAt <= at),
      challengerReport,
      validations: validation.validations,
      validationFindings: validation.findings,
      openAlerts,
      auditEntries,
      auditDigest: auditDigestOf(auditEntries),
    };
  }
}
