// Vocabulary several sections share: scalar schemas referenced as `#/$defs/<name>`, the credential
// pair (backend keys and user keys differ only in which key ids they allow), and S3's default region.
import type { JsonSchema } from './section.ts';

/**
 * The region S3 clients and servers assume when none is named: a backend's default, and the region the
 * gateway shows when it has none of its own.
 */
export const DEFAULT_REGION = 'us-east-1';

export const sharedDefs = {
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
} as const satisfies Record<string, JsonSchema>;

export interface RawCredentials {
  access_key_id: string;
  secret_access_key: string;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The schema of a credential pair whose key ids match `accessKeyId`, with `extra` keys allowed beside it. */
export function credentialsSchema(accessKeyId: JsonSchema, extra: Readonly<Record<string, JsonSchema>> = {}): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['access_key_id', 'secret_access_key'],
    properties: {
      access_key_id: accessKeyId,
      secret_access_key: { type: 'string', minLength: 1, description: 'a non-empty secret' },
      ...extra,
    },
  };
}

export function toCredentials(c: RawCredentials): Credentials {
  return { accessKeyId: c.access_key_id, secretAccessKey: c.secret_access_key };
}
