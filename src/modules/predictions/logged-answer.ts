import { rocAuc } from '../../ml/evaluation';

/** An answer as the prediction log stores it (a RowPrediction's JSON). */
export interface LoggedAnswer {
  value: number;
  label: string | null;
  probabilities?: { label: string; probability: number }[];
}

/** Binary classifiers: the positive class is the second label. */
export const positiveLabel = (answer: LoggedAnswer): string | null => answer.probabilities?.[1]?.label ?? answer.probabilities?.[0]?.label ?? null;
export const positiveProbability = (answer: LoggedAnswer): number => answer.probabilities?.[1]?.probability ?? answer.value;

/** Realised AUC of binary answers against what happened; null unless both classes occurred. */
export function realisedAuc(rows: { answer: LoggedAnswer; actual: string }[]): number | null {
  const labels = rows.map((r) => (r.actual === positiveLabel(r.answer) ? 1 : 0));
  if (!labels.includes(1) || !labels.includes(0)) return null;
  return rocAuc(labels, rows.map((r) => positiveProbability(r.answer)));
}
