import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config';
import type { Database } from '../../src/engines/db/database';
import { createLogger } from '../../src/core/logger';
import type { AimassModule } from '../../src/modules/shared/module-definition';
import { checkRegistry, databaseSchema, MODULES, nodeTypesByPrefix } from '../../src/server/registry';
import { createSchema } from '../../src/server/schema';
import { createServices } from '../../src/server/services';

const byName = (name: string) => MODULES.find((m) => m.name === name)!;

describe('the module registry', () => {
  it('is consistent: unique names, id prefixes and topics, and one owner of models', () => {
    expect(() => checkRegistry()).not.toThrow();
  });

  it('refuses a module that reuses an id prefix, a name or a topic, naming both claimants', () => {
    const models = byName('models');
    const clash = { name: 'copycat', entities: [class Copy { static readonly idPrefix = 'mdl'; }] } as unknown as AimassModule;
    expect(() => checkRegistry([...MODULES, clash])).toThrow(/id prefix "mdl" is claimed by both models \(Model\) and copycat \(Copy\)/);
    expect(() => checkRegistry([...MODULES, { name: 'models' }])).toThrow(/name "models"/);
    expect(() => checkRegistry([...MODULES, { name: 'echo', topics: ['TRAINING_METRICS'] }])).toThrow(/topic "TRAINING_METRICS" is claimed by both training and echo/);
    expect(() => checkRegistry([...MODULES, { name: 'second-models', models: models.models }])).toThrow(/exactly one module must own models/);
    expect(() => checkRegistry(MODULES.filter((m) => m !== models))).toThrow(/exactly one module must own models/);
  });

  it('refuses a node type whose entity the module does not declare', () => {
    const [node] = byName('models').nodes!;
    expect(() => checkRegistry([...MODULES, { name: 'stray', nodes: [node] }])).toThrow(/stray declares node type Model but not its entity/);
  });

  it('makes every type that implements Node fetchable by node(id), and nothing else', async () => {
    const schema = await createSchema();
    const implementations = schema.getImplementations(schema.getType('Node') as never).objects.map((t) => t.name).sort();
    const registered = [...nodeTypesByPrefix().values()].map((n) => n.entity.name).sort();
    expect(registered).toEqual(implementations);
  });

  it('names each module after its folder and variable, so the layering check reads the same order from the registry', () => {
    const root = path.resolve(__dirname, '../..');
    for (const module of MODULES) expect(fs.existsSync(path.join(root, 'src/modules', module.name, `${module.name}.module.ts`)), module.name).toBe(true);
    const rules = require(path.join(root, '.dependency-cruiser.cjs')).forbidden as { name: string }[];
    const ordered = rules.filter((r) => r.name.startsWith('module-order-')).map((r) => r.name.slice('module-order-'.length));
    // The last module may import every other, so it has no rule of its own.
    expect([...ordered, MODULES.at(-1)!.name]).toEqual(['shared', ...MODULES.map((m) => m.name)]);
  });

  it('gives every entity its migration-created table exactly once', () => {
    const { entities, migrations } = databaseSchema();
    expect(new Set(entities).size).toBe(entities.length);
    expect(new Set(migrations).size).toBe(migrations.length);
    expect(migrations.length).toBeGreaterThanOrEqual(6);
  });

  it('builds services in registry order, and names the order to fix when a module reads a later one', () => {
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const db = { kind: 'sqlite' } as unknown as Database;
    const early: AimassModule = { name: 'early', services: (_platform, services) => ({ peek: services.deployments } as never) };
    expect(() => createServices(config, db, createLogger('silent'), [early, ...MODULES])).toThrow(
      /module early reads services.deployments, which no module before it in src\/server\/registry.ts builds/,
    );
    expect(() => createServices(config, db, createLogger('silent'), [...MODULES, { name: 'again', services: () => ({ models: null } as never) }])).toThrow(/module again builds services.models, which already exists/);
  });
});
