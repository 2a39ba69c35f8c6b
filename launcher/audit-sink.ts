// The audit log's writers, in each services worker: stdout (the launcher's own, which workers share),
// or a file opened O_APPEND, so that several workers' whole-line writes interleave by line, never
// inside one. The file is reopened on SIGHUP, after logrotate has moved it away.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { AuditSink } from '../access/audit.ts';
import type { AuditConfig } from '../core/config/types.ts';

export interface ReopenableSink extends AuditSink {
  reopen(): void;
}

export function openAuditSink(config: AuditConfig): ReopenableSink {
  if (config.sink === 'file') return fileSink(config.path);
  // A reader that closed the pipe costs the lines, not the worker.
  process.stdout.on('error', () => {});
  // One write per line: stdout is a pipe or a file, written synchronously on Linux.
  return { write: (line) => void process.stdout.write(line), reopen() {} };
}

function fileSink(path: string): ReopenableSink {
  const open = () => openSync(path, 'a', 0o600);
  let fd = open();
  return {
    // Synchronous: one write(2) per line, in order. A line that cannot be written fails the check (fail closed).
    write: (line) => void writeSync(fd, line),
    reopen() {
      let next: number;
      try {
        next = open();
      } catch (e) {
        // Keep writing where we were rather than lose the log (or the worker).
        process.stderr.write(`audit: cannot reopen ${path}: ${(e as Error).message}; still writing to the old file\n`);
        return;
      }
      const old = fd;
      fd = next;
      closeSync(old);
    },
  };
}
