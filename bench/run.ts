import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchApiThroughput } from './api-throughput';
import { benchClusterFanout, benchDeployCoherence, benchQueueOverhead, benchThroughputScaling, redisMissing } from './cluster';
import { benchIngest } from './ingest';
import { benchFanout } from './fanout';
import { benchMonitoring } from './monitoring';
import { benchSecurityAttacks } from './security-attacks';
import { benchSecurityOverhead } from './security-overhead';
import { benchTrainingHistory } from './training-history';
import { benchTrainingOverhead } from './training-overhead';
import { benchTrainingStreaming } from './training-streaming';
import { benchServing, benchServingIsolation, benchShadowOverhead } from './serving';
import { benchServingBatching } from './serving-batching';
import { benchSweepThroughput } from './sweeps';
import { benchBacktestSpeed } from './backtests';
import { benchAlgorithmQuality, benchAlgorithmSpeed } from './algorithms';
import { benchFeedLatency } from './paper-trading';
import { benchConsole } from './console';
import { benchMemory } from './memory';
import { benchAuditChain } from './audit-chain';
import { benchScale } from './scale';

/** `npm run bench`: every benchmark, figures and ratios measured side by side in one run. */
async function main() {
  const seconds = Number(process.env.BENCH_SECONDS ?? 8);
  // Sections to run (e.g. `run.js training streaming history`); all when none is named.
  const only = process.argv.slice(2);
  const want = (section: string) => only.length === 0 || only.includes(section);
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
  if (want('api')) {
    console.log(`== API throughput and SQL statements (autocannon, ${seconds}s per run, 16 connections)`);
    results.api = await benchApiThroughput(seconds);
    console.log(JSON.stringify(results.api, null, 2));
  }
  if (want('security') || only.includes('security-attacks')) {
    console.log(`== Security overhead: nested models query, keys + limits + audit on vs off (${seconds}s per run)`);
    const overhead = only.includes('security-attacks') ? null : await benchSecurityOverhead(seconds);
    console.log(JSON.stringify(overhead, null, 2));
    console.log(`== Security attacks: /healthz latency while each attack of the hardening review runs (${seconds}s each, idle and attacks alternating, 3 rounds)`);
    const attacks = await benchSecurityAttacks(seconds);
    console.log(JSON.stringify(attacks, null, 2));
    results.security = { overhead, attacks };
  }
  if (want('ingest')) {
    console.log('== CSV ingest (UniversalBank.csv repeated, SQLite, streamed from a file)');
    results.ingest = benchIngest();
    console.log(JSON.stringify(results.ingest, null, 2));
  }
  if (want('training')) {
    console.log('== Training overhead: API run (request → SUCCEEDED over graphql-ws) vs bare model.fit, 20k synthetic rows, MLP 64-64-1, 10 epochs; warm pool (TRAINING_WARM_CHILDREN=1) and cold children beside bare, alternating rounds');
    results.training = await benchTrainingOverhead();
    console.log(JSON.stringify(results.training, null, 2));
  }
  // Heavy (it writes and trains on up to 5M rows): only when named.
  if (only.includes('scale')) {
    console.log('== Scale: ingest, pages, export and training (MLP 64-64-1, 2 epochs) at 100k, 500k, 1M and 5M synthetic rows of 20 features; epoch time against bare model.fit on the same typed arrays; peak RSS of the API process and the training child');
    results.scale = await benchScale();
    console.log(JSON.stringify(results.scale, null, 2));
  }
  if (want('streaming')) {
    console.log('== Training metrics streaming: batch_loss latency to a graphql-ws subscriber, and speed with batchMetrics on vs off');
    results.streaming = await benchTrainingStreaming();
    console.log(JSON.stringify(results.streaming, null, 2));
  }
  if (want('history')) {
    console.log(`== Metric history: points(maxPoints: 500) over 1M stored points, SQLite${process.env.BENCH_MYSQL_URL ? ' and MySQL/MariaDB' : ''}`);
    results.history = await benchTrainingHistory();
    console.log(JSON.stringify(results.history, null, 2));
  }
  if (want('serving')) {
    console.log('== Serving: 10,000 rows in one predict vs raw model.predict; 64 clients of single-row predicts, micro-batching on vs off; predict with security on vs off');
    results.serving = await benchServing(seconds);
    console.log(JSON.stringify(results.serving, null, 2));
  }
  if (want('serving-batching')) {
    console.log(`== Serving: 64 clients of single-row predicts, micro-batching off vs fixed 2 ms window vs adaptive, MLP and LSTM (window 12, 32 units); 3 alternating rounds`);
    results.servingBatching = await benchServingBatching();
    console.log(JSON.stringify(results.servingBatching, null, 2));
  }
  if (only.includes('serving-isolation')) {
    console.log('== Serving: PRODUCTION single-row p99 alone vs while TEST is flooded');
    results.servingIsolation = await benchServingIsolation();
    console.log(JSON.stringify(results.servingIsolation, null, 2));
  }
  if (want('fanout')) {
    console.log(`== Subscription fan-out: ${process.env.BENCH_FANOUT_CLIENTS ?? 1000} graphql-ws clients on one run's trainingMetrics, ${process.env.BENCH_FANOUT_RATE ?? 20} points a second for ${process.env.BENCH_FANOUT_SECONDS ?? 30}s${process.env.BENCH_FANOUT_BEFORE_DIST ? ', before vs after, alternating' : ''}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    results.fanout = await benchFanout();
    console.log(JSON.stringify(results.fanout, null, 2));
  }
  if (want('shadow')) {
    console.log(`== Shadow overhead: PRODUCTION single-row predicts, 64 connections, a SHADOW attached vs none (${process.env.BENCH_SERVING_SECONDS ?? 8}s per run); 3 rounds`);
    results.shadow = await benchShadowOverhead();
    console.log(JSON.stringify(results.shadow, null, 2));
  }
  if (want('algorithms') || only.includes('algorithm-quality')) {
    console.log('== Algorithms, quality: hold-out AUC with default hyper-parameters against scikit-learn\'s defaults (same encoded rows, same split); forecasts against persistence');
    const quality = await benchAlgorithmQuality();
    console.log(JSON.stringify(quality, null, 2));
    let speed = null;
    if (!only.includes('algorithm-quality')) {
      console.log('== Algorithms, speed: per architecture on GermanCredit and 100,000 synthetic rows through the API; trees against the same training called bare, 3 rounds alternated');
      speed = await benchAlgorithmSpeed();
      console.log(JSON.stringify(speed, null, 2));
    }
    results.algorithms = { quality, speed };
  }
  if (want('backtests')) {
    console.log('== Back-test speed: LONG_ONLY walk-forward over 10 years of daily closes through the API vs the same forecasts and loop in process; 3 rounds');
    results.backtests = await benchBacktestSpeed();
    console.log(JSON.stringify(results.backtests, null, 2));
  }
  if (want('feeds')) {
    console.log(`== Feed latency: ticks pushed at 100/s for ${process.env.BENCH_FEED_SECONDS ?? 10}s, each decided by a paper-trading session and streamed out`);
    results.feeds = await benchFeedLatency();
    console.log(JSON.stringify(results.feeds, null, 2));
  }
  if (want('sweeps')) {
    console.log(`== Sweep throughput: ${process.env.BENCH_SWEEP_RUNS ?? 16} tiny runs, parallelism 2 vs one after another; 3 rounds`);
    results.sweeps = await benchSweepThroughput();
    console.log(JSON.stringify(results.sweeps, null, 2));
  }
  if (want('memory')) {
    console.log('== Memory of the API process (main.ts with the demo data): idle, per loaded model version, per 1,000 idle graphql-ws sockets; 3 fresh servers');
    results.memory = await benchMemory();
    console.log(JSON.stringify(results.memory, null, 2));
  }
  if (want('audit')) {
    console.log(`== Audit hash chain: entries written by 16 concurrent writers, chained (lock the head, hash, insert) vs the plain insert, alternating over 3 rounds; then verifyAuditLog over them; SQLite${process.env.BENCH_MYSQL_URL ? ' and MySQL/MariaDB' : ''}`);
    results.audit = await benchAuditChain();
    console.log(JSON.stringify(results.audit, null, 2));
  }
  if (want('console')) {
    console.log('== Web console: first page (models list) interactive in Chromium, cold and warm cache, vs a cold load of /healthz; JavaScript gzipped; 3 rounds');
    results.console = await benchConsole();
    console.log(JSON.stringify(results.console, null, 2));
  }
  if (want('monitoring')) {
    console.log(`== Monitoring overhead: 64 clients of single-row predicts, ${process.env.BENCH_SERVING_SECONDS ?? 15}s per run, monitoring on (health 1s, drift 5s, every row logged) vs off, twice`);
    results.monitoring = await benchMonitoring();
    console.log(JSON.stringify(results.monitoring, null, 2));
  }
  // The scaled form (Redis, several processes): named only, as it needs Redis.
  if (only.some((section) => section.startsWith('cluster'))) {
    const missing = await redisMissing();
    if (missing) throw new Error(`cluster benchmarks: ${missing}`);
    if (only.includes('cluster') || only.includes('cluster-fanout')) {
      console.log(`== Cluster fan-out: ${process.env.BENCH_FANOUT_CLIENTS ?? 1000} subscribers over two API instances, points published by a third process over Redis (20/s), vs one embedded instance; 3 rounds`);
      results.clusterFanout = await benchClusterFanout();
      console.log(JSON.stringify(results.clusterFanout, null, 2));
    }
    if (only.includes('cluster') || only.includes('cluster-queue')) {
      console.log(`== Queue overhead: ${process.env.BENCH_QUEUE_JOBS ?? 50} tiny training jobs, BullMQ on Redis vs the in-process queue; 3 rounds`);
      results.clusterQueue = await benchQueueOverhead();
      console.log(JSON.stringify(results.clusterQueue, null, 2));
    }
    if (only.includes('cluster') || only.includes('cluster-scaling')) {
      console.log(`== Throughput scaling: single-row predicts, 64 connections, one API instance vs two (${seconds}s per run); 3 rounds`);
      results.clusterScaling = await benchThroughputScaling(seconds);
      console.log(JSON.stringify(results.clusterScaling, null, 2));
    }
    if (only.includes('cluster') || only.includes('cluster-deploy')) {
      console.log('== Deploy coherence: deploy through instance A, time until A and until B serve the new version');
      results.clusterDeploy = await benchDeployCoherence();
      console.log(JSON.stringify(results.clusterDeploy, null, 2));
    }
  }
  const out = path.resolve(__dirname, '../../bench/results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'latest.json'), JSON.stringify(results, null, 2));
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
