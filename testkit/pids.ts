// The process tree under a pid, read from /proc (Linux): what a launcher has started, and whether each
// is still running. A zombie counts as gone: it holds no sockets or files, and where PID 1 does not reap
// orphans (as in this kind of container) it stays in the process table for good.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** The one-letter state of /proc/PID/stat: R, S, D, Z, ... */
  state: string;
  cmdline: string;
}

function info(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may itself contain spaces and parentheses.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, ppid: Number(ppid), state: state!, cmdline };
  } catch {
    return undefined; // exited meanwhile
  }
}

/** True while `pid` exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  const p = info(pid);
  return p !== undefined && p.state !== 'Z' && p.state !== 'X';
}

/** Every running process below `root` (children, grandchildren, ...). */
export function descendants(root: number): ProcInfo[] {
  const all = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).flatMap((n) => info(Number(n)) ?? []);
  const found: ProcInfo[] = [];
  const parents = [root];
  while (parents.length > 0) {
    const parent = parents.shift()!;
    for (const p of all.filter((x) => x.ppid === parent && x.state !== 'Z')) {
      found.push(p);
      parents.push(p.pid);
    }
  }
  return found;
}
