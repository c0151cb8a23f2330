/**
 * The layering rule, checked by `npm run check:layers` (part of `npm test`, so CI runs it).
 *
 * From the bottom up, a layer imports only from the layers below it:
 *   core      src/core (config, errors, ids, logger) and src/ml (pure maths, value parsers)
 *   engines   src/engines: db, events, jobs, trainer, serving, telemetry; no GraphQL, no entities
 *   modules   src/modules/<feature> and migrations/; one folder per feature
 *   server    src/server: registry, start-up, services, context, schema, transports
 *   entry     src/main.ts, scripts/, seeds/, bench/, test/
 *
 * Modules are ordered too: a module imports only modules before it in MODULES
 * (src/server/registry.ts, read from there), so the dependency between two features has one
 * direction, the same one the server builds them in. `shared` (the context, Node, connections,
 * roles) is below every feature.
 */
const fs = require('node:fs');
const path = require('node:path');
const CORE = '^src/(core|ml)/';
const ENGINES = '^src/engines/';
const MODULES = '^(src/modules/|migrations/)';
const SERVER = '^src/server/';
const ENTRY = '^(src/main\\.ts$|scripts/|seeds/|bench/|test/)';

/** `['shared', 'auth', 'datasets', …]`: the registry's `<name>Module` entries, in order (a unit test checks they match the modules' names). */
function readModuleOrder() {
  const registry = fs.readFileSync(path.join(__dirname, 'src/server/registry.ts'), 'utf8');
  const list = /export const MODULES[^=]*=\s*\[([^\]]*)\]/.exec(registry);
  if (!list) throw new Error('.dependency-cruiser.cjs: no `export const MODULES = [...]` in src/server/registry.ts');
  return ['shared', ...[...list[1].matchAll(/\b(\w+)Module\b/g)].map((match) => match[1])];
}
const MODULE_ORDER = readModuleOrder();

const layer = (name, from, forbidden, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: forbidden },
});

const moduleOrder = MODULE_ORDER.map((module, i) => ({
  name: `module-order-${module}`,
  comment: `modules/${module} may import only modules listed before it: ${MODULE_ORDER.slice(0, i).join(', ') || 'none'}`,
  severity: 'error',
  from: { path: `^src/modules/${module}/` },
  to: { path: `^src/modules/(${MODULE_ORDER.slice(i + 1).join('|') || '$^'})/` },
})).filter((rule) => !rule.to.path.includes('$^'));

module.exports = {
  forbidden: [
    layer('core-is-the-bottom', CORE, `${ENGINES}|${MODULES}|${SERVER}|${ENTRY}`, 'config, errors, ids, logger and ml/ depend on nothing of aimass above them'),
    layer('engines-know-no-modules', ENGINES, `${MODULES}|${SERVER}|${ENTRY}`, 'engines are handed narrow functions and types; they never import a module, an entity or the services bag'),
    layer('modules-know-no-server', MODULES, `${SERVER}|${ENTRY}`, 'modules are wired by the server; they never import it'),
    layer('server-knows-no-entry-points', SERVER, ENTRY, 'main.ts, scripts, seeds, benchmarks and tests start the server; it does not import them'),
    ...moduleOrder,
    {
      name: 'no-circular',
      comment: 'a cycle makes load order (and decorators reading each other\'s classes) fragile',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    // TypeScript 7 ships no JavaScript API; swc parses the sources.
    parser: 'swc',
    // Type-only imports count: a layer must not even know the shapes of the layers above it.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '^dist/'] },
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
