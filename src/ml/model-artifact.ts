import type { ArchitectureName, TaskName } from './model-spec';

/** Everything a trained model needs to serve: topology, weights, and how to prepare its input. */
export interface ModelArtifact {
  modelTopology: unknown;
  weightSpecs: unknown;
  weightData: ArrayBuffer;
  preprocessor: unknown;
  targetEncoder: unknown;
  task: TaskName;
  architecture: ArchitectureName;
  windowSize: number;
  horizon: number;
  featureNames: string[];
  /** Binary models: shares of the test split's scores in 10 equal-width bins over [0, 1], the baseline of score drift (absent in older artifacts). */
  scoreShares?: number[] | null;
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
  const rest = JSON.parse(data.subarray(4, 4 + length).toString('utf8'));
  const weights = data.subarray(4 + length);
  return { ...rest, weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) };
}

