// Checks the schema cannot express: cross-references between sections, uniqueness across lists,
// and facts about the machine (TLS files). Runs only on a document that already passed the schema.
import { accessSync, constants, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { BackendConfig, ConfigProblem } from './types.ts';
import type { RawConfig } from './schema.ts';
import { joinPointer } from './locate.ts';

export type Endpoint = BackendConfig['endpoint'];

/** Parses a backend endpoint; returns the problem text when it is not a bare http(s) origin. */
export function parseEndpoint(text: string): Endpoint | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http(s) URL';
  if (url.username || url.password) return 'must not contain credentials; use the credentials section';
  if (url.pathname !== '/' || url.search || url.hash) return 'must not have a path, query or fragment';
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port ? Number(url.port) : scheme === 'https' ? 443 : 80;
  // WHATWG URL keeps IPv6 brackets in hostname; Envoy socket addresses want the bare address.
  return { scheme, host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

export function checkSemantics(config: RawConfig, baseDir: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string): void => {
    problems.push({ path, message });
  };

  const address = config.listen?.address;
  if (address !== undefined && isIP(address) === 0) {
    add('/listen/address', 'must be an IP address (Envoy listens on addresses, not host names)');
  }
  const tls = config.listen?.tls;
  if (tls) {
    for (const key of ['cert_file', 'key_file'] as const) {
      const problem = unreadableFile(resolve(baseDir, tls[key]));
      if (problem) add(`/listen/tls/${key}`, `cannot read file ${tls[key]} (${problem})`);
    }
  }

  const backendNames = new Set<string>();
  config.backends.forEach((b, i) => {
    if (backendNames.has(b.name)) add(`/backends/${i}/name`, `duplicate backend name ${b.name}`);
    backendNames.add(b.name);
    if (b.type === 'filesystem') return;
    const endpoint = parseEndpoint(b.endpoint);
    if (typeof endpoint === 'string') add(`/backends/${i}/endpoint`, endpoint);
  });

  const buckets = Object.entries(config.buckets ?? {});
  const realBuckets = new Map<string, string>();
  for (const [name, bucket] of buckets) {
    const path = joinPointer('/buckets', name);
    if (!backendNames.has(bucket.backend)) add(`${path}/backend`, `unknown backend ${bucket.backend}`);
    // Two client names for one real bucket: legal (e.g. during a rename) but grants on either reach both.
    const real = `${bucket.backend}/${bucket.alias ?? name}`;
    const other = realBuckets.get(real);
    if (other !== undefined) {
      problems.push({
        path: bucket.alias === undefined ? path : `${path}/alias`,
        message: `bucket ${name} reaches the same real bucket on backend ${bucket.backend} as bucket ${other}`,
        severity: 'warning',
      });
    } else {
      realBuckets.set(real, name);
    }
  }

  const defaultBackend = config.default_backend;
  if (defaultBackend !== undefined && !backendNames.has(defaultBackend)) {
    add('/default_backend', `unknown backend ${defaultBackend}`);
  }
  if (buckets.length === 0 && defaultBackend === undefined) {
    add('/buckets', 'no buckets are configured and default_backend is not set: every request would fail');
  }

  const users = config.users ?? [];
  if (users.length === 0 && config.open_access !== true) {
    add('/users', 'the gateway refuses to start with no users unless open_access: true is set');
  }
  const userNames = new Set<string>();
  const keyOwners = new Map<string, string>();
  users.forEach((user, u) => {
    const userPath = `/users/${u}`;
    if (userNames.has(user.name)) add(`${userPath}/name`, `duplicate user name ${user.name}`);
    userNames.add(user.name);
    user.access_keys.forEach((key, k) => {
      const keyPath = `${userPath}/access_keys/${k}/access_key_id`;
      const first = keyOwners.get(key.access_key_id);
      // Key ids are public, but naming where the first one is suffices and keeps messages value-free.
      if (first !== undefined) add(keyPath, `duplicate access_key_id: already used at ${first}`);
      else keyOwners.set(key.access_key_id, keyPath);
    });
    // With a default backend an unlisted bucket may exist there, so the grant can be meaningful.
    if (user.buckets !== '*' && defaultBackend === undefined) {
      const configured = new Set(buckets.map(([name]) => name));
      user.buckets.forEach((name, b) => {
        if (!configured.has(name)) {
          add(`${userPath}/buckets/${b}`, `bucket ${name} is not configured under buckets and no default_backend is set`);
        }
      });
    }
  });
  return problems;
}

/** Why a file the gateway will hand to Envoy cannot be read, or undefined when it can. */
function unreadableFile(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return 'not a regular file';
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'unreadable';
  }
}
