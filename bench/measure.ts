// What a target costs, read from the kernel rather than from the processes themselves (so measuring
// changes nothing in them): CPU time from /proc/<pid>/stat, resident memory from /proc/<pid>/status.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// utime/stime are in clock ticks; almost always 100 on Linux, but ask rather than assume.
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback; // the process has exited: it contributes nothing from now on
  }
}

/** Fields of /proc/<pid>/stat after the `(comm)` field, which may itself contain spaces. */
function statFields(pid: number): string[] | undefined {
  const stat = readOr(`/proc/${pid}/stat`, '');
  const close = stat.lastIndexOf(')');
  return close < 0 ? undefined : stat.slice(close + 2).split(' ');
}

/** The direct children of `pid` (scanning /proc: /proc/<pid>/task/<tid>/children misses other threads' forks). */
export function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    // After `(comm)`: state, ppid, …
    if (statFields(Number(name))?.[1] === String(pid)) kids.push(Number(name));
  }
  return kids;
}

/** True while `pid` exists and has not exited (an exited child stays a zombie until its parent reaps it). */
export function running(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

export interface GatewayProcesses {
  /** The `bucketgate start` launcher and its forked services worker(s). */
  node: number[];
  envoy: number[];
}

/** Splits the launcher's children into Node (services worker) and Envoy by their command line. */
export function gatewayProcesses(launcherPid: number): GatewayProcesses {
  const node = [launcherPid];
  const envoy: number[] = [];
  for (const pid of childrenOf(launcherPid)) {
    const cmdline = readOr(`/proc/${pid}/cmdline`, '').split('\0');
    if (cmdline.includes('services-worker')) node.push(pid);
    else if (readOr(`/proc/${pid}/comm`, '').trim() === 'envoy') envoy.push(pid);
  }
  return { node, envoy };
}

/** User + system CPU seconds consumed so far by `pids` together. */
export function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const f = statFields(pid);
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after `(comm)`.
    if (f) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** VmRSS of `pids` together, in MiB. */
export function rssMiB(pids: number[]): number {
  let kib = 0;
  for (const pid of pids) {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readOr(`/proc/${pid}/status`, ''));
    if (m) kib += Number(m[1]);
  }
  return kib / 1024;
}

export interface RssPeak {
  baselineMiB: number;
  peakMiB: number;
}

/** Samples the summed RSS of `pids` every `everyMs` until stopped; the first sample is the baseline. */
export function sampleRss(pids: number[], everyMs = 50): { stop(): RssPeak } {
  const baselineMiB = rssMiB(pids);
  let peakMiB = baselineMiB;
  const timer = setInterval(() => { peakMiB = Math.max(peakMiB, rssMiB(pids)); }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      peakMiB = Math.max(peakMiB, rssMiB(pids));
      return { baselineMiB, peakMiB };
    },
  };
}
