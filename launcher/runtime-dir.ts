// The launcher's runtime directory (Envoy's bootstrap, the services' sockets) is
// <tmpdir>/bucketgate-<pid>-XXXXXX: the pid in its name lets a later start remove the directories of
// launchers that died without cleaning up (SIGKILL, a crash), and leave those of live ones alone.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'bucketgate-';

/** The names among `names` that belong to a launcher `alive` says is gone. */
export function staleRunDirs(names: string[], alive: (pid: number) => boolean): string[] {
  return names.filter((name) => {
    const pid = /^bucketgate-(\d+)-[A-Za-z0-9]{6}$/.exec(name)?.[1];
    return pid !== undefined && !alive(Number(pid));
  });
}

/** Whether a process with this pid exists (as anyone's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, as another user's process.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes what dead launchers left behind, then makes this launcher's directory. */
export function createRunDir(tmp = os.tmpdir()): string {
  for (const name of staleRunDirs(readdirSync(tmp), processAlive)) {
    try {
      rmSync(path.join(tmp, name), { recursive: true, force: true });
    } catch {
      // Another user's: theirs to clean.
    }
  }
  return mkdtempSync(path.join(tmp, `${PREFIX}${process.pid}-`));
}
