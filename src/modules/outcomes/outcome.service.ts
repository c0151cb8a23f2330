import { In } from 'typeorm';
import { badInput } from '../../core/errors';
import { newId } from '../../core/ids';
import type { Database } from '../../engines/db/database';
import { isUniqueViolation } from '../../engines/db/unique-violation';
import type { ModelCache } from '../../engines/serving/model-cache';
import { calibrate, calibrationBins, estimatePerformance } from '../../ml/calibration';
import type { Environment } from '../deployments/environment';
import type { ModelVersion } from '../models/model-version.entity';
import type { ModelService } from '../models/model.service';
import { Prediction } from '../predictions/prediction.entity';
import { positiveLabel, positiveProbability, realisedAuc, type LoggedAnswer } from '../predictions/logged-answer';
import { Outcome, OutcomeBucket, type OutcomeError, type OutcomeFigures, type OutcomePeriod, type OutcomeReport, type RecordOutcomesInput, type RecordOutcomesResult } from './outcome.types';

/** Predictions a report reads at most (the newest of the window). */
const MAX_REPORT_ROWS = 50_000;
const LOOKUP_CHUNK = 500;

interface Row { at: number; versionId: string; answer: LoggedAnswer; actual: string | null }

/**
 * Realised outcomes: recorded once per prediction (the same value again changes nothing, a
 * different one is a CONFLICT for that item), and reports that set them against the predictions,
 * beside what calibrated probabilities let one expect before any outcome is known.
 */
export class OutcomeService {
  constructor(private readonly deps: { db: Database; models: ModelService; cache: ModelCache<ModelVersion> }) {}

  async record(input: RecordOutcomesInput, recordedBy: string | null): Promise<RecordOutcomesResult> {
    const { db, models } = this.deps;
    const model = await models.byRef(input.modelId, 'input.modelId');
    const regression = model.task === 'REGRESSION' || model.task === 'TIME_SERIES_FORECAST';
    // A routing key names the latest prediction of this model made with it.
    const byKey = new Map<string, string>();
    for (const key of new Set(input.outcomes.filter((o) => !o.predictionId && o.routingKey).map((o) => o.routingKey!))) {
      const latest = await db.manager.findOne(Prediction, { select: { id: true }, where: { modelId: model.id, routingKey: key }, order: { createdAt: 'DESC', id: 'DESC' } });
      if (latest) byKey.set(key, latest.id);
    }
    const targets = input.outcomes.map((o) => o.predictionId ?? (o.routingKey ? byKey.get(o.routingKey) ?? null : null));
    const ids = [...new Set(targets.filter((id): id is string => id !== null))];
    const predictions = new Map<string, string>();
    const existing = new Map<string, string>();
    for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) {
      const chunk = ids.slice(i, i + LOOKUP_CHUNK);
      for (const p of await db.manager.find(Prediction, { select: { id: true, modelId: true }, where: { id: In(chunk) } })) predictions.set(p.id, p.modelId);
      for (const o of await db.manager.find(Outcome, { select: { predictionId: true, actual: true }, where: { predictionId: In(chunk) } })) existing.set(o.predictionId, o.actual);
    }
    const errors: OutcomeError[] = [];
    const fresh: Outcome[] = [];
    let unchanged = 0;
    const now = new Date();
    input.outcomes.forEach((item, index) => {
      const predictionId = targets[index];
      const refuse = (code: string, message: string) => errors.push({ index, predictionId, code, message });
      if (!item.predictionId === !item.routingKey) return refuse('BAD_USER_INPUT', 'give exactly one of predictionId or routingKey');
      if (predictionId === null) return refuse('NOT_FOUND', `no prediction of model ${JSON.stringify(model.name)} was made with routing key ${JSON.stringify(item.routingKey!.slice(0, 80))}`);
      if (predictions.get(predictionId) !== model.id) return refuse('NOT_FOUND', `no prediction ${JSON.stringify(predictionId.slice(0, 80))} of model ${JSON.stringify(model.name)} is in the log`);
      if (regression && !Number.isFinite(Number(item.actual))) return refuse('BAD_USER_INPUT', `actual must be a number for ${model.task}`);
      const known = existing.get(predictionId);
      if (known !== undefined) {
        if (known === item.actual) unchanged++;
        else refuse('CONFLICT', `an outcome (${JSON.stringify(known)}) is already recorded for this prediction`);
        return;
      }
      existing.set(predictionId, item.actual); // a repeat within this call is judged like a stored one
      fresh.push(Object.assign(new Outcome(), { id: newId(Outcome), modelId: model.id, predictionId, actual: item.actual, observedAt: item.observedAt ?? now, recordedAt: now, recordedBy }));
    });
    let recorded = 0;
    try {
      await db.transaction(async (m) => { for (let i = 0; i < fresh.length; i += LOOKUP_CHUNK) await m.insert(Outcome, fresh.slice(i, i + LOOKUP_CHUNK)); });
      recorded = fresh.length;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Another call recorded some of them meanwhile: one by one, each judged again.
      for (const outcome of fresh) {
        try {
          await db.transaction((m) => m.insert(Outcome, outcome));
          recorded++;
        } catch (single) {
          if (!isUniqueViolation(single)) throw single;
          const stored = await db.manager.findOneBy(Outcome, { predictionId: outcome.predictionId });
          if (stored?.actual === outcome.actual) unchanged++;
          else errors.push({ index: targets.indexOf(outcome.predictionId), predictionId: outcome.predictionId, code: 'CONFLICT', message: 'a different outcome was recorded meanwhile' });
        }
      }
    }
    return { recorded, unchanged, errors: errors.sort((a, b) => a.index - b.index) };
  }

  async report(modelRef: string, environment: Environment, from: Date | null | undefined, to: Date | null | undefined, bucket: OutcomeBucket): Promise<OutcomeReport> {
    const { db, models, cache } = this.deps;
    const model = await models.byRef(modelRef, 'modelId');
    const end = to ?? new Date();
    const start = from ?? new Date(end.getTime() - 30 * 86_400_000);
    if (start.getTime() >= end.getTime()) throw badInput('from must be before to', { field: 'from' });
    if (periodsBetween(start, end, bucket) > 1000) throw badInput('the window holds more than 1,000 periods: use a longer bucket', { field: 'bucket' });
    const raw: { created_at: string | Date; model_version_id: string; outputs: string; actual: string | null }[] = await db.manager.query(
      `SELECT p.created_at, p.model_version_id, p.outputs, o.actual FROM prediction p LEFT JOIN outcome o ON o.prediction_id = p.id
       WHERE p.model_id = ? AND p.created_at >= ? AND p.created_at < ? AND p.environment = ? AND p.route <> 'SHADOW' ORDER BY p.created_at DESC LIMIT ${MAX_REPORT_ROWS}`,
      [model.id, db.sqlDate(start), db.sqlDate(end), environment],
    );
    const rows: Row[] = raw.map((r) => ({ at: new Date(typeof r.created_at === 'string' && !r.created_at.endsWith('Z') ? `${r.created_at.replace(' ', 'T')}Z` : r.created_at).getTime(), versionId: r.model_version_id, answer: JSON.parse(r.outputs), actual: r.actual }));
    // Each version's calibrator, fitted on its test split at training.
    const calibrators = new Map<string, { a: number; b: number } | null>();
    for (const versionId of new Set(rows.map((r) => r.versionId))) calibrators.set(versionId, (await cache.load(versionId).catch(() => null))?.calibration ?? null);
    const binary = model.task === 'BINARY_CLASSIFICATION';
    const figures = (list: Row[]) => this.period(list, binary, calibrators);
    const periods = bucketsOf(start, end, bucket).map(([a, b]) => ({ ...figures(rows.filter((r) => r.at >= a.getTime() && r.at < b.getTime())), from: a, to: b }));
    const known = rows.filter((r) => r.actual !== null);
    return {
      from: start, to: end, periods, total: { ...figures(rows), from: start, to: end },
      calibration: binary ? calibrationBins(known.map((r) => positiveProbability(r.answer)), known.map((r) => (r.actual === positiveLabel(r.answer) ? 1 : 0))) : [],
    };
  }

  /** Realised AUC of a binary model's predictions served in [from, to) with an outcome; null for other tasks or without both classes. */
  async realisedAuc(modelId: string, environment: Environment, from: Date, to: Date): Promise<number | null> {
    const model = await this.deps.models.get(modelId);
    if (model.task !== 'BINARY_CLASSIFICATION') return null;
    const report = await this.report(modelId, environment, from, to, OutcomeBucket.MONTH);
    return report.total.realised.auc;
  }

  private period(rows: Row[], binary: boolean, calibrators: Map<string, { a: number; b: number } | null>): Omit<OutcomePeriod, 'from' | 'to'> {
    const known = rows.filter((r) => r.actual !== null);
    const none: OutcomeFigures = { auc: null, accuracy: null, positiveRate: null, predictedRate: null, rmse: null, mae: null };
    let realised: OutcomeFigures = none;
    let estimated: OutcomeFigures | null = null;
    if (binary) {
      const scores = known.map((r) => positiveProbability(r.answer));
      const positives = known.filter((r) => r.actual === positiveLabel(r.answer)).length;
      realised = known.length ? {
        ...none,
        auc: realisedAuc(known as { answer: LoggedAnswer; actual: string }[]),
        accuracy: known.filter((r) => r.answer.label === r.actual).length / known.length,
        positiveRate: positives / known.length,
        predictedRate: scores.reduce((a, b) => a + b, 0) / scores.length,
      } : none;
      const calibrated = rows.map((r) => calibrate(calibrators.get(r.versionId), positiveProbability(r.answer)));
      const e = estimatePerformance(calibrated);
      estimated = rows.length ? { ...none, auc: e.auc, accuracy: e.accuracy, positiveRate: e.positiveRate } : null;
    } else if (known.length && known[0].answer.label === null) {
      const errors = known.map((r) => r.answer.value - Number(r.actual));
      realised = { ...none, rmse: Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / errors.length), mae: errors.reduce((a, e) => a + Math.abs(e), 0) / errors.length };
    } else if (known.length) {
      realised = { ...none, accuracy: known.filter((r) => r.answer.label === r.actual).length / known.length };
    }
    return { predictions: rows.length, outcomes: known.length, realised, estimated };
  }
}


function startOf(at: Date, bucket: OutcomeBucket): Date {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), bucket === OutcomeBucket.MONTH ? 1 : at.getUTCDate()));
  if (bucket === OutcomeBucket.WEEK) d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d;
}

function next(at: Date, bucket: OutcomeBucket): Date {
  const d = new Date(at);
  if (bucket === OutcomeBucket.MONTH) d.setUTCMonth(d.getUTCMonth() + 1);
  else d.setUTCDate(d.getUTCDate() + (bucket === OutcomeBucket.WEEK ? 7 : 1));
  return d;
}

function periodsBetween(start: Date, end: Date, bucket: OutcomeBucket): number {
  const days = (end.getTime() - start.getTime()) / 86_400_000;
  return bucket === OutcomeBucket.DAY ? days : bucket === OutcomeBucket.WEEK ? days / 7 : days / 28;
}

/** The periods covering [start, end), each clipped to the window. */
function bucketsOf(start: Date, end: Date, bucket: OutcomeBucket): [Date, Date][] {
  const out: [Date, Date][] = [];
  for (let a = startOf(start, bucket); a < end; a = next(a, bucket)) {
    const b = next(a, bucket);
    out.push([a < start ? start : a, b > end ? end : b]);
  }
  return out;
}
