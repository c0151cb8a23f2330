import { launchCluster } from './cluster/launch';

/**
 * `npm run cluster`: the scaled form on this machine, as docker-compose.yml runs it in
 * containers. Reads CLUSTER_APIS (2), CLUSTER_WORKERS (2) and PORT (4000) besides the usual
 * settings, of which DATABASE_URL (MariaDB/MySQL) and REDIS_URL are required. Ctrl-C stops it all.
 */
async function main() {
  const env = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const count = (name: string, fallback: number) => {
    const value = Number(process.env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 1 || value > 32) throw new Error(`${name} must be a whole number from 1 to 32, got ${process.env[name]}`);
    return value;
  };
  const cluster = await launchCluster({ apis: count('CLUSTER_APIS', 2), workers: count('CLUSTER_WORKERS', 2), port: Number(process.env.PORT ?? 4000), env: { ...env, PORT: '0' } });
  console.log(JSON.stringify({
    msg: `aimass cluster on ${cluster.url}`,
    apis: cluster.apis.map((api) => ({ url: api.url, pid: api.child.pid })),
    workers: cluster.workers.map((worker) => ({ id: worker.workerId, pid: worker.child.pid })),
  }));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  // Every process's log lines on this one's output; a process that dies takes no one with it, but is reported.
  for (const { child } of [...cluster.apis, ...cluster.workers]) {
    child.stdout!.pipe(process.stdout);
    child.stderr!.pipe(process.stderr);
    child.once('exit', (code, signal) => { if (!stopping) console.error(JSON.stringify({ msg: 'a cluster process stopped', pid: child.pid, code, signal })); });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
