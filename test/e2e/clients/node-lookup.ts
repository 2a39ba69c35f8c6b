// Name resolution for the virtual-host test domain inside Node clients, without /etc/hosts: a `lookup`
// for http(s).Agent (Node's own mechanism for a custom resolver) that answers 127.0.0.1 for the
// domain and every name under it and leaves all other names to the system resolver.
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';

/** BG_TEST_RESOLVE=<domain>=<ip>: how a test tells a child process (Node or Python) what to resolve. */
export const RESOLVE_ENV = 'BG_TEST_RESOLVE';
/** BG_TEST_RESOLVE_LOG=<file>: where a child appends each name it answered that way. */
export const RESOLVE_LOG_ENV = 'BG_TEST_RESOLVE_LOG';

export function resolveSpec(domain: string, ip = '127.0.0.1'): string {
  return `${domain}=${ip}`;
}

export function parseResolveSpec(spec: string): { domain: string; ip: string } {
  const eq = spec.lastIndexOf('=');
  if (eq <= 0) throw new Error(`${RESOLVE_ENV} must be DOMAIN=IP, got ${JSON.stringify(spec)}`);
  return { domain: spec.slice(0, eq).toLowerCase(), ip: spec.slice(eq + 1) };
}

/** True for `domain` itself and every name under it. */
export function underDomain(host: string, domain: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === domain || h.endsWith(`.${domain}`);
}

type Lookup = typeof dns.lookup;

/** Wraps `base` (dns.lookup by default): names under `domain` are looked up as `ip`, so every option
 * (`all`, `family`) keeps its meaning. `seen` is told each name answered that way. */
export function lookupFor(domain: string, ip = '127.0.0.1', base: Lookup = dns.lookup, seen?: (name: string) => void): LookupFunction {
  return ((hostname: string, options: unknown, callback: unknown) => {
    const ours = underDomain(hostname, domain);
    if (ours) seen?.(hostname.toLowerCase());
    (base as (...a: unknown[]) => void)(ours ? ip : hostname, options, callback);
  }) as LookupFunction;
}
