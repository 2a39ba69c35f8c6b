// Refuses to start on an address that something already listens on, naming the holder when this user
// can see it (Linux /proc). Without this, Envoy with SO_REUSEPORT would share the port with, say, an
// orphaned Envoy, and the kernel would spread connections between a working gateway and a dead one.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';

const LISTEN = '0A';

/** The socket inodes listening on `port` in a /proc/net/tcp or tcp6 table. */
export function listeningInodes(table: string, port: number): string[] {
  return table
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length > 9 && f[3] === LISTEN && parseInt(f[1]!.split(':')[1]!, 16) === port)
    .map((f) => f[9]!);
}

/** fn(), or `fallback` when it throws: /proc entries vanish, or are not ours to read. */
function tryOr<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** `pid N (name)` of the process holding a listening socket on `port`, if this user may see it. */
function holderOf(port: number): string | undefined {
  const tables = ['tcp', 'tcp6'].map((t) => tryOr(() => readFileSync(`/proc/net/${t}`, 'utf8'), ''));
  const inodes = new Set(tables.flatMap((t) => listeningInodes(t, port)).map((i) => `socket:[${i}]`));
  if (inodes.size === 0) return undefined;
  const pids = tryOr(() => readdirSync('/proc'), []).filter((n) => /^\d+$/.test(n));
  const holds = (pid: string) =>
    tryOr(() => readdirSync(`/proc/${pid}/fd`), []).some((fd) => inodes.has(tryOr(() => readlinkSync(`/proc/${pid}/fd/${fd}`), '')));
  const holder = pids.find(holds);
  return holder && `pid ${holder} (${tryOr(() => readFileSync(`/proc/${holder}/comm`, 'utf8').trim(), '?')})`;
}

function canListen(address: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', resolve);
    s.listen({ host: address, port }, () => s.close(() => resolve(undefined)));
  });
}

/** Throws `address A:P is in use by ...` if something listens there; other bind errors are Envoy's to report. */
export async function assertAddressFree(address: string, port: number): Promise<void> {
  const err = await canListen(address, port);
  if (err?.code !== 'EADDRINUSE') return;
  const shown = net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
  throw new Error(`address ${shown} is in use by ${holderOf(port) ?? 'another process (not visible to this user)'}; stop it or choose another port`);
}
