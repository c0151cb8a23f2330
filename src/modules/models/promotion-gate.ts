import { IsIn, IsOptional } from 'class-validator';
import { Field, Float, InputType, ObjectType } from 'type-graphql';

/** Metrics where a smaller value is better; the gate's threshold is then a ceiling. */
const LOWER_IS_BETTER = new Set(['rmse', 'mae', 'mape', 'logLoss', 'maxDrawdown', 'mase', 'relativeRmse']);
/** Metrics a gate may name: those a version's test evaluation records, and its latest trading back-test's figures. */
export const GATE_METRICS = ['auc', 'accuracy', 'precision', 'recall', 'f1', 'ks', 'logLoss', 'rmse', 'mae', 'mape', 'r2', 'skill', 'mase', 'relativeRmse', 'sharpe', 'sortino', 'calmar', 'totalReturn', 'cagr', 'hitRate', 'maxDrawdown'] as const;

/** The rule a version must pass to go live in PRODUCTION, stored on the model. */
@ObjectType({ description: 'What a version must reach on its test evaluation to go live in PRODUCTION.' })
export class PromotionGate {
  @Field({ description: 'An evaluation metric: auc, accuracy, precision, recall, f1, ks, r2, skill (higher is better; skill above 0 beats the persistence forecast) or logLoss, rmse, mae, mape, mase, relativeRmse (lower is better); or a figure of the version\'s latest SUCCEEDED trading back-test: sharpe, sortino, calmar, totalReturn, cagr, hitRate (higher is better) or maxDrawdown (lower is better; 0.2 = 20 %).' })
  metric!: string;

  @Field(() => Float, { nullable: true, description: 'At least this (at most, for lower-is-better metrics); null: no fixed threshold.' })
  threshold!: number | null;

  @Field({ description: 'The candidate must also be at least as good as the version live in PRODUCTION.' })
  mustBeatCurrent!: boolean;
}

@InputType({ description: 'A promotion gate; see PromotionGate.' })
export class PromotionGateInput {
  @Field({ description: 'An evaluation metric (auc, accuracy, precision, recall, f1, ks, r2, skill, logLoss, rmse, mae, mape, mase, relativeRmse) or a back-test figure (sharpe, sortino, calmar, totalReturn, cagr, hitRate, maxDrawdown); see PromotionGate.metric.' })
  @IsIn(GATE_METRICS as unknown as string[], { message: `metric must be one of ${GATE_METRICS.join(', ')}` })
  metric!: string;

  @Field(() => Float, { nullable: true, description: 'At least this (at most, for lower-is-better metrics).' })
  @IsOptional()
  threshold?: number | null;

  @Field({ defaultValue: false, description: 'Also require the candidate to be at least as good as the live PRODUCTION version.' })
  mustBeatCurrent!: boolean;
}

/** The gate applied to one candidate, with the numbers, kept on requests and in refusals. */
@ObjectType({ description: 'A promotion gate applied to a candidate version: the numbers compared and the outcome.' })
export class GateCheck {
  @Field()
  metric!: string;
  @Field(() => Float, { nullable: true, description: 'The candidate\'s value (null when its evaluation lacks the metric).' })
  candidate!: number | null;
  @Field(() => Float, { nullable: true })
  threshold!: number | null;
  @Field(() => Float, { nullable: true, description: 'The live PRODUCTION version\'s value, when mustBeatCurrent and one is live.' })
  current!: number | null;
  @Field()
  passed!: boolean;
  @Field({ description: 'The comparison in words, e.g. "auc 0.71 < threshold 0.75".' })
  summary!: string;
}

/**
 * Applies a gate. A missing candidate metric fails (a gate that cannot be checked must not pass);
 * with nothing live, mustBeatCurrent has nothing to beat and passes.
 */
export function checkGate(gate: Pick<PromotionGate, 'metric' | 'threshold' | 'mustBeatCurrent'>, candidate: Record<string, number | null | undefined>, current: Record<string, number | null | undefined> | null): GateCheck {
  const lower = LOWER_IS_BETTER.has(gate.metric);
  const value = finite(candidate[gate.metric]);
  const live = gate.mustBeatCurrent && current ? finite(current[gate.metric]) : null;
  const fmt = (n: number) => Number(n.toPrecision(4)).toString();
  const failures: string[] = [];
  if (value === null) failures.push(`the version has no ${gate.metric} on its test evaluation`);
  else {
    const worse = (a: number, b: number) => (lower ? a > b : a < b);
    if (gate.threshold != null && worse(value, gate.threshold)) failures.push(`${gate.metric} ${fmt(value)} ${lower ? '>' : '<'} threshold ${fmt(gate.threshold)}`);
    if (live !== null && worse(value, live)) failures.push(`${gate.metric} ${fmt(value)} ${lower ? '>' : '<'} the live version's ${fmt(live)}`);
  }
  const passes = value === null ? [] : [
    gate.threshold != null ? `threshold ${fmt(gate.threshold)}` : '',
    live !== null ? `live ${fmt(live)}` : '',
  ].filter(Boolean);
  return Object.assign(new GateCheck(), {
    metric: gate.metric, candidate: value, threshold: gate.threshold ?? null, current: live, passed: failures.length === 0,
    summary: failures.length ? failures.join('; ') : `${gate.metric} ${fmt(value!)} passes${passes.length ? ` (${passes.join(', ')})` : ''}`,
  });
}

function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
