// Builds the runtime model from a validated, reference-resolved document: camelCase, defaults applied,
// endpoints parsed, aliases turned into real names, TLS paths made absolute (Envoy runs elsewhere).
import { resolve } from 'node:path';
import type { BackendConfig, Credentials, GatewayConfig, ListenConfig } from './types.ts';
import { DEFAULTS, type RawConfig, type RawCredentials } from './schema.ts';
import { parseEndpoint } from './semantics.ts';

export function toModel(raw: RawConfig, baseDir: string): GatewayConfig {
  const listen = raw.listen ?? {};
  const tls = listen.tls;
  return {
    listen: {
      address: listen.address ?? DEFAULTS.listenAddress,
      port: listen.port ?? DEFAULTS.listenPort,
      ...(tls && { tls: { certFile: resolve(baseDir, tls.cert_file), keyFile: resolve(baseDir, tls.key_file) } }),
      ...(listen.domain !== undefined && { domain: listen.domain }),
      ...(listen.region !== undefined && { region: listen.region }),
    },
    backends: raw.backends.map((b) => {
      if (b.type === 'filesystem') return filesystemBackend(b.name, resolve(baseDir, b.path));
      const endpoint = parseEndpoint(b.endpoint);
      // Semantics reported any unparsable endpoint, and a model is only built when there were none.
      if (typeof endpoint === 'string') throw new Error(`backend ${b.name}: endpoint ${endpoint}`);
      return {
        name: b.name,
        type: b.type,
        endpoint,
        region: b.region ?? DEFAULTS.region,
        addressing: b.addressing ?? DEFAULTS.addressing,
        credentials: credentials(b.credentials),
      };
    }),
    buckets: Object.entries(raw.buckets ?? {}).map(([name, b]) => ({
      name,
      backend: b.backend,
      realName: b.alias ?? name,
    })),
    ...(raw.default_backend !== undefined && { defaultBackend: raw.default_backend }),
    users: (raw.users ?? []).map((u) => ({
      name: u.name,
      accessKeys: u.access_keys.map(credentials),
      buckets: u.buckets === '*' ? '*' : [...u.buckets],
    })),
    openAccess: raw.open_access ?? false,
    envoy: {
      adminPort: raw.envoy?.admin_port ?? DEFAULTS.adminPort,
      concurrency: raw.envoy?.concurrency ?? DEFAULTS.concurrency,
    },
    services: { workers: raw.services?.workers ?? DEFAULTS.workers },
  };
}

/** A filesystem backend before its managed server runs: loopback, no port, no credentials yet. */
export function filesystemBackend(name: string, path: string): BackendConfig {
  return {
    name,
    type: 'filesystem',
    filesystem: { path },
    endpoint: { scheme: 'http', host: '127.0.0.1', port: 0 },
    region: DEFAULTS.region,
    addressing: 'path',
    credentials: { accessKeyId: '', secretAccessKey: '' },
  };
}

function credentials(c: RawCredentials): Credentials {
  return { accessKeyId: c.access_key_id, secretAccessKey: c.secret_access_key };
}

/**
 * The region the gateway presents as every bucket's (x-amz-bucket-region, GetBucketLocation): its own
 * when set, else S3's default, which any client may sign for here. Never a backend's region.
 */
export function shownRegion(listen: ListenConfig): string {
  return listen.region ?? DEFAULTS.region;
}
