import { badInput } from '../../core/errors';
import type { Database } from '../../engines/db/database';
import { ModelTask } from '../models/model-enums';
import type { Model } from '../models/model.entity';
import type { ModelService } from '../models/model.service';
import type { Caller } from '../shared/caller';
import { DecisionPolicy, type ReasonCode } from './decision-policy.entity';
import type { SetDecisionPolicyInput } from './decision-policy.inputs';
import type { Environment } from '../deployments/environment';

const CODE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$/;
/** The threshold where a policy names none for an environment: the label's own. */
export const DEFAULT_THRESHOLD = 0.5;

/** A policy ready for predict: the threshold per environment and the reasons by feature. */
export interface AppliedPolicy {
  threshold(environment: Environment): number;
  reasons: ReadonlyMap<string, ReasonCode>;
}

/** Sets and reads binary models' decision policies (the only writer of decision_policy). */
export class DecisionPolicyService {
  constructor(private readonly db: Database, private readonly models: Pick<ModelService, 'byRef'>) {}

  async set(input: SetDecisionPolicyInput, caller: Caller | null): Promise<DecisionPolicy> {
    const model = await this.models.byRef(input.modelId, 'input.modelId');
    if (model.task !== ModelTask.BINARY_CLASSIFICATION) throw badInput(`a decision policy is for BINARY_CLASSIFICATION models; ${JSON.stringify(model.name)} is ${model.task}`, { field: 'input.modelId' });
    const environments = new Set<string>();
    input.thresholds.forEach(({ environment, threshold }, i) => {
      if (!(threshold > 0 && threshold < 1)) throw badInput(`a threshold is strictly between 0 and 1, got ${threshold}`, { field: `input.thresholds[${i}].threshold` });
      if (environments.has(environment)) throw badInput(`${environment} has two thresholds`, { field: `input.thresholds[${i}].environment` });
      environments.add(environment);
    });
    const features = new Set(model.featureColumns);
    const mapped = new Set<string>();
    input.reasons.forEach(({ feature, code }, i) => {
      if (!features.has(feature)) throw badInput(`model ${JSON.stringify(model.name)} has no feature ${JSON.stringify(feature.slice(0, 80))}; its features are ${model.featureColumns.slice(0, 20).join(', ')}`, { field: `input.reasons[${i}].feature` });
      if (mapped.has(feature)) throw badInput(`${JSON.stringify(feature)} has two reason codes`, { field: `input.reasons[${i}].feature` });
      if (!CODE.test(code)) throw badInput('a reason code is 1 to 20 of letters, digits, _ and -, starting with a letter or digit', { field: `input.reasons[${i}].code` });
      mapped.add(feature);
    });
    const policy = Object.assign(new DecisionPolicy(), {
      modelId: model.id, thresholds: input.thresholds.map(({ environment, threshold }) => ({ environment, threshold })),
      reasons: input.reasons.map(({ feature, code, text }) => ({ feature, code, text })), updatedBy: caller?.principal ?? null, updatedAt: new Date(),
    });
    await this.db.transaction((manager) => manager.save(DecisionPolicy, policy));
    return policy;
  }

  forModel(modelId: string): Promise<DecisionPolicy | null> {
    return this.db.manager.findOneBy(DecisionPolicy, { modelId });
  }

  /** The policy predict applies, or BAD_USER_INPUT when the model cannot give decisions. */
  async applied(model: Pick<Model, 'id' | 'name' | 'task'>): Promise<AppliedPolicy> {
    if (model.task !== ModelTask.BINARY_CLASSIFICATION) throw badInput(`adverseActionReasons is for BINARY_CLASSIFICATION models; ${JSON.stringify(model.name)} is ${model.task}`, { field: 'input.adverseActionReasons' });
    const policy = await this.forModel(model.id);
    if (!policy) throw badInput(`model ${JSON.stringify(model.name)} has no decision policy: set one with setDecisionPolicy first`, { field: 'input.adverseActionReasons' });
    const thresholds = new Map(policy.thresholds.map((t) => [t.environment, t.threshold]));
    return { threshold: (environment) => thresholds.get(environment) ?? DEFAULT_THRESHOLD, reasons: new Map(policy.reasons.map((r) => [r.feature, r])) };
  }
}
