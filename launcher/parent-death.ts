// Children must not outlive the launcher, however it ends (SIGKILL and crashes included): an orphaned
// Envoy keeps the port and answers 503 to everything. Each is started under util-linux
// `setpriv --pdeathsig KILL`, which asks the kernel to kill it when the launcher's main thread (the
// one that spawns) dies, and then execs the program itself (same pid, no extra process). The services
// workers need none of this: they exit when their IPC channel closes (worker.ts).
import { log } from './log.ts';
import { onPath } from './tools.ts';

let setpriv: string | null | undefined;

function locateSetpriv(): string | null {
  if (setpriv === undefined) {
    setpriv = onPath('setpriv') ?? null;
    if (!setpriv) log('gateway', 'setpriv (util-linux) was not found: if this launcher is killed with SIGKILL, Envoy and managed backends outlive it');
  }
  return setpriv;
}

/** The command line that runs `cmd args` so that it dies with the launcher. */
export function dyingWithLauncher(cmd: string, args: string[]): { cmd: string; args: string[] } {
  const wrapper = locateSetpriv();
  return wrapper ? { cmd: wrapper, args: ['--pdeathsig', 'KILL', '--', cmd, ...args] } : { cmd, args };
}
