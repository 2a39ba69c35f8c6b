// `users` and `open_access`: who may call the gateway, with which keys, on which buckets.
import type { Section } from './section.ts';
import type { RawBuckets } from './buckets.ts';
import { credentialsSchema, toCredentials, type Credentials, type RawCredentials } from './shared.ts';

export interface RawUsers {
  users?: RawUser[];
  open_access?: boolean;
}

export interface RawUser {
  name: string;
  access_keys: RawCredentials[];
  buckets: '*' | string[];
}

export interface UserConfig {
  name: string;
  accessKeys: Credentials[];
  /** Interim grant: bucket names, or '*' for every bucket. */
  buckets: '*' | string[];
}

export const users: Section<RawUsers & RawBuckets, { users: UserConfig[]; openAccess: boolean }> = {
  properties: {
    users: { type: 'array', items: { $ref: '#/$defs/user' } },
    open_access: { type: 'boolean', default: false },
  },
  defs: {
    user: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'access_keys', 'buckets'],
      properties: {
        name: { $ref: '#/$defs/name' },
        access_keys: {
          type: 'array',
          minItems: 1,
          items: credentialsSchema({
            type: 'string',
            pattern: '^[A-Za-z0-9_-]{3,128}$',
            description: "an access key id of 3-128 letters, digits, '_' and '-'",
          }),
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

  toModel(raw) {
    return {
      users: (raw.users ?? []).map((u) => ({
        name: u.name,
        accessKeys: u.access_keys.map(toCredentials),
        buckets: u.buckets === '*' ? '*' : [...u.buckets],
      })),
      openAccess: raw.open_access ?? false,
    };
  },

  *check(raw) {
    const users = raw.users ?? [];
    if (users.length === 0 && raw.open_access !== true) {
      yield { path: '/users', message: 'the gateway refuses to start with no users unless open_access: true is set' };
    }
    // With a default backend an unlisted bucket may exist there, so any grant can be meaningful.
    const configured = raw.default_backend === undefined ? new Set(Object.keys(raw.buckets ?? {})) : undefined;
    const names = new Set<string>();
    const keyOwners = new Map<string, string>();
    for (const [u, user] of users.entries()) {
      const userPath = `/users/${u}`;
      if (names.has(user.name)) yield { path: `${userPath}/name`, message: `duplicate user name ${user.name}` };
      names.add(user.name);
      for (const [k, key] of user.access_keys.entries()) {
        const keyPath = `${userPath}/access_keys/${k}/access_key_id`;
        const first = keyOwners.get(key.access_key_id);
        // Key ids are public, but naming where the first one is suffices and keeps messages value-free.
        if (first !== undefined) yield { path: keyPath, message: `duplicate access_key_id: already used at ${first}` };
        else keyOwners.set(key.access_key_id, keyPath);
      }
      if (user.buckets === '*' || !configured) continue;
      for (const [b, name] of user.buckets.entries()) {
        if (!configured.has(name)) {
          yield {
            path: `${userPath}/buckets/${b}`,
            message: `bucket ${name} is not configured under buckets and no default_backend is set`,
          };
        }
      }
    }
  },
};
