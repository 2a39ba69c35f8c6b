// `backends`: the object stores behind the gateway, S3-compatible servers or plain directories.
import { resolve } from 'node:path';
import type { Section } from './section.ts';
import { DEFAULT_REGION, credentialsSchema, toCredentials, type Credentials, type RawCredentials } from './shared.ts';

export interface RawBackends {
  backends: RawBackend[];
}

export type RawBackend = RawS3Backend | RawFilesystemBackend;

export interface RawS3Backend {
  name: string;
  type: 's3';
  endpoint: string;
  region?: string;
  addressing?: Addressing;
  credentials: RawCredentials;
}

/** Plain files under `path`, served by a managed versitygw the gateway starts on loopback. */
export interface RawFilesystemBackend {
  name: string;
  type: 'filesystem';
  path: string;
}

export type Addressing = 'path' | 'virtual';

export interface BackendConfig {
  name: string;
  /**
   * `filesystem`: plain files under `filesystem.path`, served by a managed versitygw; its endpoint
   * and credentials are filled in by the launcher when it starts that process (never configured).
   */
  type: 's3' | 'filesystem';
  filesystem?: { path: string };
  /** Parsed `endpoint`: scheme, host name (no port) and port (defaulted from the scheme). */
  endpoint: { scheme: 'http' | 'https'; host: string; port: number };
  region: string;
  addressing: Addressing;
  credentials: Credentials;
}

const DEFAULT_ADDRESSING: Addressing = 'path';

export const backends: Section<RawBackends, { backends: BackendConfig[] }> = {
  properties: {
    backends: { type: 'array', minItems: 1, items: { $ref: '#/$defs/backend' } },
  },
  required: ['backends'],
  defs: {
    backend: {
      type: 'object',
      required: ['name', 'type'],
      properties: { name: { $ref: '#/$defs/name' }, type: { enum: ['s3', 'filesystem'] } },
      // Each type has its own closed set of keys; `type` picks which one applies.
      if: { properties: { type: { const: 'filesystem' } } },
      then: { $ref: '#/$defs/filesystemBackend' },
      else: { $ref: '#/$defs/s3Backend' },
    },
    filesystemBackend: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'type', 'path'],
      properties: {
        name: true,
        type: true,
        path: { type: 'string', minLength: 1, description: 'a directory path (relative to the config file)' },
      },
    },
    s3Backend: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'type', 'endpoint', 'credentials'],
      properties: {
        name: true,
        type: true,
        endpoint: {
          type: 'string',
          pattern: '^https?://[^/?#@\\s]+/?$',
          description: 'an http(s) URL with no path, query or credentials, such as http://127.0.0.1:9100',
        },
        region: { type: 'string', pattern: '^\\S+$', default: DEFAULT_REGION, description: 'a non-empty region name' },
        addressing: { enum: ['path', 'virtual'], default: DEFAULT_ADDRESSING },
        // Backend keys come from other stores, so allow anything a SigV4 Credential= field can carry.
        credentials: credentialsSchema({
          type: 'string',
          maxLength: 256,
          pattern: '^[^\\s/,=]+$',
          description: "an access key id (no whitespace, '/', ',' or '=')",
        }),
      },
    },
  },

  toModel(raw, { baseDir }) {
    return {
      backends: raw.backends.map((b) => {
        if (b.type === 'filesystem') return filesystemBackend(b.name, resolve(baseDir, b.path));
        const endpoint = parseEndpoint(b.endpoint);
        // check() reported any unparsable endpoint, and a model is only built when there were none.
        if (typeof endpoint === 'string') throw new Error(`backend ${b.name}: endpoint ${endpoint}`);
        return {
          name: b.name,
          type: b.type,
          endpoint,
          region: b.region ?? DEFAULT_REGION,
          addressing: b.addressing ?? DEFAULT_ADDRESSING,
          credentials: toCredentials(b.credentials),
        };
      }),
    };
  },

  *check(raw) {
    const names = new Set<string>();
    for (const [i, b] of raw.backends.entries()) {
      if (names.has(b.name)) yield { path: `/backends/${i}/name`, message: `duplicate backend name ${b.name}` };
      names.add(b.name);
      if (b.type === 'filesystem') continue;
      const endpoint = parseEndpoint(b.endpoint);
      if (typeof endpoint === 'string') yield { path: `/backends/${i}/endpoint`, message: endpoint };
    }
  },
};

/** A filesystem backend before its managed server runs: loopback, no port, no credentials yet. */
export function filesystemBackend(name: string, path: string): BackendConfig {
  return {
    name,
    type: 'filesystem',
    filesystem: { path },
    endpoint: { scheme: 'http', host: '127.0.0.1', port: 0 },
    region: DEFAULT_REGION,
    addressing: 'path',
    credentials: { accessKeyId: '', secretAccessKey: '' },
  };
}

/** Parses a backend endpoint; returns the problem text when it is not a bare http(s) origin. */
function parseEndpoint(text: string): BackendConfig['endpoint'] | string {
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

/**
 * Where a config is served without `bucketgate start` (someone else's Envoy), its filesystem backends
 * have no managed server: the problem, or undefined when there are none.
 */
export function withoutLauncherProblem(backends: BackendConfig[]): string | undefined {
  const managed = backends.filter((b) => b.type === 'filesystem').map((b) => b.name);
  return managed.length > 0
    ? `filesystem backends (${managed.join(', ')}) need the versitygw that only \`bucketgate start\` manages; give an Envoy you run S3 backends it can reach`
    : undefined;
}
