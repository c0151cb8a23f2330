/**
 * The one place TensorFlow.js is imported, so the backend chosen in backend.ts applies to all.
 * The umbrella package registers the chained tensor methods tfjs-layers relies on.
 *
 * It is loaded on first use, not at start: the API process of a server that serves no network
 * model never needs it, and it is about 30 MB of memory (idle RSS with the demo data went from
 * 159 to 138 MB; `node dist/bench/run.js memory`). Training children and prediction workers use
 * it at once, as before.
 */
import type * as TensorFlow from '@tensorflow/tfjs';

let loaded: typeof TensorFlow | undefined;

export const tf: typeof TensorFlow = new Proxy({} as typeof TensorFlow, {
  get: (_target, key) => (loaded ??= require('@tensorflow/tfjs') as typeof TensorFlow)[key as keyof typeof TensorFlow],
});

/** TensorFlow.js's types (type positions only: `TF.Tensor`). */
export type * as TF from '@tensorflow/tfjs';
export type Tensor = TensorFlow.Tensor;
export type LayersModel = TensorFlow.LayersModel;
