// Lookup tables built once at config load, so that per-request work is map lookups only.
import type { BackendConfig, BucketConfig, GatewayConfig, UserConfig } from './config/types.ts';

export interface ResolvedBucket {
  backend: BackendConfig;
  realBucket: string;
}

/** Envoy cluster that carries a backend's traffic. Backend names are [a-z0-9_-], valid here. */
export function clusterName(backend: string): string {
  return `backend_${backend}`;
}

export class GatewayModel {
  private readonly keys = new Map<string, { user: UserConfig; secret: string }>();
  private readonly backends = new Map<string, BackendConfig>();
  private readonly buckets = new Map<string, BucketConfig>();
  private readonly grants = new Map<string, '*' | ReadonlySet<string>>();
  private readonly defaultBackend?: BackendConfig;

  constructor(readonly config: GatewayConfig) {
    for (const b of config.backends) this.backends.set(b.name, b);
    for (const b of config.buckets) this.buckets.set(b.name, b);
    for (const u of config.users) {
      for (const k of u.accessKeys) this.keys.set(k.accessKeyId, { user: u, secret: k.secretAccessKey });
      this.grants.set(u.name, u.buckets === '*' ? '*' : new Set(u.buckets));
    }
    if (config.defaultBackend) this.defaultBackend = this.backends.get(config.defaultBackend);
  }

  credential(accessKeyId: string): { user: UserConfig; secret: string } | undefined {
    return this.keys.get(accessKeyId);
  }

  /** Configured bucket, else the default backend under the same name, else undefined (NoSuchBucket). */
  resolveBucket(bucket: string): ResolvedBucket | undefined {
    const b = this.buckets.get(bucket);
    if (b) return { backend: this.backends.get(b.backend)!, realBucket: b.realName };
    return this.defaultBackend ? { backend: this.defaultBackend, realBucket: bucket } : undefined;
  }

  backend(name: string): BackendConfig | undefined {
    return this.backends.get(name);
  }

  /** `principal` undefined means anonymous access under open_access: every bucket. */
  mayUse(principal: string | undefined, bucket: string): boolean {
    if (principal === undefined) return this.config.openAccess;
    const g = this.grants.get(principal);
    return g === '*' || (g !== undefined && g.has(bucket));
  }

  /**
   * Buckets a principal sees in ListBuckets: the configured ones it may use. Buckets that exist only
   * on the default backend are not listed (the gateway would have to ask that backend).
   */
  visibleBuckets(principal: string | undefined): string[] {
    return [...this.buckets.keys()].filter((b) => this.mayUse(principal, b)).sort();
  }
}
