import { afterAll, beforeAll, expect, it } from 'vitest';
import { MODULES } from '../../src/server/registry';
import { creditDatasetAndModel } from '../support/service-fixtures';
import { startTestServices, type TestServices } from '../support/test-services';

// The start-up sweep of artifacts left by writes that died: it must delete those, and never one
// that a module's table still names (the columns come from the registry).
let t: TestServices;
beforeAll(async () => {
  t = await startTestServices({ start: false });
});
afterAll(() => t?.close());

const references = MODULES.flatMap((m) => m.artifactReferences ?? []);
const exists = async (id: string) => (await t.services.db.dataSource.query('SELECT COUNT(*) AS n FROM artifact WHERE id = ?', [id]))[0].n > 0;
const age = (id: string, hours: number) => t.services.db.write('UPDATE artifact SET created_at = ? WHERE id = ?', [t.services.db.sqlDate(new Date(Date.now() - hours * 3_600_000)), id]);

it('deletes old artifacts nothing names, keeps a dataset version\'s, and spares a write still in progress', async () => {
  expect(references.map((r) => `${r.table}.${r.column}`).sort()).toEqual(['dataset_version.artifact_id', 'model_version.artifact_id']);
  const { dataset } = await creditDatasetAndModel(t.services, 'sweep');
  const kept = (await t.services.datasets.version(dataset.id)).artifactId;
  const orphan = await t.services.artifacts.create('dataset-rows');
  await orphan.append(Buffer.from('[]'), 0);
  const fresh = await t.services.artifacts.create('model');
  for (const id of [kept, orphan.id]) await age(id, 2);

  expect(await t.services.artifacts.deleteOrphans(references)).toBe(1);
  expect(await exists(orphan.id)).toBe(false);
  expect(await exists(kept)).toBe(true);
  // Younger than the hour's guard: another instance may be about to reference it.
  expect(await exists(fresh.id)).toBe(true);
  expect((await t.services.db.dataSource.query('SELECT COUNT(*) AS n FROM artifact_chunk WHERE artifact_id = ?', [orphan.id]))[0].n).toBe(0);
});

it('refuses a reference that is not a plain column name', async () => {
  await expect(t.services.artifacts.deleteOrphans([{ table: 'dataset_version; DROP TABLE artifact', column: 'artifact_id' }])).rejects.toThrow(/not a column name/);
});
