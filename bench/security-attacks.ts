import path from 'node:path';
import { BENCH_AUTH, BENCH_KEY_ENV } from './api-throughput';
import { startChildServer, type ChildServer } from './lib/child-server';
import { probeHealthz, type LatencySummary } from './lib/healthz';
import { servingFixture } from './serving';

/** /healthz p99 must stay under this while an attack runs (issue 11's goal). */
export const HEALTHZ_P99_GOAL_MS = 50;

interface Attack {
  /** An attack must keep /healthz within the goal; allowed work is measured for the record. */
  kind: 'attack' | 'allowed work';
  /** Requests in flight at once, each sent as soon as the previous one answered. */
  concurrency: number;
  send(url: string): Promise<string>;
}

/**
 * The attacks of the hardening review, replayed against the server as `npm start` runs it (default
 * limits) while a separate thread probes /healthz every 10 ms: an anonymous 5 KB query of 1,240
 * repeated fields with a changing comment, a PARTNER's 10,000-row explain four at a time, an
 * internal reader's 1,000-row explain four at a time (allowed: it runs on the worker pool), and a
 * 100,000-column CSV. Idle and each attack alternate, three rounds.
 */
export async function benchSecurityAttacks(seconds: number) {
  const { file, rows, close } = await servingFixture();
  await close();
  const script = path.resolve(__dirname, 'servers/aimass-server.js');
  const server = await startChildServer(script, { PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'error', DATABASE_URL: `sqlite:${file}`, ...BENCH_KEY_ENV });
  try {
    const modelId = await adminQuery(server, '{ model(name: "bench-serving") { id } }').then((d) => d.model.id as string);
    const partner = await createKey(server, 'PARTNER', [modelId]);
    const viewer = await createKey(server, 'VIEWER');
    const scientist = await createKey(server, 'DATA_SCIENTIST');
    const attacks = attacksOn({ rows, partner, viewer, scientist });

    const runs: Record<string, { healthz: LatencySummary; outcomes: Record<string, number> }[]> = {};
    for (let round = 0; round < 3; round++) {
      for (const [name, attack] of [['idle', null] as const, ...Object.entries(attacks)]) {
        const probe = probeHealthz(server.url);
        const outcomes = attack ? await closedLoop(server.url, attack, seconds) : await idle(seconds);
        (runs[name] ??= []).push({ healthz: await probe.stop(), outcomes });
      }
    }
    const worst = (name: string) => Math.max(...runs[name].map((r) => r.healthz.p99Ms));
    const medianP99 = (name: string) => median(runs[name].map((r) => r.healthz.p99Ms));
    return {
      goal: `/healthz p99 < ${HEALTHZ_P99_GOAL_MS} ms during each attack`,
      scenarios: Object.fromEntries(Object.keys(runs).map((name) => [name, {
        kind: name === 'idle' ? 'reference' : attacks[name].kind,
        healthzP99MsPerRound: runs[name].map((r) => round1(r.healthz.p99Ms)),
        healthzMaxMsPerRound: runs[name].map((r) => round1(r.healthz.maxMs)),
        healthzProbes: runs[name].reduce((sum, r) => sum + r.healthz.count, 0),
        medianP99RatioVsIdle: name === 'idle' ? 1 : medianP99(name) / medianP99('idle'),
        attackOutcomes: merge(runs[name].map((r) => r.outcomes)),
        worstP99UnderGoal: worst(name) < HEALTHZ_P99_GOAL_MS,
      }])),
    };
  } finally {
    await server.stop();
  }
}

function attacksOn({ rows, partner, viewer, scientist }: { rows: Record<string, unknown>[]; partner: string; viewer: string; scientist: string }): Record<string, Attack> {
  const predictBody = (count: number) => JSON.stringify({
    query: 'mutation($rows: [JSONObject!]!) { predict(input: { model: "bench-serving", rows: $rows, explain: true }) { predictions { value contributions { feature contribution } } } }',
    variables: { rows: rows.slice(0, count) },
  });
  const explain10k = predictBody(10_000);
  const explain1k = predictBody(1_000);
  const fields = 'viewer { role } '.repeat(1240);
  const columns = Array.from({ length: 100_000 }, (_, i) => `c${i}`);
  const csv100k = JSON.stringify({
    query: 'mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }',
    variables: { input: { name: 'wide', csv: `${columns.join(',')}\n${columns.map(() => '1').join(',')}` } },
  });
  return {
    // No key; a new comment each time defeats any document cache.
    anonymousCpuQuery: { kind: 'attack', concurrency: 16, send: (url) => post(url, JSON.stringify({ query: `# ${Math.random()}\nquery { ${fields} }` }), '') },
    partnerExplain10kRows: { kind: 'attack', concurrency: 4, send: (url) => post(url, explain10k, `Bearer ${partner}`) },
    viewerExplain1kRows: { kind: 'allowed work', concurrency: 4, send: (url) => post(url, explain1k, `Bearer ${viewer}`) },
    csv100kColumns: { kind: 'attack', concurrency: 2, send: (url) => post(url, csv100k, `Bearer ${scientist}`) },
  };
}

/** POSTs a body; the outcome is `ok`, the first error's code, or the HTTP status. */
async function post(url: string, body: string, authorization: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body });
  const text = await res.text();
  try {
    const json = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
    return json.errors?.[0]?.extensions?.code ?? (res.ok ? 'ok' : `HTTP ${res.status}`);
  } catch {
    return `HTTP ${res.status}`;
  }
}

async function closedLoop(url: string, attack: Attack, seconds: number): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  const until = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: attack.concurrency }, async () => {
    while (Date.now() < until) {
      const outcome = await attack.send(url).catch((error: Error) => `client error: ${error.message}`);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  }));
  return outcomes;
}

const idle = (seconds: number) => new Promise<Record<string, number>>((resolve) => setTimeout(() => resolve({}), seconds * 1000));

async function adminQuery(server: ChildServer, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...BENCH_AUTH }, body: JSON.stringify({ query, variables }) });
  const json = (await res.json()) as { data?: any; errors?: unknown };
  if (json.errors) throw new Error(JSON.stringify(json.errors));
  return json.data;
}

async function createKey(server: ChildServer, role: string, modelScope?: string[]): Promise<string> {
  const data = await adminQuery(server, 'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }', { input: { name: `bench-${role.toLowerCase()}`, role, modelScope } });
  return data.createApiKey.secret;
}

function merge(list: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const outcomes of list) for (const [k, v] of Object.entries(outcomes)) out[k] = (out[k] ?? 0) + v;
  return out;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round1 = (n: number) => Math.round(n * 10) / 10;
