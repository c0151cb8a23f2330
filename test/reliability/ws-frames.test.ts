import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { assertSeeded, count, errorCollectingLog, printTally, tally } from '../support/fuzz';
import { shortPrinted } from '../support/graphql-fuzz';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/test-server';

let server: TestServer;
const { log, errors: loggedErrors } = errorCollectingLog();
beforeAll(async () => {
  server = await startTestServer({ log });
});
afterAll(() => server?.close());

/**
 * The close codes a client may see: the protocol's own (graphql-ws PROTOCOL.md: 4400 bad
 * message, 4401 subscribe before ack, 4403 bad key, 4406 subprotocol, 4408 init timeout, 4409
 * duplicate id, 4429 second init), ws's for bad frames (1002, 1007 bad UTF-8, 1009 too big), and
 * normal ends. Never 1011, the server's own failure.
 */
const ALLOWED_CLOSE = new Set([1000, 1001, 1002, 1005, 1007, 1009, 4400, 4401, 4403, 4406, 4408, 4409, 4429]);

const ID = fc.constantFrom('1', '2', 'a', '', '💥', 'x'.repeat(300));
const frame = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'init', text: JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${TEST_ADMIN_KEY}` } }) }) },
  { weight: 1, arbitrary: fc.constantFrom('Bearer aim_nope', '', null).map((authorization) => ({ kind: 'init-bad-key', text: JSON.stringify({ type: 'connection_init', payload: authorization === null ? undefined : { authorization } }) })) },
  { weight: 3, arbitrary: fc.tuple(ID, fc.constantFrom('{ viewer { role } }', 'subscription { healthSnapshots(intervalSeconds: 1) { at } }', 'subscription { trainingMetrics(runId: "run_nope") { step } }', '{ nope }', '{', 'subscription { healthSnapshots { at } } subscription B { healthSnapshots { at } }')).map(([id, query]) => ({ kind: 'subscribe', text: JSON.stringify({ id, type: 'subscribe', payload: { query } }) })) },
  { weight: 1, arbitrary: fc.tuple(ID, fc.jsonValue({ maxDepth: 2 })).map(([id, payload]) => ({ kind: 'subscribe-bad-payload', text: JSON.stringify({ id, type: 'subscribe', payload }) })) },
  { weight: 2, arbitrary: ID.map((id) => ({ kind: 'complete', text: JSON.stringify({ id, type: 'complete' }) })) },
  { weight: 1, arbitrary: fc.constantFrom('ping', 'pong').map((type) => ({ kind: type, text: JSON.stringify({ type }) })) },
  { weight: 2, arbitrary: fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), fc.constantFrom('{"type":"next","id":"1","payload":{}}', '{"type":"connection_ack"}', '{"type":"error","id":"1","payload":[]}', '{"type":"subscribe"}', '{"type":7}', 'null', '[]', '')).map((text) => ({ kind: 'garbage', text })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({ kind: 'binary', text: Buffer.from(bytes) })) },
  { weight: 1, arbitrary: fc.constantFrom(70 * 1024, 2 * 1024 * 1024).map((n) => ({ kind: 'huge', text: JSON.stringify({ type: 'ping', payload: { pad: 'x'.repeat(n) } }) })) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 60 }).map((ms) => ({ kind: 'wait', ms })) },
);
const sequence = fc.record({
  protocol: fc.oneof({ weight: 10, arbitrary: fc.constant('graphql-transport-ws') }, { weight: 1, arbitrary: fc.constantFrom('graphql-ws', 'nonsense', null) }),
  frames: fc.array(frame, { minLength: 1, maxLength: 8 }),
}).map((s) => shortPrinted(s));

interface Outcome {
  /** handshake: the client itself gave up, the server having agreed to no subprotocol it asked for. */
  closedBy: 'server' | 'client' | 'handshake';
  code?: number;
  reason?: string;
  messages: any[];
}

async function play(s: { protocol: string | null; frames: any[] }): Promise<Outcome> {
  const socket = new WebSocket(server.wsUrl, s.protocol ? [s.protocol] : []);
  const messages: any[] = [];
  let closed: { code: number; reason: string } | null = null;
  const whenClosed = new Promise<void>((resolve) => socket.on('close', (code, reason) => { closed = { code, reason: String(reason) }; resolve(); }));
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  socket.on('error', () => {}); // a refused handshake or a reset shows as the close below
  const opened = await new Promise<boolean>((resolve) => { socket.once('open', () => resolve(true)); socket.once('close', () => resolve(false)); });
  if (!opened) return { closedBy: 'handshake', messages };
  for (const f of s.frames) {
    if (closed) break;
    if (f.kind === 'wait') await new Promise((resolve) => setTimeout(resolve, f.ms));
    else if (socket.readyState === WebSocket.OPEN) socket.send(f.text);
  }
  // Time for the server to answer the last frames, or to close.
  await Promise.race([whenClosed, new Promise((resolve) => setTimeout(resolve, 100))]);
  if (closed) return { closedBy: 'server', ...(closed as { code: number; reason: string }), messages };
  socket.close(1000);
  await whenClosed;
  return { closedBy: 'client', messages };
}

describe('fuzzed graphql-ws frame sequences over a raw socket', () => {
  it('never fails inside: every close has a protocol code, every error a code, and the server stays healthy', async () => {
    const t = tally('graphql-ws frames');
    const property = fc.asyncProperty(sequence, async (s) => {
      t.cases++;
      const outcome = await play(s);
      if (outcome.closedBy === 'server') {
        expect(ALLOWED_CLOSE, `closed ${outcome.code} ${outcome.reason}`).toContain(outcome.code);
        count(t, `closed ${outcome.code}`);
      } else count(t, outcome.closedBy === 'handshake' ? 'handshake refused by the client' : 'open until the client closed');
      for (const m of outcome.messages) {
        const errors = m.type === 'error' ? m.payload : m.type === 'next' ? (m.payload?.errors ?? []) : [];
        for (const e of errors) expect(typeof e.extensions?.code, JSON.stringify(e).slice(0, 300)).toBe('string');
      }
    });
    await assertSeeded(property, { full: 2000, short: 150 });
    printTally(t);
    expect(loggedErrors.slice(0, 3).join('\n')).toBe('');
    expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);
    // And the WebSocket endpoint still serves a well-behaved client.
    const last = await play({ protocol: 'graphql-transport-ws', frames: [
      { kind: 'init', text: JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${TEST_ADMIN_KEY}` } }) },
      { kind: 'wait', ms: 50 },
      { kind: 'subscribe', text: JSON.stringify({ id: 'ok', type: 'subscribe', payload: { query: '{ viewer { role } }' } }) },
      { kind: 'wait', ms: 200 },
    ] });
    expect(last.messages.find((m) => m.type === 'next')?.payload.data.viewer.role).toBe('ADMIN');
  });
});
