// SigV4 signing-key derivation and a bounded cache, so the four-HMAC chain runs once per
// credential per day rather than once per request.

import { createHmac } from 'node:crypto';

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

/**
 * Derived keys by credential scope. The secret is kept beside its key and compared on every hit, so
 * a rotated secret misses instead of validating against the old one (both come from the config, so
 * the comparison reveals nothing to a client). Oldest entries are evicted first (Map iteration order
 * is insertion order); the bound caps memory when clients vary the region.
 */
export class SigningKeyCache {
  private readonly keys = new Map<string, { secret: string; key: Buffer }>();

  constructor(private readonly maxEntries = 10_000) {}

  /** The derived key; callers must not mutate the returned Buffer, it is shared. */
  get(accessKeyId: string, secret: string, date: string, region: string, service: string): Buffer {
    // Length prefixes keep the tuple unambiguous even if a client-chosen region contains separators.
    const id = `${accessKeyId.length}:${accessKeyId}${date.length}:${date}${service.length}:${service}${region}`;
    const hit = this.keys.get(id);
    if (hit !== undefined && hit.secret === secret) return hit.key;
    const key = signingKey(secret, date, region, service);
    if (hit === undefined && this.keys.size >= this.maxEntries) {
      const oldest = this.keys.keys().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
    this.keys.set(id, { secret, key });
    return key;
  }
}
