import type { EntityManager } from 'typeorm';
import type { Config } from '../../core/config';
import { Listeners } from '../shared/listeners';
import type { Logger } from '../../core/logger';
import type { Database } from '../../engines/db/database';
import { paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import { isUniqueViolation } from '../../engines/db/unique-violation';
import { badInput, conflict, forbidden, notFound } from '../../core/errors';
import { newId } from '../../core/ids';
import type { Signature } from '../../ml/signature';
import type { EventBus } from '../shared/topics';
import type { ModelCache } from '../../engines/serving/model-cache';
import type { Caller } from '../shared/caller';
import type { Model } from '../models/model.entity';
import type { ModelService } from '../models/model.service';
import type { ModelVersion } from '../models/model-version.entity';
import type { ModelVersionService } from '../models/model-version.service';
import type { ApiKeyService } from '../auth/api-key.service';
import type { TrainingRunService } from '../training/training-run.service';
import { Deployment, DeploymentAction, LiveDeployment } from './deployment.entity';
import { DeploymentRequest, DeploymentRequestStatus } from './deployment-request.entity';
import { Environment } from './environment';
import { activeKeyOf, Challenger, ChallengerEnd, DeploymentMode } from './challenger.entity';
import type { LiveRoutes } from './live-routes';
import { checkGate, type GateCheck } from '../models/promotion-gate';

export interface DeployInput {
  modelVersionId: string;
  environment: Environment;
  reason?: string | null;
  allowSignatureChange?: boolean | null;
  /** LIVE (default), or beside the live version as a SHADOW or a CANARY. */
  mode?: DeploymentMode | null;
  /** CANARY: the share of requests it answers, 1 to 99. */
  trafficPercent?: number | null;
}

/** What a deploy did: put a version live, started a challenger, or (PRODUCTION with maker-checker) asked for approval. */
export type DeployOutcome = Deployment | DeploymentRequest | Challenger;

/** A condition for PRODUCTION: null when met, else the CONFLICT's message and extensions (naming what is missing). */
export type ProductionCheck = (model: Model, version: ModelVersion) => Promise<{ message: string; details: Record<string, unknown> } | null>;

/**
 * Deployments, rollbacks and PRODUCTION approvals. The only writer of the deployment tables.
 * A version goes live only after it is loaded into this instance's model cache, so no request
 * ever meets a half-loaded model.
 */
export class DeploymentService {
  constructor(private readonly deps: {
    db: Database; config: Pick<Config, 'maxPageSize'>; events: EventBus; cache: ModelCache<ModelVersion>; routes: LiveRoutes;
    models: ModelService; modelVersions: ModelVersionService; training: Pick<TrainingRunService, 'trainedBy'>;
    /** Whose keys are whose: maker-checker compares people (principals), not keys. */
    principals: Pick<ApiKeyService, 'principalsOf'>;
    log: Logger;
  }) {}

  /** A version went live (a deploy or a rollback), after the write committed: for notifications. */
  readonly deployed = new Listeners<{ deployment: Deployment; modelId: string; environment: Environment; replacedVersionId: string | null }>((error) => this.deps.log.error({ err: error }, 'a deployed listener failed'));
  /** A PRODUCTION request was made or decided, after the write committed. */
  readonly requests = new Listeners<DeploymentRequest>((error) => this.deps.log.error({ err: error }, 'a deployment request listener failed'));

  async deploy(input: DeployInput, caller: Caller | null): Promise<DeployOutcome> {
    const mode = input.mode ?? DeploymentMode.LIVE;
    if (mode === DeploymentMode.CANARY) {
      if (input.trafficPercent == null || !Number.isInteger(input.trafficPercent) || input.trafficPercent < 1 || input.trafficPercent > 99) {
        throw badInput(`a CANARY needs trafficPercent from 1 to 99, got ${input.trafficPercent ?? 'none'}`, { field: 'input.trafficPercent' });
      }
    } else if (input.trafficPercent != null) {
      throw badInput(`trafficPercent is for a CANARY; a ${mode} deployment takes none`, { field: 'input.trafficPercent' });
    }
    const version = await this.deps.modelVersions.get(input.modelVersionId);
    if (!version.artifactId) throw badInput('this model version has no trained weights to serve', { field: 'input.modelVersionId' });
    const model = await this.deps.models.get(version.modelId);
    if (model.archivedAt) throw badInput(`model ${JSON.stringify(model.name)} is archived`, { field: 'input.modelVersionId' });
    const live = await this.live(model.id, input.environment);
    if (live?.modelVersionId === version.id) throw conflict(`version ${version.version} is already live in ${input.environment}`, { deploymentId: live.deploymentId });
    const liveVersion = live ? await this.deps.modelVersions.get(live.modelVersionId) : null;
    if (liveVersion && !input.allowSignatureChange) this.checkSameSignature(await this.signatureOf(version), await this.signatureOf(liveVersion), input.environment);
    const reason = input.reason ?? null;
    if (mode !== DeploymentMode.LIVE) {
      if (!liveVersion) throw conflict(`model ${JSON.stringify(model.name)} has nothing live in ${input.environment} for a ${mode} to run beside; deploy a version LIVE first`, { field: 'input.environment' });
      await this.checkNoChallenger(model.id, input.environment);
      // A shadow answers nobody: no gate, no approval. A canary answers real requests: like a deploy.
      if (mode === DeploymentMode.SHADOW) return this.startChallenger(model, version, liveVersion, input.environment, { mode, trafficPercent: null, reason, caller });
    }
    const start = () => (mode === DeploymentMode.CANARY
      ? this.startChallenger(model, version, liveVersion!, input.environment, { mode, trafficPercent: input.trafficPercent!, reason, caller })
      : this.putLive(model, version, input.environment, { reason, caller }));

    if (input.environment !== Environment.PRODUCTION) return start();
    await this.checkProduction(model, version);
    const gate = await this.gateFor(model, version, liveVersion);
    if (gate && !gate.passed) throw conflict(`promotion gate failed: ${gate.summary}`, { gate });
    if (!model.requiresApproval) return start();
    return this.request(model, version, { ...input, mode }, gate, caller);
  }

  /** The challenger running beside the live version, or null. */
  activeChallenger(modelId: string, environment: Environment): Promise<Challenger | null> {
    return this.deps.db.manager.findOneBy(Challenger, { activeKey: activeKeyOf(modelId, environment) });
  }

  /** The running challenger, else the latest that ran, in (model, environment); null if none ever did. */
  /** The challenger that started last by `at` in (model, environment), running or not; null if none had. */
  challengerAt(modelId: string, environment: Environment, at: Date): Promise<Challenger | null> {
    return this.deps.db.manager.createQueryBuilder(Challenger, 'c').where('c.model_id = :modelId AND c.environment = :environment', { modelId, environment })
      .andWhere('c.started_at <= :at', { at: this.deps.db.sqlDate(at) }).orderBy('c.started_at', 'DESC').addOrderBy('c.id', 'DESC').getOne();
  }

  async latestChallenger(modelId: string, environment: Environment): Promise<Challenger | null> {
    return this.deps.db.manager.findOne(Challenger, { where: { modelId, environment }, order: { startedAt: 'DESC', id: 'DESC' } });
  }

  private async checkNoChallenger(modelId: string, environment: Environment): Promise<void> {
    const running = await this.activeChallenger(modelId, environment);
    if (running) throw conflict(`a ${running.mode} challenger already runs in ${environment}; promote or end it first`, { challengerId: running.id });
  }

  /**
   * Loads the challenger's version, records it as the one challenger of (model, environment) (a
   * unique key refuses a second, even at the same moment), and has every instance route to it.
   */
  private async startChallenger(model: Model, version: ModelVersion, champion: ModelVersion, environment: Environment, options: {
    mode: DeploymentMode; trafficPercent: number | null; reason: string | null; caller: Caller | null;
    inTransaction?: (manager: EntityManager) => Promise<void>;
  }): Promise<Challenger> {
    const { db, cache } = this.deps;
    await cache.load(version.id);
    const challenger = Object.assign(new Challenger(), {
      id: newId(Challenger), modelId: model.id, environment, modelVersionId: version.id, championVersionId: champion.id, mode: options.mode,
      trafficPercent: options.trafficPercent, activeKey: activeKeyOf(model.id, environment), reason: options.reason,
      startedById: options.caller?.keyId ?? null, startedBy: options.caller?.keyName ?? null, startedAt: new Date(), endedAt: null, endedBy: null, endReason: null,
    });
    await db.transaction(async (manager) => {
      await manager.insert(Challenger, challenger);
      await options.inTransaction?.(manager);
    }).catch((error) => {
      throw isUniqueViolation(error) ? conflict(`a challenger already runs in ${environment}; promote or end it first`) : error;
    });
    this.routeChanged(model.id, environment, version.id, null);
    return challenger;
  }

  /**
   * Puts the running challenger live through the same gate and approval as any deploy (its
   * signature was checked when it started). When it goes live, it stops being a challenger.
   */
  async promoteChallenger(modelRef: string, environment: Environment, reason: string | null, caller: Caller | null): Promise<DeployOutcome> {
    const model = await this.deps.models.byRef(modelRef, 'input.modelId');
    const running = await this.activeChallenger(model.id, environment);
    if (!running) throw conflict(`model ${JSON.stringify(model.name)} has no challenger in ${environment} to promote`, { field: 'input.environment' });
    return this.deploy({ modelVersionId: running.modelVersionId, environment, reason, allowSignatureChange: true }, caller);
  }

  /** Stops the running challenger: requests go to the live version alone again. */
  async endChallenger(modelRef: string, environment: Environment, caller: Caller | null): Promise<Challenger> {
    const model = await this.deps.models.byRef(modelRef, 'input.modelId');
    const running = await this.activeChallenger(model.id, environment);
    if (!running) throw conflict(`model ${JSON.stringify(model.name)} has no challenger in ${environment} to end`, { field: 'input.environment' });
    const ended = await this.finishChallenger(running, ChallengerEnd.ENDED, caller);
    if (!ended) throw conflict('the challenger was ended or promoted meanwhile', { challengerId: running.id });
    return ended;
  }

  /** Ends a challenger once (conditional on it still running); null if something else ended it first. */
  private async finishChallenger(challenger: Challenger, endReason: ChallengerEnd, caller: Caller | null): Promise<Challenger | null> {
    const changes = { activeKey: null, endedAt: new Date(), endedBy: caller?.keyName ?? null, endReason };
    const moved = await this.deps.db.transaction((m) => m.update(Challenger, { id: challenger.id, activeKey: activeKeyOf(challenger.modelId, challenger.environment) }, changes));
    if (!moved.affected) return null;
    Object.assign(challenger, changes);
    const live = await this.live(challenger.modelId, challenger.environment);
    this.routeChanged(challenger.modelId, challenger.environment, live?.modelVersionId ?? challenger.championVersionId, challenger.modelVersionId);
    await this.unloadIfIdle(challenger.modelVersionId);
    return challenger;
  }

  /** Every instance drops its routes of the model, loads `versionId`, and lets go of `replacedVersionId` if nothing serves it. */
  private routeChanged(modelId: string, environment: Environment, versionId: string, replacedVersionId: string | null): void {
    this.deps.routes.invalidate(modelId);
    this.deps.events.publish('ROUTES_CHANGED', 'all', { modelId, environment, modelVersionId: versionId, replacedVersionId });
  }

  /**
   * Maker-checker between people: neither the principal who asked nor the one who trained the
   * version may approve, whichever of their keys they use (an ADMIN minting itself an APPROVER
   * key is still the requester).
   */
  private async checkFourEyes(request: DeploymentRequest, caller: Caller | null): Promise<void> {
    if (!caller) return;
    const trainedBy = await this.deps.training.trainedBy(request.modelVersionId);
    const principals = await this.deps.principals.principalsOf([request.requestedById, trainedBy].filter((id): id is string => id !== null));
    const same = (keyId: string | null) => keyId !== null && (keyId === caller.keyId || principals.get(keyId) === caller.principal);
    if (same(request.requestedById)) throw forbidden(`maker-checker: ${JSON.stringify(caller.principal)} made this request and cannot approve it, with any of its keys`);
    if (same(trainedBy)) throw forbidden(`maker-checker: ${JSON.stringify(caller.principal)} trained this version and cannot approve putting it live, with any of its keys`);
  }

  /** An APPROVER other than the requester (and than whoever trained the version) puts it live. */
  async approve(id: string, comment: string | null, caller: Caller | null): Promise<DeploymentRequest> {
    const request = await this.pending(id);
    await this.checkFourEyes(request, caller);
    const version = await this.deps.modelVersions.get(request.modelVersionId);
    const model = await this.deps.models.get(request.modelId);
    if (model.archivedAt) throw conflict(`model ${JSON.stringify(model.name)} was archived after the request`, { modelId: model.id });
    // The live version may have changed since the request: the gate is checked again.
    const live = await this.live(model.id, request.environment);
    const liveVersion = live ? await this.deps.modelVersions.get(live.modelVersionId) : null;
    if (live?.modelVersionId === version.id) throw conflict(`version ${version.version} is already live in ${request.environment}`, { deploymentId: live.deploymentId });
    if (request.environment === Environment.PRODUCTION) await this.checkProduction(model, version);
    const gate = await this.gateFor(model, version, liveVersion);
    if (gate && !gate.passed) throw conflict(`promotion gate now fails: ${gate.summary}`, { gate });
    const decidedAt = new Date();
    const decision = { status: DeploymentRequestStatus.APPROVED, decidedById: caller?.keyId ?? null, decidedBy: caller?.keyName ?? null, decisionComment: comment, decidedAt };
    if (request.mode === DeploymentMode.CANARY) {
      if (!liveVersion) throw conflict(`nothing is live in ${request.environment} any more for the canary to run beside`, { requestId: request.id });
      await this.checkNoChallenger(model.id, request.environment);
      await this.startChallenger(model, version, liveVersion, request.environment, {
        mode: DeploymentMode.CANARY, trafficPercent: request.trafficPercent, reason: request.reason, caller,
        inTransaction: (manager) => this.decide(manager, request.id, decision),
      });
      Object.assign(request, decision);
      this.requestChanged(request);
      return request;
    }
    const deployment = await this.putLive(model, version, request.environment, {
      reason: request.reason, caller, requestId: request.id,
      // Claimed in the deploy's own transaction, so two approvers cannot both put it live.
      inTransaction: (manager, deploymentId) => this.decide(manager, request.id, { ...decision, deploymentId }),
    });
    Object.assign(request, decision, { deploymentId: deployment.id });
    this.requestChanged(request);
    return request;
  }

  async reject(id: string, reason: string, caller: Caller | null): Promise<DeploymentRequest> {
    const request = await this.pending(id);
    const decision = { status: DeploymentRequestStatus.REJECTED, decidedById: caller?.keyId ?? null, decidedBy: caller?.keyName ?? null, decisionComment: reason, decidedAt: new Date() };
    await this.deps.db.transaction((manager) => this.decide(manager, id, decision));
    Object.assign(request, decision);
    this.requestChanged(request);
    return request;
  }

  /**
   * Puts back the version that served before the live one. Repeated rollbacks walk further back
   * (a rollback restores deployment P; the next one restores P's predecessor).
   */
  async rollback(modelId: string, environment: Environment, reason: string | null, caller: Caller | null): Promise<Deployment> {
    const model = await this.deps.models.byRef(modelId, 'input.modelId');
    const live = await this.live(model.id, environment);
    if (!live) throw conflict(`model ${JSON.stringify(model.name)} has nothing deployed to ${environment} to roll back`, { field: 'input.environment' });
    const current = await this.getDeployment(live.deploymentId);
    const base = current.action === DeploymentAction.ROLLBACK && current.restoresId ? await this.getDeployment(current.restoresId) : current;
    if (!base.previousId) throw conflict(`model ${JSON.stringify(model.name)} has no earlier deployment in ${environment} to roll back to`, { field: 'input.environment' });
    const target = await this.getDeployment(base.previousId);
    const version = await this.deps.modelVersions.get(target.modelVersionId);
    return this.putLive(model, version, environment, { reason, caller, action: DeploymentAction.ROLLBACK, restoresId: target.id });
  }

  async getDeployment(id: string): Promise<Deployment> {
    const found = await this.deps.db.manager.findOneBy(Deployment, { id });
    if (!found) throw notFound('Deployment', id);
    return found;
  }

  async getRequest(id: string): Promise<DeploymentRequest> {
    const found = await this.deps.db.manager.findOneBy(DeploymentRequest, { id });
    if (!found) throw notFound('DeploymentRequest', id);
    return found;
  }

  /** A model's deployments in one environment, newest first; with `servingAt`, only those made by then (the first is the one that served). */
  history(modelId: string, environment: Environment, servingAt: Date | null | undefined, page: PageArgs): Promise<Page<Deployment>> {
    const qb = this.deps.db.manager.createQueryBuilder(Deployment, 'd').where('d.model_id = :modelId AND d.environment = :environment', { modelId, environment });
    if (servingAt) qb.andWhere('d.deployed_at <= :at', { at: this.deps.db.sqlDate(servingAt) });
    return paginate(qb, 'd', page, { direction: 'DESC' }, this.deps.config.maxPageSize);
  }

  listRequests(filter: { status?: DeploymentRequestStatus | null; modelId?: string | null } | null | undefined, page: PageArgs): Promise<Page<DeploymentRequest>> {
    const qb = this.deps.db.manager.createQueryBuilder(DeploymentRequest, 'r');
    if (filter?.status) qb.andWhere('r.status = :status', { status: filter.status });
    if (filter?.modelId) qb.andWhere('r.model_id = :modelId', { modelId: filter.modelId });
    return paginate(qb, 'r', page, { direction: 'DESC' }, this.deps.config.maxPageSize);
  }

  /** What serves a model in an environment now: the live pointer, or null. */
  live(modelId: string, environment: Environment): Promise<LiveDeployment | null> {
    return this.deps.db.manager.findOneBy(LiveDeployment, { modelId, environment });
  }

  /** Every model with a version live in `environment`, by model id. */
  liveIn(environment: Environment): Promise<LiveDeployment[]> {
    return this.deps.db.manager.find(LiveDeployment, { where: { environment }, order: { modelId: 'ASC' } });
  }

  private async pending(id: string): Promise<DeploymentRequest> {
    const request = await this.getRequest(id);
    if (request.status !== DeploymentRequestStatus.PENDING) throw conflict(`request is already ${request.status}`, { status: request.status });
    return request;
  }

  private async decide(manager: EntityManager, id: string, decision: Partial<DeploymentRequest>): Promise<void> {
    const moved = await manager.update(DeploymentRequest, { id, status: DeploymentRequestStatus.PENDING }, decision);
    if (!moved.affected) throw conflict('request was decided by someone else meanwhile', { requestId: id });
  }

  private async gateFor(model: Model, version: ModelVersion, live: ModelVersion | null): Promise<GateCheck | null> {
    if (!model.promotionGate) return null;
    const metricsOf = async (v: ModelVersion) => {
      let metrics: Record<string, number | null | undefined> = { ...v.metrics };
      for (const source of this.metricSources) metrics = { ...metrics, ...await source(v.id) };
      return metrics;
    };
    return checkGate(model.promotionGate, await metricsOf(version), live ? await metricsOf(live) : null);
  }

  private readonly metricSources: ((modelVersionId: string) => Promise<Record<string, number | null>>)[] = [];

  private readonly productionChecks: ProductionCheck[] = [];

  /**
   * Later modules add conditions a version must meet to go live in PRODUCTION (a HIGH-tier
   * model's validation). Checked with the promotion gate: on deploy, on approval and on promotion.
   */
  addProductionCheck(check: ProductionCheck): void {
    this.productionChecks.push(check);
  }

  private async checkProduction(model: Model, version: ModelVersion): Promise<void> {
    for (const check of this.productionChecks) {
      const refusal = await check(model, version);
      if (refusal) throw conflict(refusal.message, refusal.details);
    }
  }

  /** Key ids that asked for, approved or carried out a deploy of the version (independence checks compare their principals). */
  async keysInvolvedWith(modelVersionId: string): Promise<{ requested: string[]; approved: string[]; deployed: string[] }> {
    const { manager } = this.deps.db;
    const [requests, events] = await Promise.all([
      manager.find(DeploymentRequest, { select: { id: true, requestedById: true, decidedById: true, status: true }, where: { modelVersionId } }),
      manager.find(Deployment, { select: { id: true, deployedById: true }, where: { modelVersionId } }),
    ]);
    const ids = (values: (string | null)[]) => [...new Set(values.filter((id): id is string => id !== null))];
    return {
      requested: ids(requests.map((r) => r.requestedById)),
      approved: ids(requests.filter((r) => r.status === DeploymentRequestStatus.APPROVED).map((r) => r.decidedById)),
      deployed: ids(events.map((e) => e.deployedById)),
    };
  }

  /** Later modules add figures a gate may name (a version's latest back-test). */
  addMetricsSource(source: (modelVersionId: string) => Promise<Record<string, number | null>>): void {
    this.metricSources.push(source);
  }

  private async request(model: Model, version: ModelVersion, input: DeployInput, gate: GateCheck | null, caller: Caller | null): Promise<DeploymentRequest> {
    const { db } = this.deps;
    const open = await db.manager.findOneBy(DeploymentRequest, { modelVersionId: version.id, environment: input.environment, status: DeploymentRequestStatus.PENDING });
    if (open) throw conflict(`version ${version.version} already has a pending request for ${input.environment}`, { requestId: open.id });
    const request = Object.assign(new DeploymentRequest(), {
      id: newId(DeploymentRequest), modelId: model.id, modelVersionId: version.id, environment: input.environment, status: DeploymentRequestStatus.PENDING,
      reason: input.reason ?? null, gate, mode: input.mode ?? DeploymentMode.LIVE, trafficPercent: input.trafficPercent ?? null, requestedById: caller?.keyId ?? null, requestedBy: caller?.keyName ?? null,
      decidedById: null, decidedBy: null, decisionComment: null, decidedAt: null, deploymentId: null, createdAt: new Date(),
    });
    await db.transaction((manager) => manager.insert(DeploymentRequest, request));
    this.requestChanged(request);
    return request;
  }

  /** Loads the version, then records the event and moves the live pointer in one transaction, then switches traffic. */
  private async putLive(model: Model, version: ModelVersion, environment: Environment, options: {
    reason: string | null; caller: Caller | null; action?: DeploymentAction; restoresId?: string; requestId?: string;
    inTransaction?: (manager: EntityManager, deploymentId: string) => Promise<void>;
  }): Promise<Deployment> {
    const { db, cache, routes, events } = this.deps;
    await cache.load(version.id);
    const deployment = await db.transaction(async (manager) => {
      const live = await manager.findOneBy(LiveDeployment, { modelId: model.id, environment });
      const event = Object.assign(new Deployment(), {
        id: newId(Deployment), modelId: model.id, modelVersionId: version.id, environment, action: options.action ?? DeploymentAction.DEPLOY,
        previousId: live?.deploymentId ?? null, restoresId: options.restoresId ?? null, requestId: options.requestId ?? null, reason: options.reason,
        deployedById: options.caller?.keyId ?? null, deployedBy: options.caller?.keyName ?? null, deployedAt: new Date(),
      });
      await manager.insert(Deployment, event);
      if (live) {
        // Conditional on the pointer we read: a concurrent deploy makes this one a CONFLICT, not a lost update.
        const moved = await manager.update(LiveDeployment, { modelId: model.id, environment, deploymentId: live.deploymentId }, { deploymentId: event.id, modelVersionId: version.id });
        if (!moved.affected) throw conflict(`another deployment to ${environment} happened at the same time; retry`);
      } else {
        await manager.insert(LiveDeployment, { modelId: model.id, environment, deploymentId: event.id, modelVersionId: version.id });
      }
      await options.inTransaction?.(manager, event.id);
      return { event, replaced: live?.modelVersionId ?? null };
    }).catch((error) => {
      throw isUniqueViolation(error) ? conflict(`another deployment to ${environment} happened at the same time; retry`) : error;
    });
    routes.invalidate(model.id);
    events.publish('DEPLOYMENT_CHANGED', model.id, { deploymentId: deployment.event.id, environment });
    // Every other instance (and this one, again: harmless) follows within a pub/sub hop.
    events.publish('ROUTES_CHANGED', 'all', { modelId: model.id, environment, modelVersionId: version.id, replacedVersionId: deployment.replaced });
    this.deployed.emit({ deployment: deployment.event, modelId: model.id, environment, replacedVersionId: deployment.replaced });
    // A challenger whose version is now live has won.
    const challenger = await this.activeChallenger(model.id, environment);
    if (challenger?.modelVersionId === version.id) await this.finishChallenger(challenger, ChallengerEnd.PROMOTED, null);
    if (deployment.replaced) await this.unloadIfIdle(deployment.replaced);
    return deployment.event;
  }

  private routeChanges: AsyncIterator<unknown> | null = null;

  /**
   * Follows deploys and rollbacks made anywhere in the cluster: drops this instance's routes of
   * the model, loads the new version before the first request needs it, and unloads the replaced
   * one once no environment serves it. Without this, another instance's deploy shows after the
   * routes' 5 s lifetime.
   */
  followRouteChanges(): void {
    const { events, routes, cache, log } = this.deps;
    const iterator = events.subscribe('ROUTES_CHANGED', 'all')[Symbol.asyncIterator]();
    this.routeChanges = iterator;
    void (async () => {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const { modelId, modelVersionId, replacedVersionId } = next.value;
        routes.invalidate(modelId);
        try {
          await cache.load(modelVersionId);
          if (replacedVersionId) await this.unloadIfIdle(replacedVersionId);
        } catch (error) {
          log.warn({ err: error, modelId, modelVersionId }, 'could not load a newly deployed version ahead of its first request');
        }
      }
    })().catch((error) => log.error({ err: error }, 'route-change listener stopped'));
  }

  stopFollowing(): void {
    void this.routeChanges?.return?.();
    this.routeChanges = null;
  }

  /** A version nothing serves any more leaves the cache. */
  private async unloadIfIdle(versionId: string): Promise<void> {
    const { db, cache } = this.deps;
    if (await db.manager.existsBy(LiveDeployment, { modelVersionId: versionId })) return;
    // A running challenger's version serves too (a shadow's copies, a canary's share).
    if (await db.manager.createQueryBuilder(Challenger, 'c').where('c.model_version_id = :versionId AND c.active_key IS NOT NULL', { versionId }).getExists()) return;
    cache.evict(versionId);
  }

  private async signatureOf(version: ModelVersion): Promise<Signature> {
    return version.signature ?? (await this.deps.cache.load(version.id)).signature;
  }

  /** Clients of the environment send rows shaped for the live version; a different shape would break them. */
  private checkSameSignature(candidate: Signature, live: Signature, environment: Environment): void {
    const shape = (s: Signature) => s.features.map((f) => `${f.name}:${f.type}`).join(',');
    if (shape(candidate) !== shape(live)) {
      throw conflict(`the version's input signature (${shape(candidate)}) differs from the one live in ${environment} (${shape(live)}); pass allowSignatureChange: true if clients are ready`, { field: 'input.allowSignatureChange' });
    }
  }

  private requestChanged(request: DeploymentRequest): void {
    this.deps.events.publish('DEPLOYMENT_REQUEST_UPDATED', 'all', { requestId: request.id, modelId: request.modelId });
    this.requests.emit(request);
  }
}
