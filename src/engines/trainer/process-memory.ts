import { readFileSync } from 'node:fs';

/**
 * The resident memory (RSS) of another process, in bytes, read from /proc; null where there is
 * no /proc (not Linux) or the process is gone. All of it counts: V8's heap limit does not bound
 * TensorFlow.js's WASM memory, which is where a large network actually grows.
 */
export function residentBytes(pid: number): number | null {
  const pages = residentPages(`/proc/${pid}/statm`);
  return pages === null || PAGE_BYTES === null ? null : pages * PAGE_BYTES;
}

function residentPages(file: string): number | null {
  try {
    // statm: size resident shared text lib data dt, in pages.
    return Number(readFileSync(file, 'utf8').split(' ')[1]);
  } catch {
    return null;
  }
}

/** The page size, from this process's own statm against its RSS (no native call needed). */
const PAGE_BYTES: number | null = (() => {
  const pages = residentPages('/proc/self/statm');
  if (!pages) return null;
  const guess = process.memoryUsage().rss / pages;
  // Page sizes are powers of two (4 KiB, 16 KiB, 64 KiB): round the estimate to the nearest one.
  return 2 ** Math.round(Math.log2(guess));
})();
