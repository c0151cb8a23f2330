import { createHash } from 'node:crypto';
import { canonicalJson } from '../auth/audit-chain';
import type { DecisionEvidencePack } from './evidence.service';

/** The downloadable form of a pack: plain JSON (dates as ISO text), sealed with the SHA-256 of its canonical JSON. */
export interface EvidenceDocument {
  format: 'aimass-decision-evidence/1';
  evidence: unknown;
  /** SHA-256 (hex) of canonicalJson(evidence): change any byte of the evidence and it no longer matches. */
  evidenceSha256: string;
}

export function evidenceDocument(pack: DecisionEvidencePack): EvidenceDocument {
  // Through JSON once: Dates become ISO text and entities plain objects, exactly as a reader of the file sees them.
  const evidence = JSON.parse(JSON.stringify(pack));
  return { format: 'aimass-decision-evidence/1', evidence, evidenceSha256: createHash('sha256').update(canonicalJson(evidence)).digest('hex') };
}
