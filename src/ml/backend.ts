import path from 'node:path';
import { tf } from './tf';

/** Backends in order of preference. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

let selected: Promise<BackendName> | undefined;

/**
 * Picks the fastest backend that loads here: tfjs-node (native libtensorflow, an optional
 * dependency that cannot install without internet access), then WebAssembly (its .wasm files ship
 * in the npm package), then pure JS. `forced` (TFJS_BACKEND) skips the search. Once per process.
 */
export function selectBackend(forced?: BackendName | null): Promise<BackendName> {
  selected ??= (async () => {
    const order: BackendName[] = forced ? [forced] : ['tensorflow', 'wasm', 'cpu'];
    for (const name of order) {
      try {
        if (name === 'tensorflow') require('@tensorflow/tfjs-node');
        if (name === 'wasm') {
          const wasm = require('@tensorflow/tfjs-backend-wasm');
          wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
        }
        if (await tf.setBackend(name)) {
          await tf.ready();
          return name;
        }
      } catch {
        // not installed or cannot load here: try the next one
      }
    }
    throw new Error(`no TensorFlow.js backend could load (tried ${order.join(', ')})`);
  })();
  return selected;
}

/** The backend in use, or null before selectBackend ran in this process. */
export function currentBackend(): string | null {
  return selected ? tf.getBackend() : null;
}
