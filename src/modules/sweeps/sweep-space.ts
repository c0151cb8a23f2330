import { validateSync } from 'class-validator';
import { badInput } from '../../core/errors';
import { hyperbandBands, type EarlyStoppingRule } from '../../ml/early-stopping';
import { gridSize, type ParameterSpec } from '../../ml/sweep-search';
import { Activation, ClassWeighting, ForecastTarget, ModelTask, SplitCriterion, SvmKernel } from '../models/model-enums';
import { HyperparametersInput } from '../models/hyperparameters';
import { EarlyStoppingType, SweepMethod } from './sweep.entity';
import type { EarlyStoppingInput, StartSweepInput, SweepParameterInput } from './sweep.inputs';

/** The hyper-parameters a sweep may search, and the enums among them. */
const TUNABLE = [
  'epochs', 'batchSize', 'learningRate', 'hiddenUnits', 'activation', 'dropout', 'l2', 'windowSize', 'horizon', 'classWeighting',
  'patience', 'maxDepth', 'minSamplesLeaf', 'criterion', 'trees', 'maxFeatures', 'rounds', 'subsample', 'smoothing', 'forecastTarget', 'kernel', 'cost', 'gamma', 'degree',
] as const;
const ENUMS: Record<string, readonly string[]> = { activation: Object.values(Activation), classWeighting: Object.values(ClassWeighting), criterion: Object.values(SplitCriterion), forecastTarget: Object.values(ForecastTarget), kernel: Object.values(SvmKernel) };
const INTEGER = new Set(['epochs', 'batchSize', 'windowSize', 'horizon', 'patience', 'maxDepth', 'minSamplesLeaf', 'trees', 'rounds', 'degree']);

/** The per-epoch metrics a run of this task records. */
export function epochMetrics(task: ModelTask): string[] {
  const quality = task === ModelTask.BINARY_CLASSIFICATION || task === ModelTask.MULTICLASS_CLASSIFICATION ? 'accuracy' : 'mae';
  return ['loss', 'val_loss', quality, `val_${quality}`];
}

const show = (value: unknown) => JSON.stringify(value)?.slice(0, 80);

/** Why `value` is not a valid `name` (class-validator's own rules of HyperparametersInput), or null. */
function invalidValue(name: string, value: unknown): string | null {
  if (ENUMS[name]) return typeof value === 'string' && ENUMS[name].includes(value) ? null : `must be one of ${ENUMS[name].join(', ')}`;
  if (name === 'hiddenUnits' && !Array.isArray(value)) return 'must be a list of layer sizes, such as [64, 32]';
  if (name !== 'hiddenUnits' && typeof value !== 'number') return 'must be a number';
  const errors = validateSync(Object.assign(new HyperparametersInput(), { [name]: value }));
  return errors.length ? Object.values(errors[0].constraints ?? {}).join('; ') || 'is out of range' : null;
}

/**
 * The search space of `input`, checked: every parameter named once, a tunable hyper-parameter
 * not also fixed in `hyperparameters`, with values (non-empty, each valid) or a range (min <
 * max, both valid, log ranges above 0, whole numbers for integer parameters); GRID takes values
 * only. Errors name the field.
 */
export function searchSpace(input: StartSweepInput): ParameterSpec[] {
  if (input.parameters.length === 0) throw badInput('a sweep needs at least one parameter to search', { field: 'input.parameters' });
  const fixed = Object.entries(input.hyperparameters ?? {}).filter(([, v]) => v !== undefined && v !== null).map(([k]) => k);
  const seen = new Set<string>();
  return input.parameters.map((p: SweepParameterInput, i) => {
    const field = `input.parameters[${i}]`;
    if (!(TUNABLE as readonly string[]).includes(p.name)) throw badInput(`${show(p.name)} is not a hyper-parameter a sweep can search; one of ${TUNABLE.join(', ')}`, { field: `${field}.name` });
    if (seen.has(p.name)) throw badInput(`${p.name} is named twice`, { field: `${field}.name` });
    seen.add(p.name);
    if (fixed.includes(p.name)) throw badInput(`${p.name} is both searched and fixed in input.hyperparameters`, { field: `${field}.name` });
    const hasValues = p.values != null;
    const hasRange = p.distribution != null || p.min != null || p.max != null;
    if (hasValues === hasRange) throw badInput(`${p.name}: give either values or a distribution with min and max`, { field });
    if (hasValues) {
      if (p.values!.length === 0) throw badInput(`${p.name}: the list of values is empty`, { field: `${field}.values` });
      p.values!.forEach((value, j) => {
        const why = invalidValue(p.name, value);
        if (why) throw badInput(`${p.name} ${show(value)} ${why}`, { field: `${field}.values[${j}]` });
      });
      if (new Set(p.values!.map((v) => JSON.stringify(v))).size < p.values!.length) throw badInput(`${p.name}: a value is listed twice`, { field: `${field}.values` });
      return { name: p.name, kind: 'VALUES', values: p.values! };
    }
    if (input.method === SweepMethod.GRID) throw badInput(`${p.name}: GRID searches lists of values, not distributions`, { field: `${field}.distribution` });
    if (p.distribution == null || p.min == null || p.max == null) throw badInput(`${p.name}: a range needs distribution, min and max`, { field });
    if (ENUMS[p.name] || p.name === 'hiddenUnits') throw badInput(`${p.name} takes values, not a range`, { field: `${field}.distribution` });
    if (!(p.min < p.max)) throw badInput(`${p.name}: min (${p.min}) must be below max (${p.max})`, { field: `${field}.min` });
    if (p.distribution === 'LOG_UNIFORM' && p.min <= 0) throw badInput(`${p.name}: a log-uniform range must lie above 0`, { field: `${field}.min` });
    const integer = p.distribution === 'INT_UNIFORM';
    if (INTEGER.has(p.name) && !integer) throw badInput(`${p.name} is a whole number: use INT_UNIFORM`, { field: `${field}.distribution` });
    if (integer && (!Number.isInteger(p.min) || !Number.isInteger(p.max))) throw badInput(`${p.name}: INT_UNIFORM needs whole-number min and max`, { field: `${field}.min` });
    for (const [bound, value] of [['min', p.min], ['max', p.max]] as const) {
      const why = invalidValue(p.name, value);
      if (why) throw badInput(`${p.name} ${bound} ${value} ${why}`, { field: `${field}.${bound}` });
    }
    return { name: p.name, kind: p.distribution, min: p.min, max: p.max } as ParameterSpec;
  });
}

/** Runs the sweep will make: maxRuns (1 to 500), and for GRID no more than the grid has. */
export function plannedRuns(input: StartSweepInput, space: ParameterSpec[]): number {
  if (!Number.isInteger(input.maxRuns) || input.maxRuns < 1 || input.maxRuns > 500) throw badInput(`maxRuns must be 1 to 500, got ${input.maxRuns}`, { field: 'input.maxRuns' });
  return input.method === SweepMethod.GRID ? Math.min(input.maxRuns, gridSize(space)) : input.maxRuns;
}

/** The stored rule, Hyperband's bands worked out; checks that exactly one of minIter or maxIter is given. */
export function stoppingRule(input: EarlyStoppingInput | null | undefined): EarlyStoppingRule | null {
  if (!input) return null;
  if (input.type === EarlyStoppingType.MEDIAN) return { type: 'MEDIAN', warmupEpochs: input.warmupEpochs, minRuns: input.minRuns };
  if ((input.minIter == null) === (input.maxIter == null)) throw badInput('HYPERBAND needs exactly one of minIter or maxIter', { field: 'input.earlyStopping' });
  return { type: 'HYPERBAND', bands: hyperbandBands({ minIter: input.minIter, maxIter: input.maxIter, s: input.s, eta: input.eta }), eta: input.eta };
}
