import { In, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { ValidationConclusion, ValidationState } from './validation-enums';
import { Validation } from './validation.entity';

/** Validations that approve their version: concluded APPROVED or APPROVED_WITH_CONDITIONS. */
export const APPROVING: FindOptionsWhere<Validation> = { state: ValidationState.CONCLUDED, conclusion: In([ValidationConclusion.APPROVED, ValidationConclusion.APPROVED_WITH_CONDITIONS]) };

/** The latest approving validation of each model (of those `where` narrows to), by model id. */
export async function latestApprovalByModel(manager: EntityManager, where: FindOptionsWhere<Validation> = {}): Promise<Map<string, Validation>> {
  const approvals = await manager.find(Validation, { where: { ...where, ...APPROVING }, order: { concludedAt: 'DESC', id: 'DESC' } });
  const latest = new Map<string, Validation>();
  for (const validation of approvals) if (!latest.has(validation.modelId)) latest.set(validation.modelId, validation);
  return latest;
}
