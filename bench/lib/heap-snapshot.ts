import fs from 'node:fs';
import path from 'node:path';

/**
 * Heap snapshots of a server started with `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=<dir>`
 * (Node's own flags: no code in the server), and their comparison by constructor. A snapshot
 * collects garbage first, so its total is the live heap: equal totals at the start and the end of
 * a long run mean nothing accumulates, and where they differ the constructors that grew name the
 * retainer to look for.
 */
export const HEAP_SNAPSHOT_NODE_OPTIONS = (dir: string) => `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${dir}`;

/** Signals the server and waits until the snapshot file is complete (the server answers again once written). */
export async function takeHeapSnapshot(pid: number, dir: string, url: string): Promise<string> {
  const before = new Set(fs.readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; waited < 120_000; waited += 500) {
    await new Promise((r) => setTimeout(r, 500));
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    // The snapshot is written on the server's event loop: once /healthz answers, the file is whole.
    if (file && (await fetch(url.replace('/graphql', '/healthz')).then((r) => r.ok, () => false))) return path.join(dir, file);
  }
  throw new Error('no heap snapshot within 120 s');
}

export interface HeapSummary {
  totalMb: number;
  nodes: number;
  byConstructor: Map<string, { count: number; bytes: number }>;
}

/** Self sizes summed by constructor (objects and closures) or by node type (strings, code, arrays…). */
export function summarizeHeapSnapshot(file: string): HeapSummary {
  const snapshot = JSON.parse(fs.readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const byConstructor = new Map<string, { count: number; bytes: number }>();
  let total = 0;
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]];
    const name = type === 'object' || type === 'closure' ? snapshot.strings[snapshot.nodes[i + nameAt]] : `(${type})`;
    const bytes = snapshot.nodes[i + sizeAt];
    total += bytes;
    const entry = byConstructor.get(name) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += bytes;
    byConstructor.set(name, entry);
  }
  return { totalMb: +(total / 1048576).toFixed(1), nodes: snapshot.nodes.length / width, byConstructor };
}

/** The constructors whose live bytes changed most between two snapshots. */
export function compareHeapSummaries(first: HeapSummary, last: HeapSummary, top = 12) {
  const rows = [...last.byConstructor].map(([name, now]) => {
    const then = first.byConstructor.get(name) ?? { count: 0, bytes: 0 };
    return { name: name.slice(0, 60), count: now.count - then.count, kb: Math.round((now.bytes - then.bytes) / 1024) };
  });
  rows.sort((a, b) => Math.abs(b.kb) - Math.abs(a.kb));
  return { liveMb: [first.totalMb, last.totalMb], growth: +(last.totalMb / first.totalMb - 1).toFixed(3), top: rows.slice(0, top) };
}
