import { expect } from 'vitest';
import type { TcpProxy } from '../../support/tcp-proxy';
import { TEST_ADMIN_KEY } from '../../support/test-server';
import { until } from '../../support/until';
import { bankRows, readyz } from './fixture';
import { sleep } from './trials';

/** One answered call of the traffic: what it was, how long it took, and its error code if any. */
export interface Answer { kind: string; ms: number; code: string | null; at: number }

const OPERATIONS = {
  read: () => ({ query: '{ datasets(first: 5) { totalCount edges { node { name versions(first: 2) { edges { node { version rowCount } } } } } } }' }),
  predict: () => ({ query: 'mutation($input: PredictInput!) { predict(input: $input) { predictions { value } } }', variables: { input: { model: 'served', environment: 'PRODUCTION', rows: bankRows(5) } } }),
  mutation: () => ({ query: 'mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', variables: { input: { name: `m-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: ['Age'], targetColumn: 'Personal Loan' } } }),
};
export type OperationKind = keyof typeof OPERATIONS;

/** One call, timed; a client-side abort at 10 s counts as a hang. */
export async function call(url: string, kind: OperationKind): Promise<Answer> {
  const started = Date.now();
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` }, body: JSON.stringify(OPERATIONS[kind]()), signal: AbortSignal.timeout(10_000) });
    const body = await res.json() as { errors?: { extensions?: { code?: string } }[] };
    return { kind, ms: Date.now() - started, code: body.errors ? String(body.errors[0].extensions?.code ?? 'NO_CODE') : null, at: started };
  } catch (error) {
    return { kind, ms: Date.now() - started, code: `CLIENT_${(error as Error).name}`, at: started };
  }
}

/** `clients` loops of reads, predicts and mutations until `stop`; every answer is kept. */
export function traffic(url: string, clients: number, stop: () => boolean): { answers: Answer[]; done: Promise<void> } {
  const answers: Answer[] = [];
  const kinds: OperationKind[] = ['read', 'predict', 'mutation'];
  const loops = Array.from({ length: clients }, async (_, i) => {
    for (let n = i; !stop(); n++) {
      answers.push(await call(url, kinds[n % kinds.length]));
      await sleep(20);
    }
  });
  return { answers, done: Promise.all(loops).then(() => undefined) };
}

/**
 * Cuts `proxy` for `outageMs` under traffic and checks the contract: during the outage every call
 * is answered within 2 s, failing ones with SERVICE_UNAVAILABLE, and /readyz says 503 naming the
 * part that is away; after it, /readyz and every kind of call recover without a restart.
 */
export async function outageTrial(url: string, proxy: TcpProxy, outageMs: number, part: 'database' | 'redis'): Promise<void> {
  let stopping = false;
  const load = traffic(url, 4, () => stopping);
  await sleep(500);
  const cutAt = Date.now();
  proxy.cut();
  const statuses: { status: number; body: any }[] = [];
  try {
    await until(async () => {
      const res = await fetch(url.replace('/graphql', '/readyz'), { signal: AbortSignal.timeout(5000) }).catch(() => null);
      const status = res ? { status: res.status, body: await res.json().catch(() => null) } : { status: 0, body: null };
      statuses.push(status);
      return status;
    }, (s) => s.status === 503, outageMs);
    await sleep(Math.max(0, outageMs - (Date.now() - cutAt)));
  } finally {
    proxy.restore();
  }
  const restoredAt = Date.now();
  await until(() => readyz(url), (s) => s === 200, 30_000);
  const recoveredMs = Date.now() - restoredAt;
  await sleep(1500);
  stopping = true;
  await load.done;

  const during = load.answers.filter((a) => a.at >= cutAt + 200 && a.at + a.ms <= restoredAt);
  const slow = during.filter((a) => a.ms > 2000);
  expect(slow.map((a) => `${a.kind} ${a.ms} ms ${a.code}`), 'calls slower than 2 s during the outage').toEqual([]);
  const unclear = during.filter((a) => a.code !== null && a.code !== 'SERVICE_UNAVAILABLE');
  expect([...new Set(unclear.map((a) => `${a.kind}: ${a.code}`))], 'errors other than SERVICE_UNAVAILABLE during the outage').toEqual([]);
  expect(statuses.at(-1)?.body?.[part], `/readyz names the ${part}`).toBe(false);
  // After recovery: each kind of call succeeds again, without a restart.
  for (const kind of ['read', 'predict', 'mutation'] as const) {
    const answer = await until(() => call(url, kind), (a) => a.code === null, 15_000);
    expect(answer.code).toBeNull();
  }
  const failedDuring = during.filter((a) => a.code !== null).length;
  console.log(`[faults] ${part} outage ${outageMs} ms: ${during.length} calls during it (${failedDuring} refused, slowest ${Math.max(0, ...during.map((a) => a.ms))} ms); /readyz 200 again ${recoveredMs} ms after restore`);
}
