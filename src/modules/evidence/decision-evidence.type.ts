import { Field, ObjectType } from 'type-graphql';
import { AuditEntry } from '../auth/audit-entry.entity';
import { Backtest } from '../backtests/backtest.entity';
import { Deployment } from '../deployments/deployment.entity';
import { DeploymentRequest } from '../deployments/deployment-request.entity';
import { Evaluation } from '../evaluations/evaluation.entity';
import { Model } from '../models/model.entity';
import { ModelVersion } from '../models/model-version.entity';
import { Alert } from '../monitoring/alert.entity';
import { Prediction } from '../predictions/prediction.entity';
import { ChallengerReport } from '../predictions/challenger-report';
import { RobustnessReport } from '../robustness/robustness.types';
import { TrainingRun } from '../training/training-run.entity';
import { Validation, ValidationFinding } from '../validations/validation.entity';

@ObjectType({ description: 'Everything known about one served decision when it was made: the version that decided and the deployment in force with its approval, how the version was trained, the reports and validations known then, the alerts open then, and the audit entries that record it. Facts made later are left out. Download it as JSON or self-contained HTML from /exports/evidence/<predictionId>.json or .html.' })
export class DecisionEvidence {
  @Field({ description: 'When the prediction was served: every fact is as it stood then.' }) asOf!: Date;
  @Field(() => Prediction, { description: 'The input, the output and, if asked for, the explanation.' }) prediction!: Prediction;
  @Field(() => Model, { description: 'The model (its inventory facts as they are now).' }) model!: Model;
  @Field(() => ModelVersion, { description: 'The version that served it.' }) modelVersion!: ModelVersion;
  @Field(() => Deployment, { nullable: true, description: 'The deployment in force in that environment then.' }) deployment!: Deployment | null;
  @Field(() => DeploymentRequest, { nullable: true, description: 'The approval request that deployment carried out: who asked, who approved, the gate\'s numbers.' }) deploymentRequest!: DeploymentRequest | null;
  @Field(() => TrainingRun, { nullable: true, description: 'The run that trained the version: dataset version, seed, backend, library versions, hyper-parameters.' }) trainingRun!: TrainingRun | null;
  @Field(() => [Evaluation], { description: 'Evaluations of the version made by then.' }) evaluations!: Evaluation[];
  @Field(() => [RobustnessReport], { description: 'Robustness reports of the version made by then.' }) robustnessReports!: RobustnessReport[];
  @Field(() => [Backtest], { description: 'Back-tests of the version finished by then.' }) backtests!: Backtest[];
  @Field(() => ChallengerReport, { nullable: true, description: 'The challenger beside the live version by then (shadow or canary; running, or the last that ran), compared with the champion over its rows up to the decision.' }) challengerReport!: ChallengerReport | null;
  @Field(() => [Validation], { description: 'Validations of the version opened by then, as they stood then (one concluded later shows OPEN).' }) validations!: Validation[];
  @Field(() => [ValidationFinding], { description: 'Their findings recorded by then, with the status they had then.' }) validationFindings!: ValidationFinding[];
  @Field(() => [Alert], { description: 'Alerts of the model (and server-wide ones) open then.' }) openAlerts!: Alert[];
  @Field(() => [AuditEntry], { description: 'Audit entries about the version, its deployment and its validations written by then, oldest first (each with its chain hash).' }) auditEntries!: AuditEntry[];
  @Field({ description: 'SHA-256 of the cited entries\' hashes, one per line in order: recompute it from auditLog (and run verifyAuditLog) to show the citations are intact.' }) auditDigest!: string;
}
