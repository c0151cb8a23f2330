import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCase, createDatasetBody } from '../support/csv-fuzz';
import { assertSeeded, count, loggedErrors, percentile, printTally, requestOnNewConnection, tally, timed, watchHealth } from '../support/fuzz';
import { readRfc4180, TEXT_AFTER_QUOTE } from '../support/rfc4180';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { freshDatabase } from '../support/test-database';
import { TEST_ADMIN_KEY } from '../support/test-server';
import { stopped } from '../../scripts/cluster/processes';

// The server in its own process (npm start's, from dist/): /healthz then times the server's
// event loop alone, not this one's work of generating and reading the cases.
let server: ServerProcess;
let drop: () => Promise<void>;
beforeAll(async () => {
  const database = await freshDatabase();
  drop = database.drop;
  server = await startServerProcess(database.config, { RATE_LIMIT_ADMIN: 'off' });
});
afterAll(async () => {
  if (server) await stopped(server.child, 'SIGTERM');
  await drop?.();
});

const CREATE = 'mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id rowCount columns { name } } }';

describe('fuzzed CSV uploads', () => {
  it('ingests each consistently (the row count an independent RFC 4180 reading gives) or refuses it with BAD_USER_INPUT, always refusing text after a closing quote; /healthz stays fast', async () => {
    const t = tally('csv ingest');
    const health = watchHealth(server.url.replace(/\/graphql$/, ''), 50);
    let ingested = 0;
    let n = 0;
    const property = fc.asyncProperty(csvCase, async (c) => {
      const name = `fuzz-${n++}`;
      const { body, seen } = createDatasetBody(c, name, CREATE);
      const started = performance.now();
      const { status, text } = await requestOnNewConnection(server.url, 'POST', { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` }, body).catch((error: Error) => {
        // The server process may have died: say how, with its last words.
        throw new Error(`${error.message}; server exit ${server.child.exitCode} ${server.child.signalCode}: ${server.output().slice(-1500)}`);
      });
      timed(t, performance.now() - started, c.label);
      t.cases++;
      expect(status, text.slice(0, 300)).toBeLessThan(500);
      const answer = JSON.parse(text) as { data?: { createDataset: { rowCount: number; columns: unknown[] } }; errors?: { message: string; extensions: { code: string } }[] };
      const reading = seen === null ? null : readRfc4180(seen);
      // A quoted field with text after its closing quote (`"x"y`) must be refused, not read literally.
      const textAfterQuote = reading !== null && !reading.ok && reading.reason === TEXT_AFTER_QUOTE;
      if (answer.errors) {
        expect(answer.errors[0].extensions.code, answer.errors[0].message).toBe('BAD_USER_INPUT');
        // What refused a text the independent reading found well-formed (a name rule, a width).
        count(t, reading?.ok ? `refused, well-formed: ${answer.errors[0].message.replace(/\d+/g, 'N').slice(0, 70)}` : textAfterQuote ? 'refused, text after a closing quote' : 'refused, malformed');
        // Nothing of a refused upload is left behind.
        const lookup = await requestOnNewConnection(server.url, 'POST', { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` }, JSON.stringify({ query: 'query($name: String!) { dataset(name: $name) { id } }', variables: { name } }));
        expect(lookup.text).toMatch(/"code":"NOT_FOUND"/);
        return;
      }
      ingested++;
      count(t, 'ingested');
      expect(seen, 'bytes that are not UTF-8 were ingested').not.toBeNull();
      expect(textAfterQuote, 'a quoted field with text after its closing quote was ingested').toBe(false);
      expect(reading!.ok, `ingested, but the independent reading says: ${reading!.ok ? '' : reading!.reason}`).toBe(true);
      if (!reading!.ok) return;
      expect(answer.data!.createDataset.rowCount).toBe(reading!.rows);
      expect(answer.data!.createDataset.columns).toHaveLength(reading!.header.length);
      expect([...reading!.widths]).toEqual([reading!.header.length]);
    });
    await assertSeeded(property, { full: 2000, short: 150 });
    const { latencies, failures } = await health.stop();
    const p99 = percentile(latencies, 99);
    printTally(t, { ingested, 'healthz p50 ms': percentile(latencies, 50).toFixed(1), 'healthz p99 ms': p99.toFixed(1), 'healthz max ms': Math.max(...latencies).toFixed(1), 'healthz polls': latencies.length });
    expect(failures).toEqual([]);
    expect(loggedErrors(server.output()).slice(0, 3).join('\n')).toBe('');
    // A generous bound, not a benchmark: the event loop was never blocked for seconds.
    expect(Math.max(...latencies)).toBeLessThan(2000);
  });
});
