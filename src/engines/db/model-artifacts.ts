import { decodeModelArtifact, encodeModelArtifact, type ModelArtifact } from '../../ml/model-artifact';
import type { ArtifactStore } from './artifact-store';

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
