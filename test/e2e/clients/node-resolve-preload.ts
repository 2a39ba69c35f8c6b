// Loaded with `node --import` into a Node client process that builds its own HTTP agents (the AWS SDK's
// request handler, undici's fetch): with BG_TEST_RESOLVE=<domain>=<ip> set, dns.lookup — which
// Node's net and tls fall back to when an agent has no `lookup` — answers <ip> for names under <domain>.
// With BG_TEST_RESOLVE_LOG=<file>, each name so answered is appended to <file>.
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import { lookupFor, parseResolveSpec, RESOLVE_ENV, RESOLVE_LOG_ENV } from './node-lookup.ts';

const spec = process.env[RESOLVE_ENV];
if (spec) {
  const { domain, ip } = parseResolveSpec(spec);
  const log = process.env[RESOLVE_LOG_ENV];
  dns.lookup = lookupFor(domain, ip, dns.lookup.bind(dns), log ? (name) => appendFileSync(log, `${name}\n`) : undefined) as typeof dns.lookup;
}
