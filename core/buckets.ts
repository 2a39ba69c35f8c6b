// Where a client-visible bucket lives: its backend and real name, from lookup tables built once at
// config load, so that per-request work is map lookups only.
import type { BackendConfig, GatewayConfig } from './config/types.ts';

export interface ResolvedBucket {
  backend: BackendConfig;
  realBucket: string;
}

export class BucketMap {
  private readonly backends = new Map<string, BackendConfig>();
  private readonly buckets = new Map<string, ResolvedBucket>();
  private readonly defaultBackend?: BackendConfig;

  constructor(config: Pick<GatewayConfig, 'backends' | 'buckets' | 'defaultBackend'>) {
    for (const b of config.backends) this.backends.set(b.name, b);
    for (const b of config.buckets) this.buckets.set(b.name, { backend: this.backends.get(b.backend)!, realBucket: b.realName });
    if (config.defaultBackend) this.defaultBackend = this.backends.get(config.defaultBackend);
  }

  /** Configured bucket, else the default backend under the same name, else undefined (NoSuchBucket). */
  resolve(bucket: string): ResolvedBucket | undefined {
    return this.buckets.get(bucket) ?? (this.defaultBackend ? { backend: this.defaultBackend, realBucket: bucket } : undefined);
  }

  backend(name: string): BackendConfig | undefined {
    return this.backends.get(name);
  }

  /**
   * The configured bucket names (ListBuckets shows those). Buckets that exist only on the default
   * backend are not listed: the gateway would have to ask that backend.
   */
  configured(): IterableIterator<string> {
    return this.buckets.keys();
  }
}
