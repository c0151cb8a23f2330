import { In } from 'typeorm';
import type { Config } from '../../core/config';
import { badInput, conflict, forbidden, notFound } from '../../core/errors';
import { isIdOf, newId } from '../../core/ids';
import type { Database } from '../../engines/db/database';
import { pageOf, paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import type { ApiKeyService } from '../auth/api-key.service';
import type { DeploymentService } from '../deployments/deployment.service';
import { Environment } from '../deployments/environment';
import { RiskTier } from '../models/model-inventory';
import type { Model } from '../models/model.entity';
import type { ModelVersion } from '../models/model-version.entity';
import type { ModelVersionService } from '../models/model-version.service';
import type { ModelService } from '../models/model.service';
import type { Caller } from '../shared/caller';
import type { TrainingRunService } from '../training/training-run.service';
import { FindingSeverity, FindingStatus, ValidationConclusion, ValidationState, ValidationStatus } from './validation-enums';
import { Validation, ValidationFinding } from './validation.entity';
import { APPROVING, latestApprovalByModel } from './approvals';
import type { LatestApproval } from './validation.loaders';
import type { AddValidationFindingInput, ConcludeValidationInput, ModelInventoryFilter, OpenValidationInput, ResolveValidationFindingInput, ValidationFilter } from './validation.inputs';

/** Most models the inventory reads (ordered by name): far above a bank's model count, and a bound on one request. */
export const MAX_INVENTORY = 10_000;

/** One line of the model inventory. */
export interface InventoryRow {
  model: Model;
  standing: ModelValidationStanding;
  /** OPEN findings past their due date. */
  lateFindings: number;
  /** Expired, or a late finding. */
  overdue: boolean;
}

/** Most findings one validation holds: a bound on what one conclusion reads. */
const MAX_FINDINGS = 500;

/** How long an approval holds before the model must be validated again, per risk tier. */
export type RevalidationPeriods = Record<RiskTier, number>;

export interface ValidationDeps {
  db: Database;
  config: Pick<Config, 'maxPageSize'> & { revalidationMonths: RevalidationPeriods };
  models: ModelService;
  modelVersions: ModelVersionService;
  training: Pick<TrainingRunService, 'trainedBy'>;
  deployments: Pick<DeploymentService, 'keysInvolvedWith' | 'live'>;
  principals: Pick<ApiKeyService, 'principalsOf'>;
  now?: () => Date;
}

/** A model's standing: its status and when it must be validated again (null while not validated). */
export interface ModelValidationStanding {
  status: ValidationStatus;
  nextRevalidationDue: Date | null;
  /** The validation the standing comes from. */
  validationId: string | null;
}

const addMonths = (date: Date, months: number) => {
  const result = new Date(date);
  result.setUTCMonth(result.getUTCMonth() + months);
  return result;
};

/**
 * Independent validation of model versions (SR 11-7): a validator who neither trained, asked to
 * deploy nor approved the version opens a validation, records findings, and concludes it with an
 * attestation. Also the PRODUCTION condition for HIGH-tier models, and each model's standing.
 * The only writer of the validation tables.
 */
export class ValidationService {
  constructor(private readonly deps: ValidationDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async open(input: OpenValidationInput, caller: Caller): Promise<Validation> {
    const version = await this.deps.modelVersions.get(input.modelVersionId);
    await this.assertIndependent(version.id, caller);
    const open = await this.deps.db.manager.findOneBy(Validation, { modelVersionId: version.id, state: ValidationState.OPEN });
    if (open) throw conflict(`version ${version.version} already has an OPEN validation (${open.id}); add findings to it or conclude it`, { validationId: open.id });
    const validation = Object.assign(new Validation(), {
      id: newId(Validation), modelId: version.modelId, modelVersionId: version.id, scope: input.scope, state: ValidationState.OPEN,
      openedBy: caller.principal, createdAt: this.now(), conclusion: null, statement: null, concludedBy: null, concludedAt: null,
    });
    await this.deps.db.transaction((manager) => manager.insert(Validation, validation));
    return validation;
  }

  async addFinding(input: AddValidationFindingInput, caller: Caller): Promise<ValidationFinding> {
    const validation = await this.get(input.validationId);
    if (validation.state !== ValidationState.OPEN) throw conflict(`validation ${validation.id} is ${validation.state}: findings are added while it is OPEN`, { validationId: validation.id });
    await this.assertIndependent(validation.modelVersionId, caller);
    if (!(input.dueAt.getTime() > this.now().getTime())) throw badInput('dueAt must be in the future', { field: 'input.dueAt' });
    const count = await this.deps.db.manager.countBy(ValidationFinding, { validationId: validation.id });
    if (count >= MAX_FINDINGS) throw conflict(`validation ${validation.id} already has ${MAX_FINDINGS} findings, the most one holds`, { validationId: validation.id });
    const now = this.now();
    const finding = Object.assign(new ValidationFinding(), {
      id: newId(ValidationFinding), validationId: validation.id, modelId: validation.modelId, severity: input.severity, description: input.description,
      status: FindingStatus.OPEN, owner: input.owner, dueAt: input.dueAt, resolutionNote: null, recordedBy: caller.principal, createdAt: now, updatedAt: now,
    });
    await this.deps.db.transaction((manager) => manager.insert(ValidationFinding, finding));
    return finding;
  }

  async resolveFinding(input: ResolveValidationFindingInput, caller: Caller): Promise<ValidationFinding> {
    if (input.status === FindingStatus.OPEN) throw badInput('a finding is resolved as REMEDIATED or ACCEPTED', { field: 'input.status' });
    const finding = await this.finding(input.findingId);
    const validation = await this.get(finding.validationId);
    await this.assertIndependent(validation.modelVersionId, caller);
    const changes = { status: input.status, resolutionNote: input.note, updatedAt: this.now() };
    const moved = await this.deps.db.transaction((manager) => manager.update(ValidationFinding, { id: finding.id, status: FindingStatus.OPEN }, changes));
    if (!moved.affected) throw conflict(`finding ${finding.id} is already ${finding.status}`, { findingId: finding.id, status: finding.status });
    return Object.assign(finding, changes);
  }

  async conclude(input: ConcludeValidationInput, caller: Caller): Promise<Validation> {
    const validation = await this.get(input.validationId);
    if (validation.state !== ValidationState.OPEN) throw conflict(`validation ${validation.id} is already CONCLUDED (${validation.conclusion})`, { validationId: validation.id });
    await this.assertIndependent(validation.modelVersionId, caller);
    if (input.conclusion === ValidationConclusion.APPROVED) {
      const blocking = await this.deps.db.manager.find(ValidationFinding, { select: { id: true }, where: { validationId: validation.id, severity: FindingSeverity.HIGH, status: FindingStatus.OPEN }, take: 20 });
      if (blocking.length) {
        throw conflict(`cannot conclude APPROVED with ${blocking.length} OPEN HIGH finding(s): ${blocking.map((f) => f.id).join(', ')}; remediate or accept them, or conclude APPROVED_WITH_CONDITIONS or REJECTED`, { findingIds: blocking.map((f) => f.id) });
      }
    }
    const changes = { state: ValidationState.CONCLUDED, conclusion: input.conclusion, statement: input.statement, concludedBy: caller.principal, concludedAt: this.now() };
    // Conditional on still OPEN: two validators concluding at once cannot both attest.
    const moved = await this.deps.db.transaction((manager) => manager.update(Validation, { id: validation.id, state: ValidationState.OPEN }, changes));
    if (!moved.affected) throw conflict(`validation ${validation.id} was concluded by someone else meanwhile`, { validationId: validation.id });
    return Object.assign(validation, changes);
  }

  async get(id: string): Promise<Validation> {
    const validation = isIdOf(id, Validation) ? await this.deps.db.manager.findOneBy(Validation, { id }) : null;
    if (!validation) throw notFound('Validation', id);
    return validation;
  }

  private async finding(id: string): Promise<ValidationFinding> {
    const finding = isIdOf(id, ValidationFinding) ? await this.deps.db.manager.findOneBy(ValidationFinding, { id }) : null;
    if (!finding) throw notFound('ValidationFinding', id);
    return finding;
  }

  async list(filter: ValidationFilter | null | undefined, page: PageArgs): Promise<Page<Validation>> {
    const qb = this.deps.db.manager.createQueryBuilder(Validation, 'v');
    if (filter?.model) qb.andWhere('v.model_id = :modelId', { modelId: (await this.deps.models.byRef(filter.model, 'filter.model')).id });
    if (filter?.modelVersionId) qb.andWhere('v.model_version_id = :versionId', { versionId: filter.modelVersionId });
    if (filter?.state) qb.andWhere('v.state = :state', { state: filter.state });
    return paginate(qb, 'v', page, { direction: 'DESC' }, this.deps.config.maxPageSize);
  }

  /**
   * Independence by person: the principal of the caller must not be the one who trained the
   * version, asked for a deploy of it, approved one, or deployed it, with any of their keys.
   */
  private async assertIndependent(modelVersionId: string, caller: Caller): Promise<void> {
    const [trainedBy, involved] = await Promise.all([this.deps.training.trainedBy(modelVersionId), this.deps.deployments.keysInvolvedWith(modelVersionId)]);
    const roles: [string, (string | null)[]][] = [['trained', [trainedBy]], ['asked to deploy', involved.requested], ['approved a deploy of', involved.approved], ['deployed', involved.deployed]];
    const keyIds = [...new Set(roles.flatMap(([, ids]) => ids).filter((id): id is string => id !== null))];
    const principals = await this.deps.principals.principalsOf(keyIds);
    for (const [role, ids] of roles) {
      if (ids.some((id) => id !== null && (id === caller.keyId || principals.get(id) === caller.principal))) {
        throw forbidden(`independence: ${JSON.stringify(caller.principal)} ${role} this version and cannot validate it, with any of its keys`);
      }
    }
  }

  /** The concluded, non-rejected validation of a version that is still within its tier's period, if any. */
  private async currentApproval(model: Model, modelVersionId: string): Promise<Validation | null> {
    const latest = await this.deps.db.manager.findOne(Validation, {
      where: { modelVersionId, ...APPROVING },
      order: { concludedAt: 'DESC', id: 'DESC' },
    });
    if (!latest) return null;
    return this.dueDate(model, latest).getTime() > this.now().getTime() ? latest : null;
  }

  private dueDate(model: Model, validation: Validation): Date {
    return addMonths(validation.concludedAt!, this.deps.config.revalidationMonths[model.riskTier]);
  }

  /** The PRODUCTION condition: a HIGH-tier model's version needs a current approval. Null when met. */
  async productionRefusal(model: Model, version: ModelVersion): Promise<{ message: string; details: Record<string, unknown> } | null> {
    if (model.riskTier !== RiskTier.HIGH) return null;
    if (await this.currentApproval(model, version.id)) return null;
    const open = await this.deps.db.manager.findOneBy(Validation, { modelVersionId: version.id, state: ValidationState.OPEN });
    const why = open ? `its validation ${open.id} is still OPEN` : 'it has none that is APPROVED or APPROVED_WITH_CONDITIONS and within the HIGH tier\'s revalidation period';
    return {
      message: `model ${JSON.stringify(model.name)} is HIGH risk tier: PRODUCTION needs a concluded, non-rejected validation of version ${version.version}, and ${why}`,
      details: { missing: 'validation', modelVersionId: version.id, validationId: open?.id ?? null },
    };
  }

  /** Refuses making a model HIGH while the version live in PRODUCTION has no current approval. */
  async tierChangeRefusal(model: Model, tier: RiskTier): Promise<{ message: string; details: Record<string, unknown> } | null> {
    if (tier !== RiskTier.HIGH) return null;
    const live = await this.deps.deployments.live(model.id, Environment.PRODUCTION);
    if (!live) return null;
    const version = await this.deps.modelVersions.get(live.modelVersionId);
    const refusal = await this.productionRefusal({ ...model, riskTier: RiskTier.HIGH } as Model, version);
    if (!refusal) return null;
    return { message: `cannot make ${JSON.stringify(model.name)} HIGH risk tier: version ${version.version} is live in PRODUCTION without a concluded, non-rejected validation; validate it first`, details: refusal.details };
  }

  /**
   * Per-model figures for the governance alert rules: days since each validated model's latest
   * approval ran out (negative while it holds), and the OPEN findings past their due date of each
   * model that has OPEN findings (0 once none is late, so the alert resolves).
   */
  async overdueFigures(): Promise<{ revalidation: { modelId: string; value: number }[]; findings: { modelId: string; value: number }[] }> {
    const { manager } = this.deps.db;
    const now = this.now().getTime();
    const latest = await latestApprovalByModel(manager);
    const models = await Promise.all([...latest.keys()].map((id) => this.deps.models.get(id)));
    const revalidation = models.map((model) => ({ modelId: model.id, value: (now - this.dueDate(model, latest.get(model.id)!).getTime()) / 86_400_000 }));
    // Every model with findings, late ones counted: a model whose last late finding closed reports 0, and its alert resolves.
    const late = await this.lateFindingsByModel();
    return { revalidation, findings: [...late].map(([modelId, value]) => ({ modelId, value })) };
  }

  /** For each model with findings, how many OPEN ones are past their due date (0 included). */
  private async lateFindingsByModel(): Promise<Map<string, number>> {
    const rows = await this.deps.db.manager.createQueryBuilder(ValidationFinding, 'f').select('f.model_id', 'modelId')
      .addSelect('SUM(CASE WHEN f.status = :open AND f.due_at < :now THEN 1 ELSE 0 END)', 'late')
      .setParameters({ open: FindingStatus.OPEN, now: this.deps.db.sqlDate(this.now()) }).groupBy('f.model_id').getRawMany<{ modelId: string; late: unknown }>();
    return new Map(rows.map((row) => [row.modelId, Number(row.late)]));
  }

  /** A page of the inventory's models, by name. */
  async inventoryPage(filter: ModelInventoryFilter | null | undefined, page: PageArgs): Promise<Page<Model>> {
    return pageOf((await this.inventory(filter)).map((row) => row.model), (model) => model.name, page, this.deps.config.maxPageSize);
  }

  /**
   * The model inventory: every model the filter selects (at most MAX_INVENTORY, by name) with its
   * standing and its late findings, narrowed by standing and overdue. Three statements, whatever
   * the number of models; the standing is derived, so it is filtered here rather than in SQL.
   */
  async inventory(filter: ModelInventoryFilter | null | undefined): Promise<InventoryRow[]> {
    const { manager } = this.deps.db;
    const [models, latest, late, open] = await Promise.all([
      this.deps.models.all(filter, MAX_INVENTORY),
      latestApprovalByModel(manager),
      this.lateFindingsByModel(),
      manager.createQueryBuilder(ValidationFinding, 'f').select('f.validation_id', 'id').addSelect('COUNT(*)', 'n')
        .where('f.status = :open', { open: FindingStatus.OPEN }).groupBy('f.validation_id').getRawMany<{ id: string; n: unknown }>(),
    ]);
    const openByValidation = new Map(open.map((row) => [row.id, Number(row.n)]));
    return models.map((model) => {
      const validation = latest.get(model.id) ?? null;
      const standing = this.standingOf(model, { validation, openFindings: validation ? openByValidation.get(validation.id) ?? 0 : 0 });
      const lateFindings = late.get(model.id) ?? 0;
      return { model, standing, lateFindings, overdue: standing.status === ValidationStatus.EXPIRED || lateFindings > 0 };
    }).filter((row) => (!filter?.status || row.standing.status === filter.status) && (filter?.overdue == null || row.overdue === filter.overdue));
  }

  /**
   * A version's validations and findings as they stood at `at`: opened by then; a validation
   * concluded later is shown OPEN, and a finding closed later is shown OPEN (each moves only once,
   * from OPEN, so its closing time says what it was before). At most 50 validations.
   */
  async asOf(modelVersionId: string, at: Date): Promise<{ validations: Validation[]; findings: ValidationFinding[] }> {
    const { manager } = this.deps.db;
    const validations = (await manager.find(Validation, { where: { modelVersionId }, order: { createdAt: 'ASC', id: 'ASC' }, take: 50 }))
      .filter((v) => v.createdAt <= at)
      .map((v) => (v.concludedAt && v.concludedAt <= at ? v : Object.assign(v, { state: ValidationState.OPEN, conclusion: null, statement: null, concludedBy: null, concludedAt: null })));
    const findings = validations.length === 0 ? [] : (await manager.find(ValidationFinding, { where: { validationId: In(validations.map((v) => v.id)) }, order: { createdAt: 'ASC', id: 'ASC' } }))
      .filter((f) => f.createdAt <= at)
      .map((f) => (f.status === FindingStatus.OPEN || f.updatedAt <= at ? f : Object.assign(f, { status: FindingStatus.OPEN, resolutionNote: null, updatedAt: f.createdAt })));
    return { validations, findings };
  }

  /** The model's standing, from its latest concluded, non-rejected validation (of any version; see ValidationLoaders.latestApproval). */
  standingOf(model: Model, { validation, openFindings }: LatestApproval): ModelValidationStanding {
    if (!validation) return { status: ValidationStatus.NOT_VALIDATED, nextRevalidationDue: null, validationId: null };
    const due = this.dueDate(model, validation);
    if (due.getTime() <= this.now().getTime()) return { status: ValidationStatus.EXPIRED, nextRevalidationDue: due, validationId: validation.id };
    return { status: openFindings ? ValidationStatus.VALIDATED_WITH_FINDINGS : ValidationStatus.VALIDATED, nextRevalidationDue: due, validationId: validation.id };
  }
}
