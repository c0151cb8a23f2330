import { In } from 'typeorm';
import { ArrayMaxSize, ArrayMinSize, IsInt, IsOptional, Min } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { badInput } from '../../core/errors';
import type { Database } from '../../engines/db/database';
import { primaryMetric } from '../../ml/architectures';
import { algorithmFor } from '../../ml/algorithms/registry';
import type { DatasetService } from '../datasets/dataset.service';
import { Evaluation } from '../evaluations/evaluation.entity';
import type { ModelService } from '../models/model.service';
import type { ModelVersionService } from '../models/model-version.service';
import { ModelVersion } from '../models/model-version.entity';
import { TrainingRun } from './training-run.entity';

export const MAX_COMPARED = 10;

@InputType({ description: 'Versions to compare, and on which rows.' })
export class CompareModelVersionsInput {
  @Field(() => [ID], { description: '2 to 10 model version ids, of models with the same task.' })
  @ArrayMinSize(2) @ArrayMaxSize(MAX_COMPARED)
  ids!: string[];

  @Field(() => ID, { nullable: true, description: 'Compare on every row of this dataset (id or name): each version\'s latest FULL evaluation on it (run evaluateModelVersion first). Omitted: each version\'s TEST evaluation.' })
  datasetId?: string | null;

  @Field(() => Int, { nullable: true, description: 'With datasetId: the dataset version; the latest when omitted.' })
  @IsOptional() @IsInt() @Min(1)
  datasetVersion?: number | null;
}

@ObjectType({ description: 'One version in a comparison.' })
export class ComparedVersion {
  @Field(() => ModelVersion) modelVersion!: ModelVersion;
  @Field({ description: 'The architecture of its model.' }) architecture!: string;
  @Field(() => Evaluation, { description: 'The evaluation compared: its TEST evaluation, or its latest FULL evaluation on the named dataset version.' }) evaluation!: Evaluation;
  @Field(() => GraphQLJSONObject, { description: 'Its values of the hyper-parameters that differ between the compared versions (null for one its architecture does not read).' }) differingHyperparameters!: Record<string, unknown>;
}

@ObjectType({ description: 'Versions side by side, with the same metrics: for picking a champion, or a comparison table.' })
export class ModelVersionComparison {
  @Field({ description: 'TEST (each version\'s held-out split) or FULL (every row of one dataset version).' }) basis!: string;
  @Field({ description: 'True when every figure comes from the same rows: FULL on one dataset version, or TEST evaluations of runs with the same dataset version, split and seed (so the same held-out rows).' }) sameRows!: boolean;
  @Field({ description: 'The metric versions are ranked by: auc (binary), accuracy (multiclass) or rmse (regression and forecasts; lower is better).' }) metric!: string;
  @Field(() => [ComparedVersion], { description: 'Best first by `metric`; a version without it last.' }) versions!: ComparedVersion[];
}

/** Reads the evaluations to compare; computes nothing new, so it is a query with no side effect. */
export async function compareModelVersions(deps: { db: Database; models: ModelService; modelVersions: ModelVersionService; datasets: DatasetService }, input: CompareModelVersionsInput): Promise<ModelVersionComparison> {
  const ids = [...new Set(input.ids)];
  if (ids.length !== input.ids.length) throw badInput('ids lists a version twice', { field: 'input.ids' });
  const versions = await Promise.all(ids.map((id) => deps.modelVersions.get(id)));
  const models = await Promise.all(versions.map((v) => deps.models.get(v.modelId)));
  const tasks = new Set(models.map((m) => m.task));
  if (tasks.size > 1) throw badInput(`the versions belong to models of different tasks (${[...tasks].join(', ')}); compare versions of one task`, { field: 'input.ids' });
  const runs = await deps.db.manager.findBy(TrainingRun, { modelVersionId: In(ids) });
  const runOf = new Map(runs.map((r) => [r.modelVersionId!, r]));

  let evaluations: Evaluation[];
  let sameRows: boolean;
  if (input.datasetId) {
    const dataset = await deps.datasets.byRef(input.datasetId, 'input.datasetId');
    const target = await deps.datasets.version(dataset.id, input.datasetVersion);
    const found = await deps.db.manager.find(Evaluation, { where: { modelVersionId: In(ids), datasetVersionId: target.id, split: 'FULL' }, order: { createdAt: 'DESC' } });
    evaluations = ids.map((id) => found.find((e) => e.modelVersionId === id)!);
    const missing = ids.filter((_, i) => !evaluations[i]);
    if (missing.length) throw badInput(`no FULL evaluation on ${dataset.name} version ${target.version} for ${missing.join(', ')}; run evaluateModelVersion for them first`, { field: 'input.ids', missing });
    sameRows = true;
  } else {
    const found = await deps.db.manager.findBy(Evaluation, { modelVersionId: In(ids), split: 'TEST' });
    evaluations = ids.map((id) => found.find((e) => e.modelVersionId === id)!);
    const missing = ids.filter((_, i) => !evaluations[i]);
    if (missing.length) throw badInput(`no TEST evaluation for ${missing.join(', ')} (versions made outside a training run); name a datasetId to compare FULL evaluations`, { field: 'input.ids', missing });
    const basis = (id: string) => { const r = runOf.get(id); return r ? JSON.stringify([r.datasetVersionId, r.seed, r.split.validation, r.split.test, r.split.strategy]) : id; };
    sameRows = new Set(ids.map(basis)).size === 1;
  }

  const metric = primaryMetric(models[0].task);
  const lower = metric === 'rmse';
  // Only what each version's architecture reads: a forest's tree count is no setting of an MLP.
  const hyperparameters = ids.map((id, i) => {
    const all = (runOf.get(id)?.hyperparameters ?? {}) as unknown as Record<string, unknown>;
    const reads = new Set<string>(algorithmFor(models[i].architecture).hyperparameters);
    return Object.fromEntries(Object.entries(all).filter(([key]) => reads.has(key)));
  });
  const keys = [...new Set(hyperparameters.flatMap(Object.keys))].sort();
  const differing = keys.filter((key) => new Set(hyperparameters.map((h) => JSON.stringify(h[key] ?? null))).size > 1);
  const value = (e: Evaluation) => { const v = (e.metrics as Record<string, number | null | undefined>)[metric]; return typeof v === 'number' && Number.isFinite(v) ? v : null; };
  const entries = versions.map((modelVersion, i) => Object.assign(new ComparedVersion(), {
    modelVersion, architecture: models[i].architecture, evaluation: evaluations[i],
    differingHyperparameters: Object.fromEntries(differing.map((key) => [key, hyperparameters[i][key] ?? null])),
  }));
  entries.sort((a, b) => {
    const [x, y] = [value(a.evaluation), value(b.evaluation)];
    if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
    return lower ? x - y : y - x;
  });
  return Object.assign(new ModelVersionComparison(), { basis: input.datasetId ? 'FULL' : 'TEST', sameRows, metric, versions: entries });
}
