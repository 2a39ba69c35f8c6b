// Where the services listen when someone else's Envoy reaches them (`bucketgate services --listen`,
// `envoy-config --fragment --services`): a Unix socket or a TCP address, one spelling for both commands.

export type ServicesAddress = { socket: string } | { host: string; port: number };

/** `unix:/run/bg.sock` or an absolute path; `host:port` or `[v6]:port`. Throws with the accepted forms. */
export function parseServicesAddress(text: string): ServicesAddress {
  if (text.startsWith('unix:') && text.length > 5) return { socket: text.slice(5) };
  if (text.startsWith('/')) return { socket: text };
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65_535) throw new Error(`${JSON.stringify(text)} is not an address: give unix:/path/to.sock, /path/to.sock, host:port or [v6]:port`);
  return { host: m[1] ?? m[2]!, port };
}

export function formatServicesAddress(a: ServicesAddress): string {
  return 'socket' in a ? `unix:${a.socket}` : a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
