import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));

// What the server runs (dependencies, not devDependencies): a few dev tools' transitive packages
// (graphql-codegen's @whatwg-node/fetch) claim Node 22 though they run here on Node 20, and CI,
// on Node 20, runs them every time.
it('runs on the oldest Node.js package.json promises: every locked package the server runs accepts it', () => {
  const oldest = semver.minVersion(read('package.json').engines.node)!.version;
  const lock = read('package-lock.json');
  const refusing = Object.entries(lock.packages as Record<string, { engines?: { node?: string }; dev?: boolean }>)
    .filter(([name, entry]) => name && !entry.dev && entry.engines?.node && !semver.satisfies(oldest, entry.engines.node))
    .map(([name, entry]) => `${name} wants ${entry.engines!.node}`);
  expect(refusing, `package.json says node ${read('package.json').engines.node}`).toEqual([]);
});
