import { spawn, type ChildProcess } from 'node:child_process';

/** A server in its own process, so the load generator does not share its event loop. */
export interface ChildServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns `script` and waits for a line containing `listening on <url>`. */
export function startChildServer(script: string, env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<ChildServer> {
  const child = spawn(process.execPath, [...nodeArgs, script], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (data: Buffer) => {
      output += data;
      const match = output.match(/listening on (http:\/\/[^\s"]+)/);
      if (match) {
        child.stdout!.off('data', onData);
        resolve({
          url: match[1],
          process: child,
          stop: () => new Promise((done) => { child.once('exit', () => done()); child.kill('SIGTERM'); }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (data) => { output += data; });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
  });
}
