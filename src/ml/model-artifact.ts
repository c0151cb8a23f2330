import type { ModelShape, Predictor } from './algorithms/algorithm';
import { algorithmFor } from './algorithms/registry';
import type { ArchitectureName, FeatureSelectionOutcome, ForecastTarget, TaskName } from './model-spec';
import type { Preprocessor } from './preprocessing';
import type { TargetEncoder } from './target-encoding';

/** Everything a trained model needs to serve: the algorithm's stored model, and how to prepare its input. */
export interface ModelArtifact {
  /** The algorithm's stored model, JSON part (SerialisedModel.state; a network's topology and weight specs). */
  model: unknown;
  /** The algorithm's stored model, bytes part (SerialisedModel.bytes; a network's weights). */
  weightData: ArrayBuffer;
  preprocessor: unknown;
  targetEncoder: unknown;
  task: TaskName;
  architecture: ArchitectureName;
  windowSize: number;
  horizon: number;
  /** Forecasts: what the model learnt (absent in older artifacts: LEVEL). */
  forecastTarget?: `${ForecastTarget}`;
  featureNames: string[];
  /** Binary models: shares of the test split's scores in 10 equal-width bins over [0, 1], the baseline of score drift (absent in older artifacts). */
  scoreShares?: number[] | null;
  /** What the run's feature selection kept (featureNames and the preprocessor then hold only those); absent without one. */
  featureSelection?: FeatureSelectionOutcome | null;
  /** Binary models: Platt scaling fitted on the test split, for performance estimates before outcomes arrive (absent in older artifacts). */
  calibration?: { a: number; b: number } | null;
}

/** Weights are sent as bytes, the rest as JSON: [4-byte JSON length][JSON][weight bytes]. */
export function encodeModelArtifact(artifact: ModelArtifact): Buffer {
  const { weightData, ...rest } = artifact;
  const json = Buffer.from(JSON.stringify(rest));
  const header = Buffer.alloc(4);
  header.writeUInt32BE(json.length);
  return Buffer.concat([header, json, Buffer.from(weightData)]);
}

export function decodeModelArtifact(data: Buffer): ModelArtifact {
  const length = data.readUInt32BE(0);
  const { modelTopology, weightSpecs, ...rest } = JSON.parse(data.subarray(4, 4 + length).toString('utf8'));
  const weights = data.subarray(4 + length);
  // Artifacts saved before the algorithm contract held a network's topology at the top level.
  const model = rest.model ?? { format: 'tfjs-layers', modelTopology, weightSpecs };
  return { ...rest, model, weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) };
}

/** How a stored model's input and output are shaped (what an algorithm's `load` needs). */
export function artifactShape(artifact: ModelArtifact): ModelShape {
  const encoder = artifact.targetEncoder as TargetEncoder;
  const covariates = (artifact.preprocessor as Preprocessor | null)?.outputSize ?? 0;
  if (artifact.task === 'TIME_SERIES_FORECAST') {
    return { task: artifact.task, inputWidth: artifact.windowSize * (1 + covariates), outputWidth: artifact.horizon, inputShape: [artifact.windowSize, 1 + covariates] };
  }
  return { task: artifact.task, inputWidth: covariates, outputWidth: encoder.kind === 'multiclass' ? encoder.classes.length : 1, inputShape: [covariates] };
}

/** The artifact's model, loaded by its algorithm. */
export function loadArtifactModel(artifact: ModelArtifact): Promise<Predictor> {
  return algorithmFor(artifact.architecture).load({ state: artifact.model, bytes: artifact.weightData }, artifactShape(artifact));
}

