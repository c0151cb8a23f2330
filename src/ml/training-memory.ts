import { DEFAULT_LSTM_UNITS, type ArchitectureName } from './model-spec';

/** What a training process needs besides its network and data: Node, TensorFlow.js, the WASM heap's floor. */
const RUNTIME_BYTES = 150 * 1024 * 1024;
/** A received value: the rows arrive as Float64Array columns (see trainingMemoryBytes). */
const COLUMN_BYTES = 8;
/** Per row: which rows are kept, their targets, the split and the row numbers of each part. */
const ROW_INDEX_BYTES = 64;
/** Float32 copies of the weights while training (see trainingMemoryBytes). */
const WEIGHT_COPIES = 8;

/**
 * A rough upper estimate of the memory one training process needs, in bytes: the weights in 8
 * float32 copies (the weights, their gradients, Adam's two moments and the update's temporaries;
 * an MLP of 8 × 4,096 units, 117 M weights, was measured at 4.1 GB), the activations of a batch going
 * forward and back (3 copies per unit; an LSTM's per time step), the training data as received
 * (8-byte columns), encoded and as tensors (float32 each), with the split's row indexes, and the
 * runtime. 5M rows × 21 columns, MLP 64-64-1, was measured at 2.2 GB of RSS (this gives 2.15). Checked before a run is queued, so a network that cannot
 * fit TRAINING_MAX_MEMORY_MB is refused with numbers instead of dying in its child.
 */
export function trainingMemoryBytes(spec: { architecture: ArchitectureName; inputSize: number; outputSize: number; hiddenUnits: number[]; windowSize: number }, batchSize: number, rows: number): number {
  const { architecture, inputSize, outputSize } = spec;
  let parameters: number;
  let units: number;
  let dataWidth = inputSize + outputSize;
  if (architecture === 'LSTM') {
    const u = spec.hiddenUnits[0] ?? DEFAULT_LSTM_UNITS;
    parameters = 4 * (inputSize * u + u * u + u) + u * outputSize + outputSize;
    units = spec.windowSize * 4 * u + outputSize;
    dataWidth = spec.windowSize * inputSize + outputSize;
  } else if (architecture === 'MLP') {
    const widths = [inputSize, ...spec.hiddenUnits, outputSize];
    parameters = widths.slice(1).reduce((sum, width, i) => sum + widths[i] * width + width, 0);
    units = widths.reduce((sum, width) => sum + width, 0);
  } else {
    parameters = inputSize * outputSize + outputSize;
    units = inputSize + outputSize;
  }
  const float = 4;
  return RUNTIME_BYTES + parameters * float * WEIGHT_COPIES + batchSize * units * float * 3 + rows * (dataWidth * (float * 2 + COLUMN_BYTES) + ROW_INDEX_BYTES);
}
