import type { ModelArtifact } from '../../engines/trainer/protocol';
import type { ArtifactStore } from '../../engines/db/artifact-store';

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

const CHUNK_BYTES = 1024 * 1024;

/** Stores a model artifact in 1 MiB chunks (item = byte); returns its artifact id. */
export async function saveModelArtifact(store: ArtifactStore, artifact: ModelArtifact): Promise<string> {
  const data = encodeModelArtifact(artifact);
  const writer = await store.create('model');
  try {
    for (let offset = 0; offset < data.length; offset += CHUNK_BYTES) {
      const piece = data.subarray(offset, offset + CHUNK_BYTES);
      await writer.append(Buffer.from(piece), piece.length);
    }
    await writer.finish();
    return writer.id;
  } catch (error) {
    await store.delete(writer.id);
    throw error;
  }
}

export async function loadModelArtifact(store: ArtifactStore, artifactId: string): Promise<ModelArtifact> {
  const parts: Buffer[] = [];
  for await (const chunk of store.chunks(artifactId)) parts.push(chunk.data);
  return decodeModelArtifact(Buffer.concat(parts));
}
