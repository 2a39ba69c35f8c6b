// Child processes for end-to-end tests: captured, prefixed logs (last LOG_LINES kept for failure
// reports; printed live with E2E_VERBOSE=1), readiness polling, and a stop that always ends the child.
// Anything still running when this Node process exits is SIGKILLed, and registered temp dirs removed.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { rmSync } from 'node:fs';
import { afterEach, after } from 'node:test';

const LOG_LINES = 200;
const VERBOSE = process.env.E2E_VERBOSE === '1';

// ---- last-resort cleanup -------------------------------------------------------------------------
const exitCleanups = new Set<() => void>();
let exitHooksInstalled = false;

function runExitCleanups(): void {
  for (const fn of [...exitCleanups]) {
    try { fn(); } catch { /* best effort at exit */ }
  }
  exitCleanups.clear();
}

/** Runs `fn` synchronously when this process exits (or gets SIGINT/SIGTERM). Returns an unregister function. */
export function registerExitCleanup(fn: () => void): () => void {
  if (!exitHooksInstalled) {
    exitHooksInstalled = true;
    process.on('exit', runExitCleanups);
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => { runExitCleanups(); process.kill(process.pid, sig); });
    }
  }
  exitCleanups.add(fn);
  return () => { exitCleanups.delete(fn); };
}

/** Removes `dir` recursively now; also registered for exit in case the caller never gets there. */
export function trackTempDir(dir: string): { remove(): void } {
  const rm = (): void => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  const unregister = registerExitCleanup(rm);
  return { remove(): void { unregister(); rm(); } };
}

/** The environment minus ambient AWS credentials/profile (so a backend cannot pick them up). */
export function envWithoutAws(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return { ...env, ...extra };
}

// ---- managed child ------------------------------------------------------------------------------
export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Closes the child's stdout and stderr once this many lines came out, as `2>&1 | head -n N` would. */
  closeOutputAfterLines?: number;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** The last LOG_LINES lines of stdout+stderr. */
  logs(): string[];
  /** Exit code/signal once exited, else null. */
  exitStatus(): string | null;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export function startProcess(opts: StartOptions): ManagedProcess {
  const child: ChildProcess = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let seen = 0;
  const push = (line: string): void => {
    lines.push(line);
    if (lines.length > LOG_LINES) lines.shift();
    if (VERBOSE) process.stderr.write(`[${opts.name}] ${line}\n`);
    if (++seen === opts.closeOutputAfterLines) for (const s of [child.stdout, child.stderr]) s?.destroy();
  };
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const p of parts) push(p);
    });
    stream?.on('end', () => { if (partial) push(partial); partial = ''; });
  }

  let status: string | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => { status = signal ? `signal ${signal}` : `exit code ${code}`; resolve(); });
    child.once('error', (err) => { status = `spawn error: ${err.message}`; push(status); resolve(); });
  });
  const unregister = registerExitCleanup(() => { if (status === null) child.kill('SIGKILL'); });
  void exited.then(unregister);

  let stopping: Promise<void> | null = null;
  return {
    name: opts.name,
    pid: child.pid ?? -1,
    logs: () => [...lines],
    exitStatus: () => status,
    stop(graceMs = 5000): Promise<void> {
      stopping ??= (async () => {
        if (status !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => { if (status === null) child.kill('SIGKILL'); }, graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/** A readable report of a process's recent output, for error messages and failure dumps. */
export function formatLogs(proc: Pick<ManagedProcess, 'name' | 'logs'>): string {
  const body = proc.logs().map((l) => `  [${proc.name}] ${l}`).join('\n');
  return `---- last ${LOG_LINES} log lines of ${proc.name} ----\n${body}\n---- end of ${proc.name} ----`;
}

// ---- readiness ----------------------------------------------------------------------------------
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every 100 ms until it returns true; fails early if `proc` exits, with its logs. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  opts: { timeoutMs?: number; proc?: ManagedProcess } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const fail = (why: string): Error =>
    new Error(`${what}: ${why}${opts.proc ? `\n${formatLogs(opts.proc)}` : ''}`);
  for (;;) {
    const st = opts.proc?.exitStatus();
    if (st) throw fail(`process ended before it was ready (${st})`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw fail(`not ready after ${opts.timeoutMs ?? 30_000} ms`);
    await sleep(100);
  }
}

/** True once something accepts a TCP connection on host:port. */
export function tcpProbe(host: string, port: number): () => Promise<boolean> {
  return () => new Promise((resolve) => {
    const sock = net.connect({ host, port });
    sock.setTimeout(1000);
    // A loopback connect whose source port is the port itself reaches itself (TCP simultaneous open).
    sock.once('connect', () => { const self = sock.localPort === port; sock.destroy(); resolve(!self); });
    sock.once('timeout', () => { sock.destroy(); resolve(false); });
    sock.once('error', () => resolve(false));
  });
}

/** True once a GET of `url` gets any HTTP response for which `accept(status)` holds (default: any). */
export function httpProbe(url: string, accept: (status: number) => boolean = () => true): () => Promise<boolean> {
  return async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return accept(res.status);
  };
}

// ---- failure dumps ------------------------------------------------------------------------------
/**
 * Registers node:test hooks in the current suite: if any test in it fails, the logs of the processes
 * returned by `sources()` are printed once the suite is done.
 */
export function dumpLogsOnFailure(sources: () => Array<Pick<ManagedProcess, 'name' | 'logs'>>): void {
  let failed = false;
  afterEach((t) => { if ((t as { passed?: boolean }).passed === false) failed = true; });
  after(() => { if (failed) for (const p of sources()) console.error(formatLogs(p)); });
}
