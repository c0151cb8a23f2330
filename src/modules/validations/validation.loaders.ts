import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { Database } from '../../engines/db/database';
import { byIdLoader } from '../../engines/db/grouped-page-loader';
import { latestApprovalByModel } from './approvals';
import { FindingStatus } from './validation-enums';
import { Validation, ValidationFinding } from './validation.entity';

/** A model's latest concluded, non-rejected validation and how many of its findings are still OPEN. */
export interface LatestApproval {
  validation: Validation | null;
  openFindings: number;
}

/** Per-request loaders: two statements for the standing of a whole page of models, one for a page of validations' findings. */
export class ValidationLoaders {
  readonly byId: DataLoader<string, Validation | null>;
  readonly findingById: DataLoader<string, ValidationFinding | null>;

  readonly latestApproval = new DataLoader<string, LatestApproval>(async (modelIds) => {
    const latest = await latestApprovalByModel(this.db.manager, { modelId: In([...modelIds]) });
    const ids = [...latest.values()].map((v) => v.id);
    const counts = ids.length === 0 ? [] : await this.db.manager.createQueryBuilder(ValidationFinding, 'f').select('f.validation_id', 'id').addSelect('COUNT(*)', 'n')
      .where('f.validation_id IN (:...ids) AND f.status = :open', { ids, open: FindingStatus.OPEN }).groupBy('f.validation_id').getRawMany<{ id: string; n: unknown }>();
    const open = new Map(counts.map((row) => [row.id, Number(row.n)]));
    return modelIds.map((modelId) => {
      const validation = latest.get(modelId) ?? null;
      return { validation, openFindings: validation ? open.get(validation.id) ?? 0 : 0 };
    });
  });

  readonly findingsOf = new DataLoader<string, ValidationFinding[]>(async (validationIds) => {
    const findings = await this.db.manager.find(ValidationFinding, { where: { validationId: In([...validationIds]) }, order: { createdAt: 'ASC', id: 'ASC' } });
    return validationIds.map((id) => findings.filter((finding) => finding.validationId === id));
  });

  readonly ofVersion = new DataLoader<string, Validation[]>(async (versionIds) => {
    const validations = await this.db.manager.find(Validation, { where: { modelVersionId: In([...versionIds]) }, order: { createdAt: 'DESC', id: 'DESC' } });
    return versionIds.map((id) => validations.filter((validation) => validation.modelVersionId === id));
  });

  constructor(private readonly db: Database) {
    this.byId = byIdLoader(db, Validation);
    this.findingById = byIdLoader(db, ValidationFinding);
  }
}
