// `users` and `open_access`: who may call the gateway, with which keys (several side by side for
// rotation, each possibly disabled or expiring), in which groups, under which policies; `buckets` is
// the interim grant, kept as a shorthand for "everything on these buckets" (globs).
import type { Section } from './section.ts';
import type { RawBuckets } from './buckets.ts';
import { unknownReferences, type RawGroups } from './groups.ts';
import type { RawPolicies } from './policies.ts';
import { credentialsSchema, toCredentials, type Credentials, type RawCredentials } from './shared.ts';

export interface RawUsers {
  users?: RawUser[];
  open_access?: boolean;
}

export interface RawUser {
  name: string;
  groups?: string[];
  policies?: string[];
  access_keys: (RawCredentials & { disabled?: boolean; expires?: string })[];
  buckets?: string | string[];
}

/** A user's key: refused with InvalidAccessKeyId once disabled or past `expires`. */
export interface UserKey extends Credentials {
  disabled?: true;
  /** ISO 8601 in UTC; text, not a Date, because the model reaches the services workers as JSON. */
  expires?: string;
}

export interface UserConfig {
  name: string;
  accessKeys: UserKey[];
  groups?: string[];
  policies?: string[];
  /** The shorthand grant: bucket globs ('*' for every bucket), each allowing every action on them. */
  buckets?: '*' | string[];
}

/** RFC 3339 with a zone, as `expires` must be written: a bare date or local time would be ambiguous. */
export const RFC3339 = '^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})$';

const bucketGlob = {
  type: 'string',
  pattern: '^[a-z0-9*][a-z0-9.*-]*$',
  description: 'a bucket name or glob such as logs-* ("*" is every bucket)',
};

export const users: Section<RawUsers & RawBuckets & RawGroups & RawPolicies, { users: UserConfig[]; openAccess: boolean }> = {
  properties: {
    users: { type: 'array', items: { $ref: '#/$defs/user' } },
    open_access: { type: 'boolean', default: false },
  },
  defs: {
    user: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'access_keys'],
      properties: {
        name: { $ref: '#/$defs/name' },
        groups: { type: 'array', uniqueItems: true, items: { $ref: '#/$defs/name' } },
        policies: { type: 'array', uniqueItems: true, items: { $ref: '#/$defs/name' } },
        access_keys: {
          type: 'array',
          minItems: 1,
          items: credentialsSchema(
            {
              type: 'string',
              pattern: '^[A-Za-z0-9_-]{3,128}$',
              description: "an access key id of 3-128 letters, digits, '_' and '-'",
            },
            {
              disabled: { type: 'boolean' },
              expires: { type: 'string', pattern: RFC3339, description: 'an RFC 3339 time with a zone, such as 2027-06-01T00:00:00Z' },
            },
          ),
        },
        buckets: {
          description: 'a bucket glob ("*" is every bucket) or a list of them',
          anyOf: [bucketGlob, { type: 'array', uniqueItems: true, items: bucketGlob }],
        },
      },
    },
  },

  toModel(raw) {
    return {
      users: (raw.users ?? []).map((u) => ({
        name: u.name,
        accessKeys: u.access_keys.map((k) => ({
          ...toCredentials(k),
          ...(k.disabled === true && { disabled: true as const }),
          ...(k.expires !== undefined && { expires: new Date(k.expires).toISOString() }),
        })),
        ...(u.groups && { groups: [...u.groups] }),
        ...(u.policies && { policies: [...u.policies] }),
        ...(u.buckets !== undefined && { buckets: u.buckets === '*' ? ('*' as const) : typeof u.buckets === 'string' ? [u.buckets] : [...u.buckets] }),
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
    const groups = new Set((raw.groups ?? []).map((g) => g.name));
    const policies = new Set((raw.policies ?? []).map((p) => p.name));
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
        if (key.expires !== undefined && Number.isNaN(Date.parse(key.expires))) {
          yield { path: `${userPath}/access_keys/${k}/expires`, message: 'is not a valid date and time' };
        }
      }
      yield* unknownReferences(`${userPath}/groups`, `user ${user.name}`, 'group', user.groups ?? [], groups);
      yield* unknownReferences(`${userPath}/policies`, `user ${user.name}`, 'policy', user.policies ?? [], policies);
      if (user.buckets === undefined || user.buckets === '*' || !configured) continue;
      const list: [string, string][] =
        typeof user.buckets === 'string' ? [[`${userPath}/buckets`, user.buckets]] : user.buckets.map((b, i) => [`${userPath}/buckets/${i}`, b]);
      for (const [path, name] of list) {
        // A glob may match buckets created later (on the default backend) or none yet: not checked.
        if (!name.includes('*') && !configured.has(name)) {
          yield { path, message: `bucket ${name} is not configured under buckets and no default_backend is set` };
        }
      }
    }
  },
};
