// Runs one client command to completion: captured output, a timeout, and an error that shows the command
// line and everything it printed when it fails.
import { spawn } from 'node:child_process';

export interface CliResult {
  code: number | null;
  /** The signal that ended it, if one did (code is null then). */
  signal: NodeJS.Signals | null;
  /** stdout as UTF-8 text, and as the bytes it was (for binary output such as `cat`). */
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

export interface CliOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Written to the command's standard input (then closed). */
  input?: string;
}

const VERBOSE = process.env.E2E_VERBOSE === '1';

export function runCli(cmd: string, args: string[], opts: CliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { out.push(d); });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; if (VERBOSE) process.stderr.write(d); });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.once('error', (e) => { clearTimeout(timer); reject(new Error(`cannot run ${cmd}: ${e.message}`)); });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, signal, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** runCli, and fail unless it exits 0. */
export async function mustRun(cmd: string, args: string[], opts: CliOptions): Promise<CliResult> {
  const res = await runCli(cmd, args, opts);
  if (res.code !== 0) {
    throw new Error(`${[cmd, ...args].join(' ')}\n  exited with ${res.code ?? `signal ${res.signal}`}\n  stdout: ${clip(res.stdout)}\n  stderr: ${clip(res.stderr)}`);
  }
  return res;
}

/** runCli, and fail if it exits 0; returns what it printed (stderr first). */
export async function mustFail(cmd: string, args: string[], opts: CliOptions): Promise<string> {
  const res = await runCli(cmd, args, opts);
  if (res.code === 0) throw new Error(`${[cmd, ...args].join(' ')}\n  should have failed, but exited 0\n  stdout: ${clip(res.stdout)}`);
  return `${res.stderr.trim()}\n${res.stdout.trim()}`;
}

function clip(s: string, max = 4000): string {
  const t = s.trim();
  return t.length > max ? `${t.slice(0, max)}… (${t.length - max} more characters)` : t;
}
