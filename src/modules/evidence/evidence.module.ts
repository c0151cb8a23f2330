import { defineModule } from '../shared/module-definition';
import { evidenceExportRoute } from './evidence-export.route';
import { EvidenceResolver } from './evidence.resolver';
import { EvidenceService } from './evidence.service';

declare module '../shared/context' {
  interface ServiceMap {
    evidence: EvidenceService;
  }
}

/** The evidence pack of a served decision, over GraphQL and as JSON/HTML downloads. Owns no table: it reads through the other modules' services. */
export const evidenceModule = defineModule({
  name: 'evidence',
  resolvers: [EvidenceResolver],
  httpRoutes: [evidenceExportRoute],
  services: (_platform, { predictions, models, modelVersions, deployments, challengerReports, training, evaluations, robustness, backtests, validations, alerts, audit }) => ({
    evidence: new EvidenceService({ predictions, models, modelVersions, deployments, challengerReports, training, evaluations, robustness, backtests, validations, alerts, audit }),
  }),
});
