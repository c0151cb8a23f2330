import { execFileSync } from 'node:child_process';

/** The pids of `pid`'s child processes whose command line contains `match` (all of them by default). */
export function childPids(pid: number, match = ''): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are none
  }
  return out.split('\n').map((line) => line.trim()).filter((line) => line && line.includes(match)).map((line) => Number(line.split(/\s+/)[0]));
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
