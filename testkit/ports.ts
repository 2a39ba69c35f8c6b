// Free loopback TCP ports for test servers. Two rules keep a port handed out from being taken before its
// server binds it (a CI run once lost a gateway that way):
//   - ports come from below the kernel's ephemeral range, so no outgoing connection (nor a probe that
//     connects to itself) and no bind(0) of another program can be given one meanwhile;
//   - each port is claimed with an exclusive file in a shared directory, so two test processes running
//     side by side never receive the same one. A claim dies with its process.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { processAlive } from '../launcher/runtime-dir.ts';

const HOST = '127.0.0.1';
const CLAIMS = path.join(os.tmpdir(), 'bucketgate-test-ports');
const claimed = new Set<number>();

/**
 * [LO, HI): from 20000 to the start of the ephemeral range (Linux's default, 32768, where it cannot be
 * read). Where the range starts lower, up to 32768 anyway, so that SeaweedFS's pair P, P + 10000 fits.
 */
const [LO, HI] = ((): [number, number] => {
  let ephemeralLow = 32768;
  try {
    ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || ephemeralLow;
  } catch { /* not Linux: keep the default */ }
  return [20000, Math.max(ephemeralLow, 32768)];
})();

/** Takes the claim file of `port` for this process; a claim left by a process that has ended is taken over. */
function claim(port: number): boolean {
  mkdirSync(CLAIMS, { recursive: true });
  const file = path.join(CLAIMS, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      claimed.add(port);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = NaN;
      try { owner = Number(readFileSync(file, 'utf8')); } catch { /* being written or removed */ }
      if (!Number.isInteger(owner) || owner === 0 || processAlive(owner)) return false;
      try { unlinkSync(file); } catch { /* another process took it over first */ }
    }
  }
  return false;
}

process.on('exit', () => {
  for (const port of claimed) {
    try { unlinkSync(path.join(CLAIMS, String(port))); } catch { /* already gone */ }
  }
});

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ host: HOST, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A port P, with P + offset too when offset > 0, both claimed by this process and bindable now. */
async function pick(offset: number): Promise<number> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const p = LO + Math.floor(Math.random() * (HI - offset - LO));
    const ports = offset > 0 ? [p, p + offset] : [p];
    if (ports.some((q) => claimed.has(q))) continue;
    const got = ports.filter(claim);
    if (got.length === ports.length && (await Promise.all(ports.map(bindable))).every(Boolean)) return p;
    // Keep what was claimed (it may be bound by someone else); it is only never handed out.
  }
  throw new Error(`could not find a free port${offset ? ` pair (offset ${offset})` : ''} on ${HOST} in [${LO}, ${HI})`);
}

/** `n` distinct free ports, never handed out before to any test process still running. */
export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) ports.push(await pick(0));
  return ports;
}

/** One free port. */
export async function freePort(): Promise<number> {
  return pick(0);
}

/** A free port P such that P + offset is free too (for servers that derive a second port from the first, as SeaweedFS does with gRPC = HTTP + 10000). */
export async function freePortPair(offset: number): Promise<[number, number]> {
  const p = await pick(offset);
  return [p, p + offset];
}
