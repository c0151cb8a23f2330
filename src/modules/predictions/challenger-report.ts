import { Field, Float, Int, ObjectType } from 'type-graphql';
import type { Database } from '../../engines/db/database';
import { labelAgreement, scorePsi, valueDifferences } from '../../ml/challenger-compare';
import { Challenger, PredictionRoute } from '../deployments/challenger.entity';
import { ModelVersion } from '../models/model-version.entity';
import { Prediction } from './prediction.entity';
import { realisedAuc, type LoggedAnswer } from './logged-answer';

@ObjectType({ description: 'How fast one version answered in the report\'s window, over the logged rows it served.' })
export class VersionLatency {
  @Field(() => ModelVersion) modelVersion!: ModelVersion;
  @Field(() => PredictionRoute) route!: PredictionRoute;
  @Field(() => Int, { description: 'Logged rows.' }) rows!: number;
  @Field(() => Float, { nullable: true, description: 'Mean latency of the requests those rows came in (SHADOW: the shadow\'s own scoring time), in milliseconds.' }) meanMs!: number | null;
  @Field(() => Float, { nullable: true }) p95Ms!: number | null;
}

@ObjectType({ description: 'The challenger against the champion (the version live when it started) on the logged rows of a window. SHADOW: both answers of every mirrored row, so agreement is measured on the same rows; CANARY: each version\'s own share of requests, so only the distributions and latencies compare.' })
export class ChallengerReport {
  @Field(() => Challenger) challenger!: Challenger;
  @Field() from!: Date;
  @Field() to!: Date;
  @Field(() => Int, { description: 'Rows the champion answered (LIVE) in the window (at most 10,000 most recent are read).' }) liveRows!: number;
  @Field(() => Int, { description: 'Rows the challenger answered (CANARY) or scored in shadow (SHADOW).' }) challengerRows!: number;
  @Field(() => Int, { description: 'SHADOW: rows with both answers, compared one to one.' }) comparedRows!: number;
  @Field(() => Float, { nullable: true, description: 'SHADOW, classifiers: the share of compared rows where both gave the same label.' }) agreement!: number | null;
  @Field(() => Float, { nullable: true, description: 'SHADOW, regression and forecasts: mean |challenger − live| of the values.' }) meanAbsoluteDifference!: number | null;
  @Field(() => Float, { nullable: true, description: 'SHADOW, regression and forecasts: the same, relative to |live|.' }) meanRelativeDifference!: number | null;
  @Field(() => Float, { nullable: true, description: 'PSI of the challenger\'s scores against the champion\'s (probabilities: ten bins over [0, 1]; values: the champion\'s deciles). Above 0.25 they score very differently.' }) scorePsi!: number | null;
  @Field(() => [VersionLatency]) latency!: VersionLatency[];
  @Field(() => String, { nullable: true, description: 'Where outcomes were recorded (recordOutcomes): the metric below, auc (binary), accuracy (multiclass) or rmse; null without outcomes.' }) realisedMetric!: string | null;
  @Field(() => Float, { nullable: true, description: 'The champion\'s realised metric on its rows with an outcome.' }) liveRealised!: number | null;
  @Field(() => Float, { nullable: true, description: 'The challenger\'s realised metric on its rows with an outcome (a shadow\'s rows take the outcome of the live answer they mirror).' }) challengerRealised!: number | null;
  @Field(() => Int, { description: 'Rows of both sides with an outcome.' }) rowsWithOutcomes!: number;
}

/** Rows read per side: enough for stable shares, bounded for the database and the event loop. */
const MAX_ROWS = 10_000;

interface Answer extends LoggedAnswer { live?: (Answer & { id?: string | null }) | null }

/** Builds challenger reports from the prediction log. */
export class ChallengerReports {
  constructor(private readonly deps: { db: Database; versions: (id: string) => Promise<ModelVersion> }) {}

  async report(challenger: Challenger, from: Date, to: Date): Promise<ChallengerReport> {
    const challengerRoute = challenger.mode === 'SHADOW' ? PredictionRoute.SHADOW : PredictionRoute.CANARY;
    const [live, other] = await Promise.all([
      this.rows(challenger, challenger.championVersionId, PredictionRoute.LIVE, from, to),
      this.rows(challenger, challenger.modelVersionId, challengerRoute, from, to),
    ]);
    const paired = challengerRoute === PredictionRoute.SHADOW ? other.filter((row) => row.outputs.live) : [];
    const classifier = [...live, ...other].some((row) => row.outputs.label !== null && row.outputs.label !== undefined);
    const probabilities = classifier && [...live, ...other].every((row) => row.outputs.value >= 0 && row.outputs.value <= 1);
    const differences = classifier ? null : valueDifferences(paired.map((row) => [row.outputs.live!.value, row.outputs.value]));
    const latency = async (versionId: string, route: PredictionRoute, rows: typeof live): Promise<VersionLatency> => {
      const ms = rows.map((r) => r.latencyMs).sort((a, b) => a - b);
      return {
        modelVersion: await this.deps.versions(versionId), route, rows: rows.length,
        meanMs: ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length : null,
        p95Ms: ms.length ? ms[Math.min(ms.length - 1, Math.ceil(0.95 * ms.length) - 1)] : null,
      };
    };
    // Outcomes: a live or canary row by its own id, a shadow row by the live answer it mirrors.
    const outcomes = await this.outcomesOf([...live.map((r) => r.id), ...other.map((r) => (challengerRoute === PredictionRoute.SHADOW ? r.outputs.live?.id ?? null : r.id))].filter((id): id is string => !!id));
    const realised = (rows: typeof live, idOf: (row: (typeof live)[number]) => string | null | undefined) => {
      const known = rows.map((r) => ({ r, actual: outcomes.get(idOf(r) ?? '') })).filter((x): x is { r: (typeof live)[number]; actual: string } => x.actual !== undefined);
      return { known: known.length, value: realisedMetricOf(known.map((x) => ({ answer: x.r.outputs, actual: x.actual })), classifier) };
    };
    const liveRealised = realised(live, (r) => r.id);
    const challengerRealised = realised(other, (r) => (challengerRoute === PredictionRoute.SHADOW ? r.outputs.live?.id : r.id));
    const anyOutcome = liveRealised.known + challengerRealised.known > 0;
    return {
      realisedMetric: anyOutcome ? (classifier ? (live[0]?.outputs.probabilities?.length === 2 || other[0]?.outputs.probabilities?.length === 2 ? 'auc' : 'accuracy') : 'rmse') : null,
      liveRealised: liveRealised.value, challengerRealised: challengerRealised.value, rowsWithOutcomes: liveRealised.known + challengerRealised.known,
      challenger, from, to, liveRows: live.length, challengerRows: other.length, comparedRows: paired.length,
      agreement: classifier ? labelAgreement(paired.map((row) => [row.outputs.live!.label, row.outputs.label])) : null,
      meanAbsoluteDifference: differences?.meanAbsolute ?? null,
      meanRelativeDifference: differences?.meanRelative ?? null,
      scorePsi: scorePsi(live.map((r) => r.outputs.value), other.map((r) => r.outputs.value), probabilities),
      latency: [await latency(challenger.championVersionId, PredictionRoute.LIVE, live), await latency(challenger.modelVersionId, challengerRoute, other)],
    };
  }

  private async outcomesOf(predictionIds: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (let i = 0; i < predictionIds.length; i += 500) {
      const chunk = predictionIds.slice(i, i + 500);
      const rows: { prediction_id: string; actual: string }[] = await this.deps.db.manager.query(`SELECT prediction_id, actual FROM outcome WHERE prediction_id IN (${chunk.map(() => '?').join(', ')})`, chunk);
      for (const row of rows) found.set(row.prediction_id, row.actual);
    }
    return found;
  }

  private async rows(challenger: Challenger, versionId: string, route: PredictionRoute, from: Date, to: Date): Promise<{ id: string; outputs: Answer; latencyMs: number }[]> {
    const { db } = this.deps;
    const rows = await db.manager.createQueryBuilder(Prediction, 'p').select(['p.id', 'p.outputs', 'p.latencyMs'])
      // model_id first: it leads the (model_id, created_at) index.
      .where('p.model_id = :modelId', { modelId: challenger.modelId })
      .andWhere('p.created_at >= :from AND p.created_at < :to', { from: db.sqlDate(from), to: db.sqlDate(to) })
      .andWhere('p.model_version_id = :versionId AND p.environment = :environment AND p.route = :route', { versionId, environment: challenger.environment, route })
      .orderBy('p.created_at', 'DESC').limit(MAX_ROWS).getMany();
    return rows.map((row) => ({ id: row.id, outputs: row.outputs as unknown as Answer, latencyMs: row.latencyMs }));
  }
}

/** Binary: AUC (positive = the second label); multiclass: accuracy; values: RMSE. Null without both classes or rows. */
function realisedMetricOf(rows: { answer: Answer; actual: string }[], classifier: boolean): number | null {
  if (rows.length === 0) return null;
  if (!classifier) return Math.sqrt(rows.reduce((sum, r) => sum + (r.answer.value - Number(r.actual)) ** 2, 0) / rows.length);
  const binary = rows[0].answer.probabilities?.length === 2;
  return binary ? realisedAuc(rows) : rows.filter((r) => r.answer.label === r.actual).length / rows.length;
}
