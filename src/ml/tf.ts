/**
 * The one place TensorFlow.js is imported, so the backend chosen in backend.ts applies to all.
 * The umbrella package registers the chained tensor methods tfjs-layers relies on.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type Tensor = tf.Tensor;
export type LayersModel = tf.LayersModel;
