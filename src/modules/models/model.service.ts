import { In } from 'typeorm';
import type { Config } from '../../core/config';
import type { Database } from '../../engines/db/database';
import { paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import { isUniqueViolation } from '../../engines/db/unique-violation';
import { badInput, conflict, notFound } from '../../core/errors';
import { NamedOrderField, type NamedOrder } from '../shared/order.inputs';
import { isIdOf, newId } from '../../core/ids';
import { checkedName, checkedRef } from '../../core/names';
import { escapeLike } from '../../engines/db/like';
import { resolveHyperparameters } from './hyperparameters';
import { architecturesFor } from '../../ml/algorithms/registry';
import { Model } from './model.entity';
import { ModelTask, TASKS_BY_ARCHITECTURE } from './model-enums';
import { normalisedRegulations, RiskTier } from './model-inventory';
import type { CreateModelInput, ModelFilter, SetModelControlsInput, UpdateModelInput } from './model.inputs';

/** A condition on changing a model's tier: null when allowed, else the CONFLICT's message and extensions. */
export type TierChangeCheck = (model: Model, tier: RiskTier) => Promise<{ message: string; details: Record<string, unknown> } | null>;

/** Creates, changes, archives and lists model definitions. The only writer of the model table. */
export class ModelService {
  constructor(private readonly db: Database, private readonly config: Pick<Config, 'maxPageSize'>) {}

  /** `owner` defaults to `creator`, the principal of the key that creates it. */
  async create(input: CreateModelInput, creator: string | null = null): Promise<Model> {
    const name = checkedName(input.name, 'input.name');
    const allowed = TASKS_BY_ARCHITECTURE[input.architecture];
    if (!allowed.includes(input.task)) {
      throw badInput(`${input.architecture} cannot learn ${input.task}; it supports ${allowed.join(', ')}. For ${input.task} use ${architecturesFor(input.task).join(', ')}`, { field: 'input.architecture' });
    }
    const features = input.featureColumns.map((column) => checkedName(column, 'input.featureColumns'));
    const target = checkedName(input.targetColumn, 'input.targetColumn');
    if (features.length === 0 && input.task !== ModelTask.TIME_SERIES_FORECAST) {
      throw badInput('featureColumns must name at least one column', { field: 'input.featureColumns' });
    }
    const duplicate = features.find((column, i) => features.indexOf(column) !== i);
    if (duplicate !== undefined) throw badInput(`featureColumns lists ${JSON.stringify(duplicate)} twice`, { field: 'input.featureColumns' });
    if (features.includes(target)) {
      throw badInput(`the target column ${JSON.stringify(target)} must not also be a feature`, { field: 'input.featureColumns' });
    }
    const now = new Date();
    const model = Object.assign(new Model(), {
      id: newId(Model), name, description: input.description ?? null, task: input.task, architecture: input.architecture,
      featureColumns: features, targetColumn: target, hyperparameters: resolveHyperparameters(input, input.hyperparameters),
      requiresApproval: true, promotionGate: null, archivedAt: null, createdAt: now, updatedAt: now,
      owner: input.owner ?? creator, riskTier: RiskTier.MEDIUM, intendedUse: input.intendedUse ?? null, knownLimitations: input.knownLimitations ?? null,
      businessLine: input.businessLine ?? null, regulations: normalisedRegulations(input.regulations ?? []),
    });
    await this.uniqueName(name, () => this.db.transaction((manager) => manager.insert(Model, model)));
    return model;
  }

  async update(input: UpdateModelInput): Promise<Model> {
    const model = await this.get(input.id);
    const changes: Partial<Model> = { updatedAt: new Date() };
    if (input.name != null) changes.name = checkedName(input.name, 'input.name');
    if (input.description !== undefined) changes.description = input.description;
    if (input.hyperparameters) changes.hyperparameters = resolveHyperparameters(model, input.hyperparameters, model.hyperparameters);
    for (const field of ['owner', 'intendedUse', 'knownLimitations', 'businessLine'] as const) if (input[field] !== undefined) changes[field] = input[field] ?? null;
    if (input.regulations !== undefined) changes.regulations = normalisedRegulations(input.regulations ?? []);
    await this.uniqueName(changes.name ?? model.name, () => this.db.transaction((manager) => manager.update(Model, { id: model.id }, changes)));
    return Object.assign(model, changes);
  }

  private readonly tierChecks: TierChangeCheck[] = [];

  /** Later modules refuse a tier change that would leave a live version out of policy (a HIGH-tier model's validation). */
  addTierChangeCheck(check: TierChangeCheck): void {
    this.tierChecks.push(check);
  }

  /** Changes the PRODUCTION controls: approval requirement, promotion gate and risk tier. */
  async setControls(input: SetModelControlsInput): Promise<Model> {
    const model = await this.byRef(input.modelId, 'input.modelId');
    if (input.riskTier != null && input.riskTier !== model.riskTier) {
      for (const check of this.tierChecks) {
        const refusal = await check(model, input.riskTier);
        if (refusal) throw conflict(refusal.message, refusal.details);
      }
    }
    if (input.clearPromotionGate && input.promotionGate) throw badInput('give promotionGate or clearPromotionGate, not both', { field: 'input.clearPromotionGate' });
    const changes: Partial<Model> = { updatedAt: new Date() };
    if (input.requiresApproval != null) changes.requiresApproval = input.requiresApproval;
    if (input.riskTier != null) changes.riskTier = input.riskTier;
    if (input.clearPromotionGate) changes.promotionGate = null;
    if (input.promotionGate) {
      const { metric, threshold, mustBeatCurrent } = input.promotionGate;
      if (threshold == null && !mustBeatCurrent) throw badInput('a promotion gate needs a threshold, mustBeatCurrent, or both', { field: 'input.promotionGate' });
      changes.promotionGate = { metric, threshold: threshold ?? null, mustBeatCurrent };
    }
    await this.db.transaction((manager) => manager.update(Model, { id: model.id }, changes));
    return Object.assign(model, changes);
  }

  /** Hides a model from lists and from new training; its versions stay readable. */
  async archive(id: string): Promise<Model> {
    const model = await this.get(id);
    if (model.archivedAt) return model;
    const now = new Date();
    await this.db.transaction((manager) => manager.update(Model, { id }, { archivedAt: now, updatedAt: now }));
    return Object.assign(model, { archivedAt: now, updatedAt: now });
  }

  async get(id: string): Promise<Model> {
    const model = isIdOf(id, Model) ? await this.db.manager.findOneBy(Model, { id }) : null;
    if (!model) throw notFound('Model', id);
    return model;
  }

  /**
   * A model by a reference that is either its id or its name: the one resolver of every argument
   * that names a model (`field` is that argument, for errors).
   */
  async byRef(ref: string, field = 'model'): Promise<Model> {
    checkedRef(ref, field);
    return isIdOf(ref, Model) ? this.get(ref) : this.byName(ref);
  }

  /** A model by id or by name, as `model(id, name)` and predict accept either. */
  async find(ref: { id?: string | null; name?: string | null }): Promise<Model> {
    if ((ref.id == null) === (ref.name == null)) throw badInput('give exactly one of id or name', { field: 'id' });
    if (ref.id != null) return this.get(checkedRef(ref.id, 'id'));
    return this.byName(checkedRef(ref.name!, 'name'));
  }

  private async byName(name: string): Promise<Model> {
    const model = await this.db.manager.findOneBy(Model, { name });
    if (!model) throw notFound('Model', name);
    return model;
  }

  /** Names of the given models, by id (unknown ids are left out): alert messages name models. */
  async namesOf(ids: string[]): Promise<Map<string, string>> {
    const models = ids.length ? await this.db.manager.find(Model, { select: { id: true, name: true }, where: { id: In(ids) } }) : [];
    return new Map(models.map((m) => [m.id, m.name]));
  }

  list(filter: ModelFilter | null | undefined, order: NamedOrder | null | undefined, page: PageArgs): Promise<Page<Model>> {
    const qb = this.filtered(filter);
    const byName = order?.field === NamedOrderField.NAME;
    return paginate(qb, 'm', page, { column: byName ? 'm.name' : undefined, property: byName ? 'name' : undefined, direction: order?.direction ?? 'DESC' }, this.config.maxPageSize);
  }

  /** Every model the filter selects, by name, at most `limit` (the inventory reads them all to derive their standing). */
  all(filter: ModelFilter | null | undefined, limit: number): Promise<Model[]> {
    return this.filtered(filter).orderBy('m.name', 'ASC').limit(limit).getMany();
  }

  private filtered(filter: ModelFilter | null | undefined) {
    const qb = this.db.manager.createQueryBuilder(Model, 'm');
    if (filter?.nameContains) qb.andWhere("LOWER(m.name) LIKE :name ESCAPE '!'", { name: `%${escapeLike(filter.nameContains.toLowerCase())}%` });
    if (filter?.task) qb.andWhere('m.task = :task', { task: filter.task });
    if (filter?.architecture) qb.andWhere('m.architecture = :architecture', { architecture: filter.architecture });
    if (!filter?.includeArchived) qb.andWhere('m.archived_at IS NULL');
    if (filter?.riskTier) qb.andWhere('m.risk_tier = :riskTier', { riskTier: filter.riskTier });
    if (filter?.owner) qb.andWhere('m.owner = :owner', { owner: filter.owner });
    if (filter?.businessLine) qb.andWhere('m.business_line = :businessLine', { businessLine: filter.businessLine });
    // Tags are stored as a JSON array of strings: the quoted tag is an exact element.
    if (filter?.regulation) qb.andWhere("m.regulations LIKE :regulation ESCAPE '!'", { regulation: `%${escapeLike(JSON.stringify(filter.regulation.trim()))}%` });
    return qb;
  }

  /** Turns the unique index's refusal into a CONFLICT naming the clash. */
  private async uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`a model named ${JSON.stringify(name)} already exists`, { field: 'input.name' });
      throw error;
    }
  }
}
