// The launcher's log: `[prefix] line` to stderr and, with `start --log-file FILE`, appended to that
// file. An output that breaks (its reader closed the pipe: EPIPE) is dropped, never fatal: the gateway
// outlives whoever was reading its output, and the log goes on to the outputs that are left.
import { openSync, writeSync } from 'node:fs';

interface Output {
  name: string;
  write(text: string): void;
}

const outputs = new Set<Output>();

function drop(output: Output, err: Error): void {
  if (!outputs.delete(output)) return;
  log('gateway', `${output.name} is gone (${(err as NodeJS.ErrnoException).code ?? err.message}); logging goes on to ${[...outputs].map((o) => o.name).join(', ') || 'nowhere'}`);
}

export function log(prefix: string, line: string): void {
  const text = `[${prefix}] ${line}\n`;
  for (const o of outputs) {
    try {
      o.write(text);
    } catch (err) {
      drop(o, err as Error);
    }
  }
}

const stderr: Output = { name: 'stderr', write: (text) => void process.stderr.write(text) };
outputs.add(stderr);

/**
 * Called first by the command line: a closed stdout or stderr emits an 'error' event, which would end
 * the process if nothing listened. A closed stdout only cuts off what a command prints.
 */
export function surviveClosedOutput(): void {
  process.stdout.on('error', () => {});
  process.stderr.on('error', (err) => drop(stderr, err));
}

/** Also appends the log to `file` (mode 0600: the quickstart's first run prints its credentials). */
export function logToFile(file: string): void {
  const fd = openSync(file, 'a', 0o600);
  outputs.add({ name: file, write: (text) => void writeSync(fd, text) });
}
