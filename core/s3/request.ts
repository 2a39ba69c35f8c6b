// Parses what S3 request a client made: which bucket and key (path or virtual-host style), and
// rejects paths that a backend could resolve to something other than what we authorize.
import { errors, S3Error } from '../errors.ts';

export type AddressingStyle = 'path' | 'virtual';

export interface S3Target {
  /** Client-visible bucket; undefined for service-level requests (ListBuckets). */
  bucket?: string;
  /** Decoded object key; '' for bucket-level requests. */
  key: string;
  style: AddressingStyle;
}

// S3's bucket naming rules (plus '_' and upper case, which legacy buckets and some backends allow):
// whatever we accept here is used verbatim in a backend's path or host, so it must never hold
// '/', '%', or anything that would be decoded or normalized.
const BUCKET_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$/;

export function isValidBucketName(name: string): boolean {
  return BUCKET_RE.test(name) && !name.includes('..');
}

const isDotSegment = (seg: string) => seg === '.' || seg === '..';

/**
 * A key whose segments include '.' or '..' would be normalized away by some backends (and by any
 * HTTP library on the way), so the object reached could lie in another bucket than the one
 * authorized. S3 itself would store such a key literally; the gateway refuses it instead.
 * A NUL ends a path for the operating system: a filesystem backend would act on a shorter name.
 */
export function isAcceptedKey(key: string): boolean {
  return !key.includes('\u0000') && !key.split('/').some(isDotSegment);
}

/** Throws the gateway's S3 error for a key it refuses (see isAcceptedKey). */
export function assertSafeKey(key: string): void {
  if (key.includes('\u0000')) throw errors.invalidArgument('Object keys may not contain a NUL character.');
  if (key.split('/').some(isDotSegment)) {
    throw errors.invalidArgument("Object keys with '.' or '..' path segments are not accepted by this gateway.");
  }
}

/** Percent-decodes a key as received and applies the gateway's key rules. */
export function decodeKey(raw: string): string {
  let key: string;
  try {
    key = decodeURIComponent(raw);
  } catch {
    throw new S3Error('InvalidURI', 400, "Couldn't parse the specified URI.");
  }
  assertSafeKey(key);
  return key;
}

/** The host name without a port, lower-cased. */
export function hostName(host: string): string {
  const h = host.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/**
 * rawPath: the path exactly as received (no query). domain: the listener's base domain for
 * virtual-host style; a Host of `<bucket>.<domain>` selects that bucket.
 */
export function parseS3Target(rawPath: string, host: string, domain?: string): S3Target {
  if (!rawPath.startsWith('/')) throw new S3Error('InvalidURI', 400, "Couldn't parse the specified URI.");
  const name = hostName(host);
  if (domain && name.endsWith(`.${domain}`)) {
    const bucket = name.slice(0, -(domain.length + 1));
    if (!isValidBucketName(bucket)) throw errors.invalidBucketName(bucket);
    const key = decodeKey(rawPath.slice(1));
    return { bucket, key, style: 'virtual' };
  }
  if (rawPath === '/') return { key: '', style: 'path' };
  const slash = rawPath.indexOf('/', 1);
  const bucket = slash < 0 ? rawPath.slice(1) : rawPath.slice(1, slash);
  // The bucket segment is used undecoded: an encoded byte in it (e.g. %2e) is simply invalid.
  if (!isValidBucketName(bucket)) throw errors.invalidBucketName(bucket);
  const key = slash < 0 ? '' : decodeKey(rawPath.slice(slash + 1));
  return { bucket, key, style: 'path' };
}
