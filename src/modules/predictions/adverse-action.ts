import type { ServedPrediction } from '../../engines/serving/loaded-model';
import { Decision, type ReasonCode } from './decision-policy.entity';

/** A reason given for a decline: the feature's code and text, and how much it lowered the score. */
export interface AdverseActionReason {
  code: string;
  text: string;
  feature: string;
  contribution: number;
}

/**
 * The decision on one scored row and, for a decline, the top `count` reasons: the mapped features
 * that lowered the score most (negative contributions, largest first), one per code. Features
 * with no reason code, or that raised the score, are never given as reasons.
 */
export function decide(prediction: ServedPrediction, threshold: number, reasons: ReadonlyMap<string, ReasonCode>, count: number): { decision: Decision; adverseActionReasons: AdverseActionReason[] | null } {
  if (prediction.value >= threshold) return { decision: Decision.APPROVE, adverseActionReasons: null };
  const given: AdverseActionReason[] = [];
  const codes = new Set<string>();
  const against = (prediction.contributions ?? []).filter((c) => c.contribution < 0).sort((a, b) => a.contribution - b.contribution);
  for (const { feature, contribution } of against) {
    if (given.length >= count) break;
    const reason = reasons.get(feature);
    if (!reason || codes.has(reason.code)) continue;
    codes.add(reason.code);
    given.push({ code: reason.code, text: reason.text, feature, contribution });
  }
  return { decision: Decision.DECLINE, adverseActionReasons: given };
}
