import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { scratchServices } from './lib/fixtures';
import { DatasetKind } from '../src/modules/datasets/dataset.entity';
import { decodeRows } from '../src/modules/datasets/row-chunks';
import { round } from './lib/training-data';

/**
 * Whether typed columns in the chunks pay: the same CSV (argv[2], under BENCH_SCALE_DIR's files)
 * ingested once, then a copy of its version's chunks rewritten as the JSON alone (as chunks were
 * before typed columns); reading every row as training does (DatasetRowReader.columnChunks) from
 * each, alternating over 3 rounds in one process. Prints one JSON line.
 */
async function main() {
  const source = path.resolve(process.argv[2]);
  const { services, file, close } = await scratchServices('scale-read');
  fs.copyFileSync(source, path.join(path.dirname(file), 'input.csv'));
  const typed = await services.datasets.create({ name: 'typed', kind: DatasetKind.STATIC, path: 'input.csv' });
  const json = await services.datasets.create({ name: 'json', kind: DatasetKind.STATIC, path: 'input.csv' });
  const db = services.db.dataSource;
  const jsonVersion = await services.datasets.version(json.id);
  for (const chunk of await db.query('SELECT seq, data FROM artifact_chunk WHERE artifact_id = ?', [jsonVersion.artifactId])) {
    await db.query('UPDATE artifact_chunk SET data = ? WHERE artifact_id = ? AND seq = ?', [Buffer.from(JSON.stringify(decodeRows(chunk.data))), jsonVersion.artifactId, chunk.seq]);
  }
  const bytes = async (artifactId: string) => Number((await db.query('SELECT SUM(LENGTH(data)) AS n FROM artifact_chunk WHERE artifact_id = ?', [artifactId]))[0].n);
  const typedVersion = await services.datasets.version(typed.id);
  const names = typedVersion.columns.map((c) => c.name);
  const read = async (version: typeof typedVersion) => {
    const started = performance.now();
    let rows = 0;
    for await (const chunk of services.datasetRows.columnChunks(version, names).chunks()) rows += chunk.count;
    if (rows !== version.rowCount) throw new Error(`read ${rows} rows of ${version.rowCount}`);
    return (performance.now() - started) / 1000;
  };
  const seconds: Record<'typed' | 'json', number[]> = { typed: [], json: [] };
  for (let round = 0; round < 3; round++) {
    for (const side of round % 2 === 0 ? ['json', 'typed'] as const : ['typed', 'json'] as const) seconds[side].push(await read(side === 'typed' ? typedVersion : jsonVersion));
  }
  const ratios = seconds.typed.map((t, i) => t / seconds.json[i]);
  console.log(JSON.stringify({
    rows: typedVersion.rowCount, columns: names.length, typedSeconds: seconds.typed.map((s) => round(s)), jsonSeconds: seconds.json.map((s) => round(s)),
    typedVsJson: { median: round([...ratios].sort((a, b) => a - b)[1]), spread: [round(Math.min(...ratios)), round(Math.max(...ratios))] },
    storedMb: { typed: round(await bytes(typedVersion.artifactId) / 2 ** 20, 1), json: round(await bytes(jsonVersion.artifactId) / 2 ** 20, 1) },
  }));
  await close();
}
void main();
