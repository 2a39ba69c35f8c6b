// A recording relay in front of a gateway, to find out what a client sends on the wire. Plain HTTP: a
// TCP pipe, the gateway gets the client's bytes unchanged. TLS: the relay terminates TLS with the same
// test certificate (so the client verifies it through the same CA) and opens its own verified TLS
// connection to the gateway with the client's SNI, then pipes the plaintext unchanged. Either way it
// parses a copy of the client→gateway bytes into RecordedRequests.
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { RequestParser, type RecordedRequest } from './request-parser.ts';

export interface RecorderOptions {
  /** The gateway's port on 127.0.0.1. */
  upstreamPort: number;
  /** The gateway listens TLS: terminate with this certificate, verify the gateway with `caFile`. */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

export interface Recorder {
  port: number;
  requests(): RecordedRequest[];
  /** Connections whose bytes could not be parsed as HTTP/1.1 (must stay empty). */
  errors(): string[];
  /** TLS handshakes the client gave up (a client that does not trust the test CA ends here). */
  refusedHandshakes(): number;
  stop(): Promise<void>;
}

export async function startRecorder(opts: RecorderOptions): Promise<Recorder> {
  const requests: RecordedRequest[] = [];
  const errors: string[] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => { sockets.add(s); s.once('close', () => sockets.delete(s)); };

  const relay = (client: net.Socket, upstream: net.Socket): void => {
    track(client);
    track(upstream);
    const parser = new RequestParser((r) => requests.push(r));
    let broken = false;
    client.on('data', (d: Buffer) => {
      if (broken) return;
      try { parser.push(d); } catch (e) { broken = true; errors.push(String(e)); }
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const end = (): void => { client.destroy(); upstream.destroy(); };
    client.once('error', end);
    upstream.once('error', end);
    client.once('close', end);
    upstream.once('close', end);
  };

  const ca = opts.tls ? readFileSync(opts.tls.caFile) : undefined;
  const server = opts.tls
    ? tls.createServer({ cert: readFileSync(opts.tls.certFile), key: readFileSync(opts.tls.keyFile) }, (client) => {
      const servername = client.servername || undefined;
      const upstream = tls.connect({ host: '127.0.0.1', port: opts.upstreamPort, ca, servername });
      relay(client, upstream);
    })
    : net.createServer((client) => relay(client, net.connect({ host: '127.0.0.1', port: opts.upstreamPort })));
  let refused = 0;
  server.on('tlsClientError', () => { refused++; });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    requests: () => [...requests],
    errors: () => [...errors],
    refusedHandshakes: () => refused,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
