// Canonical request construction for SigV4 verification. Everything is rebuilt from the request
// exactly as it arrived, because the client signed its own bytes, not a normalized form of them.

import { S3Error } from '../errors.ts';

// One entry per byte: the unreserved ASCII characters stay, everything else becomes %XX (upper hex).
const ENCODED_BYTE: readonly string[] = Array.from({ length: 256 }, (_, byte) => {
  const c = String.fromCharCode(byte);
  return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
});

/** AWS UriEncode: UTF-8 percent-encoding of all but A-Za-z0-9-._~ (and '/' unless encodeSlash). */
export function uriEncode(s: string, encodeSlash: boolean): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    out += byte === 0x2f && !encodeSlash ? '/' : ENCODED_BYTE[byte];
  }
  return out;
}

/** Percent-decodes one path segment or query component; '+' stays a literal '+' in SigV4. */
function percentDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new S3Error('InvalidURI', 400, "Couldn't parse the specified URI.");
  }
}

/**
 * S3's canonical URI: each '/'-separated segment decoded and re-encoded once. Empty segments,
 * leading and trailing '/' survive the split/join, and there is no dot-segment normalization
 * because S3 treats "a/../b" as a literal key.
 */
export function canonicalUri(rawPath: string): string {
  return rawPath
    .split('/')
    .map((segment) => uriEncode(percentDecode(segment), true))
    .join('/');
}

/** Decoded (name, value) pairs of a raw query string, in wire order; "a" alone means value "". */
export function parseQuery(rawQuery: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    pairs.push([percentDecode(name), percentDecode(value)]);
  }
  return pairs;
}

/** Canonical query: re-encoded pairs sorted by name then value; `skip` drops e.g. X-Amz-Signature. */
export function canonicalQuery(rawQuery: string, skip?: (name: string) => boolean): string {
  return parseQuery(rawQuery)
    .filter(([name]) => !skip?.(name))
    .map(([name, value]): [string, string] => [uriEncode(name, true), uriEncode(value, true)])
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/**
 * Canonical headers block (`name:value\n` per signed header, values trimmed and inner runs of
 * spaces/tabs collapsed, as the SDKs do). Returns undefined when a signed header is absent: the
 * client signed something we did not receive, which AWS reports as SignatureDoesNotMatch.
 */
export function canonicalHeaders(
  get: (lowerName: string) => string | undefined,
  signedHeaders: readonly string[],
): string | undefined {
  let out = '';
  for (const name of signedHeaders) {
    const value = get(name);
    if (value === undefined) return undefined;
    out += `${name}:${value.replace(/[ \t]+/g, ' ').replace(/^ | $/g, '')}\n`;
  }
  return out;
}

export interface CanonicalRequestParts {
  method: string;
  canonicalUri: string;
  canonicalQuery: string;
  canonicalHeaders: string;
  signedHeaders: readonly string[];
  payloadHash: string;
}

/** The canonical request; the headers block ends in '\n', which yields the blank line AWS requires. */
export function canonicalRequest(p: CanonicalRequestParts): string {
  const signedHeaders = p.signedHeaders.join(';');
  return [p.method, p.canonicalUri, p.canonicalQuery, p.canonicalHeaders, signedHeaders, p.payloadHash].join('\n');
}
