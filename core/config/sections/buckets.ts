// `buckets` and `default_backend`: which client-visible bucket lives on which backend, under which name.
import { joinPointer } from '../locate.ts';
import type { Section } from './section.ts';
import type { RawBackends } from './backends.ts';

export interface RawBuckets {
  buckets?: Record<string, { backend: string; alias?: string; public?: boolean; public_prefixes?: string[] }>;
  default_backend?: string;
}

export interface BucketConfig {
  /** Client-visible (virtual) bucket name. */
  name: string;
  backend: string;
  /** Bucket name on the backend; equals `name` unless `alias` is set. */
  realName: string;
  /** Anonymous clients may read and list every key (`public: true`). */
  public?: true;
  /** Key prefixes (literal, no globs) under which anonymous clients may read, and list with a prefix inside. */
  publicPrefixes?: string[];
}

export const buckets: Section<RawBuckets & RawBackends, { buckets: BucketConfig[]; defaultBackend?: string }> = {
  properties: {
    buckets: {
      type: 'object',
      propertyNames: { $ref: '#/$defs/bucketName' },
      additionalProperties: { $ref: '#/$defs/bucket' },
    },
    default_backend: { $ref: '#/$defs/name' },
  },
  defs: {
    bucket: {
      type: 'object',
      additionalProperties: false,
      required: ['backend'],
      properties: {
        backend: { $ref: '#/$defs/name' },
        alias: { $ref: '#/$defs/bucketName' },
        public: { type: 'boolean', description: 'true to let anonymous clients read and list the whole bucket' },
        public_prefixes: {
          type: 'array',
          items: { type: 'string', minLength: 1, pattern: '^[^*]+$', description: 'a key prefix such as releases/ (literal: no *)' },
        },
      },
    },
  },

  toModel(raw) {
    return {
      buckets: Object.entries(raw.buckets ?? {}).map(([name, b]) => ({
        name,
        backend: b.backend,
        realName: b.alias ?? name,
        ...(b.public === true && { public: true as const }),
        ...(b.public_prefixes !== undefined && b.public_prefixes.length > 0 && { publicPrefixes: [...b.public_prefixes] }),
      })),
      ...(raw.default_backend !== undefined && { defaultBackend: raw.default_backend }),
    };
  },

  *check(raw) {
    const backendNames = new Set(raw.backends.map((b) => b.name));
    const buckets = Object.entries(raw.buckets ?? {});
    const realBuckets = new Map<string, string>();
    for (const [name, bucket] of buckets) {
      const path = joinPointer('/buckets', name);
      if (!backendNames.has(bucket.backend)) {
        yield { path: `${path}/backend`, message: `unknown backend ${bucket.backend}` };
      }
      // Two client names for one real bucket: legal (e.g. during a rename) but grants on either reach both.
      const real = `${bucket.backend}/${bucket.alias ?? name}`;
      const other = realBuckets.get(real);
      if (other !== undefined) {
        yield {
          path: bucket.alias === undefined ? path : `${path}/alias`,
          message: `bucket ${name} reaches the same real bucket on backend ${bucket.backend} as bucket ${other}`,
          severity: 'warning',
        };
      } else {
        realBuckets.set(real, name);
      }
    }

    const defaultBackend = raw.default_backend;
    if (defaultBackend !== undefined && !backendNames.has(defaultBackend)) {
      yield { path: '/default_backend', message: `unknown backend ${defaultBackend}` };
    }
    if (buckets.length === 0 && defaultBackend === undefined) {
      const message = 'no buckets are configured and default_backend is not set: every request would fail';
      yield { path: '/buckets', message };
    }
  },
};
