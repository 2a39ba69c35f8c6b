// The JSON Schema of the YAML config (snake_case, before defaults). Every object is closed so a typo is
// an error, not a silently ignored key. `description` on leaf definitions doubles as the lint message
// ("must be <description>") for pattern, length and range failures, so keep them noun phrases.

/** Defaults applied when building the runtime model; also shown as `default` annotations below. */
export const DEFAULTS = {
  listenAddress: '127.0.0.1',
  listenPort: 9000,
  region: 'us-east-1',
  addressing: 'path',
  adminPort: 0,
  concurrency: 0,
  workers: 1,
} as const;

/** The config as the schema accepts it, after `${...}` references are resolved. */
export interface RawConfig {
  listen?: {
    address?: string;
    port?: number;
    tls?: { cert_file: string; key_file: string };
    domain?: string;
    region?: string;
  };
  backends: RawBackend[];
  buckets?: Record<string, { backend: string; alias?: string }>;
  default_backend?: string;
  users?: RawUser[];
  open_access?: boolean;
  envoy?: { admin_port?: number; concurrency?: number };
  services?: { workers?: number };
}

export interface RawCredentials {
  access_key_id: string;
  secret_access_key: string;
}

export type RawBackend = RawS3Backend | RawFilesystemBackend;

export interface RawS3Backend {
  name: string;
  type: 's3';
  endpoint: string;
  region?: string;
  addressing?: 'path' | 'virtual';
  credentials: RawCredentials;
}

/** Plain files under `path`, served by a managed versitygw the gateway starts on loopback. */
export interface RawFilesystemBackend {
  name: string;
  type: 'filesystem';
  path: string;
}

export interface RawUser {
  name: string;
  access_keys: RawCredentials[];
  buckets: '*' | string[];
}

const secret = { type: 'string', minLength: 1, description: 'a non-empty secret' };

export const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Bucketgate configuration',
  type: 'object',
  additionalProperties: false,
  required: ['backends'],
  properties: {
    listen: {
      type: 'object',
      additionalProperties: false,
      properties: {
        address: { type: 'string', minLength: 1, default: DEFAULTS.listenAddress, description: 'an IP address' },
        port: { $ref: '#/$defs/port', default: DEFAULTS.listenPort },
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['cert_file', 'key_file'],
          properties: {
            cert_file: { $ref: '#/$defs/filePath' },
            key_file: { $ref: '#/$defs/filePath' },
          },
        },
        domain: {
          type: 'string',
          maxLength: 253,
          pattern: '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$',
          description: 'a lowercase DNS name such as s3.example.com (virtual-host requests use <bucket>.<domain>)',
        },
        region: {
          type: 'string',
          pattern: '^[a-z0-9-]{1,64}$',
          description: 'the region clients must sign for, e.g. us-east-1; when unset any region is accepted',
        },
      },
    },
    backends: { type: 'array', minItems: 1, items: { $ref: '#/$defs/backend' } },
    buckets: {
      type: 'object',
      propertyNames: { $ref: '#/$defs/bucketName' },
      additionalProperties: { $ref: '#/$defs/bucket' },
    },
    default_backend: { $ref: '#/$defs/name' },
    users: { type: 'array', items: { $ref: '#/$defs/user' } },
    open_access: { type: 'boolean', default: false },
    envoy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        admin_port: {
          type: 'integer',
          minimum: 0,
          maximum: 65535,
          default: DEFAULTS.adminPort,
          description: 'a TCP port (0-65535; 0 lets Envoy pick)',
        },
        concurrency: {
          type: 'integer',
          minimum: 0,
          maximum: 1024,
          default: DEFAULTS.concurrency,
          description: 'a worker thread count (0-1024; 0 means one per core)',
        },
      },
    },
    services: {
      type: 'object',
      additionalProperties: false,
      properties: {
        workers: {
          type: 'integer',
          minimum: 1,
          maximum: 256,
          default: DEFAULTS.workers,
          description: 'a services worker process count (1-256)',
        },
      },
    },
  },
  $defs: {
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'a TCP port (1-65535)' },
    filePath: { type: 'string', minLength: 1, description: 'a file path' },
    name: {
      type: 'string',
      maxLength: 64,
      pattern: '^[a-z0-9][a-z0-9_-]*$',
      description: "a name of at most 64 lowercase letters, digits, '_' and '-', starting with a letter or digit",
    },
    bucketName: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
      description:
        "an S3 bucket name (3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit)",
    },
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
        region: { type: 'string', pattern: '^\\S+$', default: DEFAULTS.region, description: 'a non-empty region name' },
        addressing: { enum: ['path', 'virtual'], default: DEFAULTS.addressing },
        credentials: {
          type: 'object',
          additionalProperties: false,
          required: ['access_key_id', 'secret_access_key'],
          properties: {
            // Backend keys come from other stores, so allow anything a SigV4 Credential= field can carry.
            access_key_id: {
              type: 'string',
              maxLength: 256,
              pattern: '^[^\\s/,=]+$',
              description: "an access key id (no whitespace, '/', ',' or '=')",
            },
            secret_access_key: secret,
          },
        },
      },
    },
    bucket: {
      type: 'object',
      additionalProperties: false,
      required: ['backend'],
      properties: {
        backend: { $ref: '#/$defs/name' },
        alias: { $ref: '#/$defs/bucketName' },
      },
    },
    user: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'access_keys', 'buckets'],
      properties: {
        name: { $ref: '#/$defs/name' },
        access_keys: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['access_key_id', 'secret_access_key'],
            properties: {
              access_key_id: {
                type: 'string',
                pattern: '^[A-Za-z0-9_-]{3,128}$',
                description: "an access key id of 3-128 letters, digits, '_' and '-'",
              },
              secret_access_key: secret,
            },
          },
        },
        buckets: {
          description: '"*" (every bucket) or a list of bucket names',
          anyOf: [
            { const: '*' },
            { type: 'array', uniqueItems: true, items: { $ref: '#/$defs/bucketName' } },
          ],
        },
      },
    },
  },
} as const;

/** The schema as `bucketgate config schema` prints it (e.g. for editor YAML validation). */
export function schemaText(): string {
  return `${JSON.stringify(configSchema, null, 2)}\n`;
}
