// A TCP relay in front of a backend, for suites that make the path between Envoy and the backend fail:
// its connections can be cut, it can refuse all for a while, and a rule can drop chosen new connections.
import net from 'node:net';

export interface Relay {
  port: number;
  /** How many connections it has accepted, and how many of them it dropped. */
  counts(): { accepted: number; dropped: number };
  /** Closes every open connection. */
  cut(): void;
  /** Refuses every connection for `ms` (after cutting the open ones). */
  down(ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface RelayOptions {
  /**
   * Which new connections to drop (the nth accepted, from 1), and when: `accept` closes it unread,
   * `request` after the first bytes of a request arrived, which then never reach the backend.
   */
  drop?: { nth: (n: number) => boolean; at: 'accept' | 'request' };
}

export async function startRelay(target: number, o: RelayOptions = {}): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  let refusing = false;
  let accepted = 0;
  let dropped = 0;
  const server = net.createServer((client) => {
    accepted++;
    if (refusing) return void client.destroy();
    if (o.drop?.nth(accepted)) {
      dropped++;
      if (o.drop.at === 'accept') return void client.resetAndDestroy();
      client.once('data', () => client.resetAndDestroy());
      client.on('error', () => {});
      return;
    }
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const cut = () => { for (const s of sockets) s.destroy(); };
  return {
    port: (server.address() as net.AddressInfo).port,
    counts: () => ({ accepted, dropped }),
    cut,
    async down(ms) { refusing = true; cut(); await new Promise((r) => setTimeout(r, ms)); refusing = false; },
    close: () => new Promise((r) => { cut(); server.close(() => r()); }),
  };
}
