import { Readable } from 'node:stream';
import { badInput } from '../../core/errors';
import type { HttpRoute } from '../shared/module-definition';
import { Roles } from '../shared/role';
import { evidenceDocument } from './evidence-document';
import { evidenceHtml } from './evidence-html';

/**
 * GET /exports/evidence/<predictionId>.json or .html: a decision's evidence pack, as sealed JSON
 * or as one self-contained HTML page (inline charts, no external asset). Audited.
 */
export const evidenceExportRoute: HttpRoute = {
  path: '/exports/evidence/:file',
  roles: Roles.READERS,
  operation: 'exportDecisionEvidence',
  async handle({ params }, _caller, services) {
    const match = /^([A-Za-z0-9_]{1,60})\.(json|html)$/.exec(params.file);
    if (!match) throw badInput('the file is <predictionId>.json or <predictionId>.html', { field: 'predictionId' });
    const pack = await services.evidence.collect(match[1]);
    const document = evidenceDocument(pack);
    const audit = { predictionId: pack.prediction.id, format: match[2], evidenceSha256: document.evidenceSha256 };
    if (match[2] === 'json') {
      return { contentType: 'application/json; charset=utf-8', filename: `evidence-${pack.prediction.id}.json`, body: Readable.from([JSON.stringify(document, null, 2)]), audit };
    }
    return { contentType: 'text/html; charset=utf-8', filename: `evidence-${pack.prediction.id}.html`, body: Readable.from([evidenceHtml(pack, document)]), audit };
  },
};
