import type { EvidenceDocument } from './evidence-document';
import type { DecisionEvidencePack } from './evidence.service';

/**
 * The evidence pack as one self-contained HTML page: inline CSS and SVG charts, no script, no
 * external asset, so it opens the same offline, archived or attached to a file years later.
 * Every value from the database is escaped.
 */
const escape = (value: unknown): string => String(value ?? '—').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : '—');
const number = (value: number | null | undefined, digits = 4) => (value == null || !Number.isFinite(value) ? '—' : Number(value.toFixed(digits)).toString());

function table(headers: string[], rows: unknown[][]): string {
  if (rows.length === 0) return '<p class="none">None.</p>';
  return `<table><thead><tr>${headers.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${
    rows.map((row) => `<tr>${row.map((cell) => `<td>${escape(cell)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function facts(pairs: [string, unknown][]): string {
  return `<dl>${pairs.map(([key, value]) => `<dt>${escape(key)}</dt><dd>${escape(value)}</dd>`).join('')}</dl>`;
}

/** Horizontal bars for feature contributions, positive right of the axis and negative left. */
function contributionChart(contributions: { feature: string; contribution: number }[]): string {
  if (contributions.length === 0) return '';
  const rows = [...contributions].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)).slice(0, 20);
  const max = Math.max(...rows.map((r) => Math.abs(r.contribution)), 1e-12);
  const width = 560;
  const label = 180;
  const half = (width - label) / 2;
  const bars = rows.map((row, i) => {
    // Room for the value label beside the longest bar.
    const length = (Math.abs(row.contribution) / max) * (half - 60);
    const x = row.contribution >= 0 ? label + half : label + half - length;
    return `<text x="${label - 6}" y="${i * 22 + 15}" text-anchor="end">${escape(row.feature)}</text>`
      + `<rect x="${x.toFixed(1)}" y="${i * 22 + 4}" width="${length.toFixed(1)}" height="14" class="${row.contribution >= 0 ? 'up' : 'down'}"/>`
      + `<text x="${(row.contribution >= 0 ? x + length + 4 : x - 4).toFixed(1)}" y="${i * 22 + 15}" text-anchor="${row.contribution >= 0 ? 'start' : 'end'}" class="value">${escape(number(row.contribution))}</text>`;
  }).join('');
  return `<figure><svg role="img" aria-label="Feature contributions" width="${width}" height="${rows.length * 22 + 8}" viewBox="0 0 ${width} ${rows.length * 22 + 8}">`
    + `<line x1="${label + half}" y1="0" x2="${label + half}" y2="${rows.length * 22 + 8}" class="axis"/>${bars}</svg><figcaption>Contributions to the score (occlusion against the training baseline)</figcaption></figure>`;
}

/** The ROC curve of an evaluation, with the diagonal. */
function rocChart(points: { fpr: number; tpr: number }[] | null | undefined): string {
  if (!points || points.length < 2) return '';
  const size = 220;
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${(p.fpr * size).toFixed(1)},${((1 - p.tpr) * size).toFixed(1)}`).join(' ');
  return `<figure><svg role="img" aria-label="ROC curve" width="${size + 2}" height="${size + 2}" viewBox="-1 -1 ${size + 2} ${size + 2}">`
    + `<rect x="0" y="0" width="${size}" height="${size}" class="frame"/><line x1="0" y1="${size}" x2="${size}" y2="0" class="axis"/><path d="${path}" class="curve"/></svg>`
    + '<figcaption>ROC curve on the held-out test split (false positive rate → true positive rate)</figcaption></figure>';
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1b1f24;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f6f8fa}dl{display:grid;grid-template-columns:14rem 1fr;gap:.2rem 1rem}dt{color:#57606a}dd{margin:0;overflow-wrap:anywhere}
.none{color:#57606a}code,.hash{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
svg text{font-size:12px}svg .up{fill:#0969da}svg .down{fill:#bc4c00}svg .axis{stroke:#8c959f}svg .frame{fill:none;stroke:#d0d7de}svg .curve{fill:none;stroke:#0969da;stroke-width:2}svg .value{fill:#57606a}
figure{margin:.75rem 0}figcaption{color:#57606a;font-size:12px}`;

export function evidenceHtml(pack: DecisionEvidencePack, document: EvidenceDocument): string {
  const { prediction, model, modelVersion, deployment, deploymentRequest: request, trainingRun: run } = pack;
  const output = prediction.outputs;
  const inputRows = Object.entries(prediction.inputs ?? {}).map(([feature, value]) => [feature, typeof value === 'object' ? JSON.stringify(value) : value]);
  const evaluation = pack.evaluations.at(-1);
  const metrics = Object.entries(modelVersion.metrics ?? {}).filter(([, v]) => typeof v === 'number').map(([name, value]) => [name, number(value as number)]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Decision evidence ${escape(prediction.id)}</title><style>${STYLE}</style></head><body>
<h1>Decision evidence</h1>
${facts([['Prediction', prediction.id], ['Served at', iso(pack.asOf)], ['Model', `${model.name} (${model.id})`], ['Version', `${modelVersion.version} (${modelVersion.id})`], ['Environment', prediction.environment], ['Route', prediction.route], ['Request id', prediction.requestId]])}
<h2>Decision</h2>
${facts([['Value', number(output.value, 6)], ['Label', output.label], ['Probabilities', (output.probabilities ?? []).map((p) => `${p.label}: ${number(p.probability)}`).join(', ') || '—'], ...(output.decision ? [['Decision', output.decision] as [string, unknown]] : [])])}
${output.adverseActionReasons?.length ? `<h3>Adverse-action reasons given</h3>${table(['code', 'reason', 'feature', 'contribution'], output.adverseActionReasons.map((r) => [r.code, r.text, r.feature, number(r.contribution)]))}` : ''}
<h3>Input</h3>${table(['feature', 'value'], inputRows)}
${output.contributions ? `<h3>Explanation</h3>${contributionChart(output.contributions)}` : '<p class="none">No explanation was asked for with this prediction.</p>'}
<h2>Model</h2>
${facts([['Risk tier', model.riskTier], ['Owner', model.owner], ['Intended use', model.intendedUse], ['Known limitations', model.knownLimitations], ['Business line', model.businessLine], ['Regulations', model.regulations.join(', ') || '—']])}
<h2>Deployment in force</h2>
${deployment ? facts([['Deployment', deployment.id], ['Action', deployment.action], ['Deployed at', iso(deployment.deployedAt)], ['Deployed by', deployment.deployedBy], ['Reason', deployment.reason]]) : '<p class="none">No deployment event recorded for that moment.</p>'}
${request ? facts([['Request', request.id], ['Requested by', request.requestedBy], ['Status', request.status], ['Decided by', request.decidedBy], ['Decided at', iso(request.decidedAt)], ['Comment', request.decisionComment], ['Gate', request.gate?.summary]]) : ''}
<h2>Training</h2>
${run ? facts([['Run', run.id], ['Dataset version', run.datasetVersionId], ['Seed', run.seed], ['Backend', run.backend], ['Libraries', JSON.stringify(run.libraryVersions ?? {})], ['Hyper-parameters', JSON.stringify(run.hyperparameters)], ['Finished', iso(run.finishedAt)]]) : '<p class="none">No training run produced this version.</p>'}
<h3>Version metrics (test split)</h3>${table(['metric', 'value'], metrics)}
${rocChart(evaluation?.rocCurve)}
<h2>Reports known then</h2>
<h3>Evaluations</h3>${table(['evaluation', 'dataset version', 'made', 'auc', 'accuracy', 'rmse'], pack.evaluations.map((e) => [e.id, e.datasetVersionId, iso(e.createdAt), number(e.metrics?.auc), number(e.metrics?.accuracy), number(e.metrics?.rmse)]))}
<h3>Robustness</h3>${table(['report', 'made', 'metric', 'baseline', 'rows'], pack.robustnessReports.map((r) => [r.id, iso(r.createdAt), r.metric, number(r.baseline), r.rowCount]))}
<h3>Back-tests</h3>${table(['back-test', 'finished', 'status'], pack.backtests.map((b) => [b.id, iso(b.finishedAt), b.status]))}
<h3>Challenger</h3>${pack.challengerReport ? facts([['Challenger', `${pack.challengerReport.challenger.mode} of version ${pack.challengerReport.challenger.modelVersionId}`], ['Window', `${iso(pack.challengerReport.from)} → ${iso(pack.challengerReport.to)}`], ['Rows (champion / challenger / compared)', `${pack.challengerReport.liveRows} / ${pack.challengerReport.challengerRows} / ${pack.challengerReport.comparedRows}`], ['Label agreement', number(pack.challengerReport.agreement)], ['Score PSI', number(pack.challengerReport.scorePsi)]]) : '<p class="none">None.</p>'}
<h2>Validation</h2>
${table(['validation', 'state then', 'conclusion', 'opened by', 'concluded by', 'concluded', 'statement'], pack.validations.map((v) => [v.id, v.state, v.conclusion, v.openedBy, v.concludedBy, iso(v.concludedAt), v.statement]))}
<h3>Findings</h3>${table(['finding', 'severity', 'status then', 'owner', 'due', 'description'], pack.validationFindings.map((f) => [f.id, f.severity, f.status, f.owner, iso(f.dueAt), f.description]))}
<h2>Alerts open then</h2>
${table(['alert', 'rule', 'severity', 'opened', 'message'], pack.openAlerts.map((a) => [a.id, a.ruleName, a.severity, iso(a.createdAt), a.message]))}
<h2>Audit trail cited</h2>
${table(['sequence', 'when', 'operation', 'who', 'outcome', 'hash'], pack.auditEntries.map((e) => [e.sequence, iso(e.createdAt), e.operation, `${e.actorPrincipal ?? '—'} (${e.actorRole ?? '—'})`, e.outcome, e.hash]))}
${facts([['Audit digest', pack.auditDigest], ['Evidence SHA-256', document.evidenceSha256]])}
<p class="none">The audit digest is the SHA-256 of the cited entries' hashes, one per line; verifyAuditLog checks the entries themselves. The evidence SHA-256 seals the JSON form of this pack (canonical JSON of its evidence).</p>
</body></html>
`;
}
