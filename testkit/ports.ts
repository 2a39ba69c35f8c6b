// Free loopback TCP ports for test servers. A port is "free" if we can bind 127.0.0.1 to it right now;
// every port handed out is remembered for the life of this process so that two callers (two backends,
// two suites in one file) never receive the same one, even if the OS would hand it out again.
import net from 'node:net';

const HOST = '127.0.0.1';
const handedOut = new Set<number>();

function listen(port: number): Promise<net.Server | null> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(null));
    srv.listen({ host: HOST, port, exclusive: true }, () => resolve(srv));
  });
}

function close(srv: net.Server): Promise<void> {
  return new Promise((resolve) => srv.close(() => resolve()));
}

function portOf(srv: net.Server): number {
  const addr = srv.address();
  if (addr === null || typeof addr === 'string') throw new Error('unexpected server address');
  return addr.port;
}

/** `n` distinct ports that were all bindable at once and were never handed out before in this process. */
export async function freePorts(n: number): Promise<number[]> {
  const held: net.Server[] = [];
  const ports: number[] = [];
  try {
    for (let attempts = 0; ports.length < n; attempts++) {
      if (attempts > n + 100) throw new Error(`could not find ${n} free ports on ${HOST}`);
      const srv = await listen(0);
      if (srv === null) continue;
      held.push(srv); // keep it bound so the OS cannot give the same port twice
      const port = portOf(srv);
      if (!handedOut.has(port)) ports.push(port);
    }
  } finally {
    await Promise.all(held.map(close));
  }
  for (const p of ports) handedOut.add(p);
  return ports;
}

/** One free port. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/**
 * A free port P such that P + offset is free too (for servers that derive a second port from the first,
 * as SeaweedFS does with gRPC = HTTP + 10000). P is drawn from [20000, 65535 - offset).
 */
export async function freePortPair(offset: number): Promise<[number, number]> {
  const lo = 20000;
  const hi = 65535 - offset;
  for (let attempt = 0; attempt < 200; attempt++) {
    const p = lo + Math.floor(Math.random() * (hi - lo));
    if (handedOut.has(p) || handedOut.has(p + offset)) continue;
    const a = await listen(p);
    if (a === null) continue;
    const b = await listen(p + offset);
    await close(a);
    if (b === null) continue;
    await close(b);
    handedOut.add(p);
    handedOut.add(p + offset);
    return [p, p + offset];
  }
  throw new Error(`could not find a free port pair (offset ${offset}) on ${HOST}`);
}
