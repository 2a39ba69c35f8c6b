// Name resolution for Go clients without a resolver option (rclone): they honour HTTPS_PROXY, and for an
// https URL they ask the proxy to `CONNECT host:port`. This proxy answers such a request for a name under
// the test domain by opening a TCP tunnel to 127.0.0.1:port and nothing else, so the client's TLS session
// (SNI, certificate check against the virtual-host name) and every byte of HTTP inside it reach the
// gateway untouched. Plain-HTTP proxying (which would rewrite the request line) is refused on purpose.
import http from 'node:http';
import net from 'node:net';
import { underDomain } from './node-lookup.ts';

export interface ConnectProxy {
  url: string;
  /** host:port of every tunnel opened, in order. */
  tunnels(): string[];
  stop(): Promise<void>;
}

export async function startConnectProxy(domain: string): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    res.writeHead(501, { 'content-type': 'text/plain' });
    res.end(`this test proxy only tunnels CONNECT to names under ${domain}; got ${req.method} ${req.url}\n`);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const m = /^([^:]+):(\d+)$/.exec(req.url ?? '');
    if (!m || !underDomain(m[1]!, domain)) {
      client.end(`HTTP/1.1 403 Forbidden\r\nconnection: close\r\n\r\n`);
      return;
    }
    tunnels.push(req.url!);
    const upstream = net.connect({ host: '127.0.0.1', port: Number(m[2]) }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.once('error', () => { client.destroy(); upstream.destroy(); });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    tunnels: () => [...tunnels],
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
