// Keeps the services worker alive. While it restarts, Envoy fails closed: ext_authz unreachable
// means every request is denied with 503 ServiceUnavailable, never passed through.
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { GatewayConfig } from '../core/config/types.ts';
import { workerSocketFiles } from '../wire/names.ts';
import { log } from './log.ts';
import type { WorkerStart } from './worker.ts';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'bucketgate.js');

/** BUCKETGATE_CPU_PROF_DIR: each worker writes a V8 CPU profile there when it stops. */
function profilingArgs(): string[] {
  const dir = process.env.BUCKETGATE_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

export interface ServicesSupervisor {
  /** Resolves once the first worker serves. */
  ready: Promise<void>;
  /** Passes a signal on to the worker (SIGHUP: reopen the audit file). */
  signal(name: NodeJS.Signals): void;
  stop(): Promise<void>;
}

export function superviseServices(config: GatewayConfig, socket: string): ServicesSupervisor {
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let markReady: () => void;
  let markFailed: (e: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    markFailed = reject;
  });

  const spawnWorker = () => {
    // A killed worker leaves its sockets behind; the next one could not listen on them.
    for (const s of workerSocketFiles(socket)) rmSync(s, { force: true });
    // stdout is the launcher's own: the audit log's stdout sink writes whole lines there, unprefixed.
    const c = fork(BIN, ['services-worker'], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], execArgv: [...process.execArgv, ...profilingArgs()] });
    child = c;
    readline.createInterface({ input: c.stderr! }).on('line', (l) => log('services', l));
    c.on('message', (m: { ready?: boolean }) => {
      if (!m.ready) return;
      log('services', `worker ${c.pid} serving on ${socket}`);
      restarts = 0;
      markReady();
    });
    c.on('exit', (code, signal) => {
      if (stopping) return;
      const delay = Math.min(5000, 100 * 2 ** restarts++);
      log('services', `worker ${c.pid} exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
      if (restarts > 8) markFailed(new Error('the services worker keeps failing'));
      setTimeout(spawnWorker, delay);
    });
    c.send({ config, socket } satisfies WorkerStart);
  };
  spawnWorker();

  return {
    ready,
    signal(name) {
      if (child && child.exitCode === null && child.signalCode === null) child.kill(name);
    },
    async stop() {
      stopping = true;
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
    },
  };
}
