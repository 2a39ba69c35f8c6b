// Child processes of the gateway (Envoy, a managed backend): logs streamed with a prefix, and an
// unexpected exit reported so the gateway can stop instead of running half-working, and an end
// tied to the launcher's (parent-death.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { log } from './log.ts';
import { dyingWithLauncher } from './parent-death.ts';

export interface ManagedChild {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code once the child has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** `rawStdout`: the child's stdout is data (Envoy's access log), passed on as is; its stderr is still logged. */
export function startChild(name: string, cmd: string, args: string[], { env = process.env, rawStdout = false }: { env?: NodeJS.ProcessEnv; rawStdout?: boolean } = {}): ManagedChild {
  const run = dyingWithLauncher(cmd, args);
  const child = spawn(run.cmd, run.args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // Through our stdout, not inherited: a reader that goes away costs the lines, never the child (log.ts).
  if (rawStdout) child.stdout!.on('data', (chunk: Buffer) => void process.stdout.write(chunk));
  for (const stream of rawStdout ? [child.stderr] : [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream! }).on('line', (l) => log(name, l));
  }
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
    child.on('error', (err) => {
      log(name, `failed to start: ${err.message}`);
      resolve(127);
    });
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    })());
  return { name, process: child, exited, stop };
}
