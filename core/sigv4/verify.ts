// SigV4 verification of an incoming S3 request, by Authorization header or presigned query.
// Pure: no I/O, the caller supplies the secret lookup, the clock and the key cache.

import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { errors } from '../errors.ts';
import { parseAuthorizationHeader } from './auth-header.ts';
import { canonicalHeaders, canonicalQuery, canonicalRequest, canonicalUri, parseQuery } from './canonical.ts';
import { assertSinglePresignParams, parsePresignedQuery } from './presigned.ts';
import { ALGORITHM, type Credential, credentialScope } from './scope.ts';
import type { SigningKeyCache } from './signing-key.ts';
import { MAX_SKEW_MS, formatAmzDate, isoSeconds, parseAmzDate } from './time.ts';

export interface IncomingRequest {
  method: string;
  /** Path part of :path exactly as received, no query. */
  rawPath: string;
  /** After '?', '' if none. */
  rawQuery: string;
  /** Header lookup by lowercase name; 'host' must answer with :authority, repeated headers joined by ','. */
  header(lowerName: string): string | undefined;
  /**
   * Names of every header received. When given, each x-amz-* header must be signed, as AWS
   * requires; without it that check cannot be made.
   */
  headerNames(): Iterable<string>;
}

export interface VerifiedIdentity {
  accessKeyId: string;
  presigned: boolean;
  /** The payload hash that was signed; the body still has to be checked against it. */
  payloadHash: string;
  /** Region of the credential scope; checking it against ours is the caller's call. */
  region: string;
}

type SecretLookup = (accessKeyId: string) => string | undefined;

const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const PAYLOAD_LITERALS = new Set([
  UNSIGNED_PAYLOAD,
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER',
]);

export function stringToSign(datetime: string, scope: string, canonicalRequest: string): string {
  // The one-shot hash (Node >= 20.12) skips the Hash object of createHash: this runs twice per request.
  return `${ALGORITHM}\n${datetime}\n${scope}\n${hash('sha256', canonicalRequest, 'hex')}`;
}

export function signatureFor(stringToSign: string, key: Buffer): string {
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex signatures; a wrong length is just a mismatch (timingSafeEqual would throw). */
export function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface VerifyOptions {
  /** The only region a credential scope may name; undefined: any. */
  region?: string;
}

/** AWS's check of the scope's region, worded as each mechanism words its errors. */
function assertRegion(scopeRegion: string, options: VerifyOptions, presigned: boolean): void {
  const expected = options.region;
  if (expected === undefined || scopeRegion === expected) return;
  const detail = `the region ${JSON.stringify(scopeRegion)} is wrong; expecting ${JSON.stringify(expected)}`;
  if (presigned) throw errors.authorizationQueryParametersError(`Error parsing the X-Amz-Credential parameter; ${detail}`);
  // The Region element lets SDKs retry against the right region.
  throw errors.authorizationHeaderMalformed(`The authorization header is malformed; ${detail}`, { Region: expected });
}

export function verifySigV4(
  req: IncomingRequest,
  lookupSecret: SecretLookup,
  now: Date,
  cache: SigningKeyCache,
  options: VerifyOptions = {},
): VerifiedIdentity {
  const authorization = req.header('authorization');
  const pairs = parseQuery(req.rawQuery);
  const query = new Map(pairs);
  const presigned = query.has('X-Amz-Algorithm');
  if (presigned) assertSinglePresignParams(pairs);
  if (authorization !== undefined && presigned) {
    throw errors.invalidArgument(
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    );
  }
  if (authorization !== undefined) return verifyHeaderAuth(req, authorization, lookupSecret, now, cache, options);
  if (presigned) return verifyPresigned(req, query, lookupSecret, now, cache, options);
  throw errors.accessDenied(); // anonymous: the caller decides whether that is allowed
}

function verifyHeaderAuth(
  req: IncomingRequest,
  authorization: string,
  lookupSecret: SecretLookup,
  now: Date,
  cache: SigningKeyCache,
  options: VerifyOptions,
): VerifiedIdentity {
  const auth = parseAuthorizationHeader(authorization);
  assertRegion(auth.region, options, false);

  const payloadHash = req.header('x-amz-content-sha256');
  if (payloadHash === undefined) {
    throw errors.invalidRequest('Missing required header for this request: x-amz-content-sha256');
  }
  if (!PAYLOAD_LITERALS.has(payloadHash) && !/^[0-9a-fA-F]{64}$/.test(payloadHash)) {
    const allowed = [...PAYLOAD_LITERALS].join(', ');
    throw errors.invalidArgument(`x-amz-content-sha256 must be ${allowed} or a valid sha256 value.`, {
      name: 'x-amz-content-sha256',
      value: payloadHash,
    });
  }

  const { amzDate, signedAt } = requestTime(req);
  if (Math.abs(signedAt.getTime() - now.getTime()) > MAX_SKEW_MS) {
    throw errors.requestTimeTooSkewed(amzDate, isoSeconds(now));
  }
  if (auth.date !== amzDate.slice(0, 8)) {
    // S3's wording for this one repeats the prefix (versitygw's conformance suite expects it so).
    throw errors.authorizationHeaderMalformed(
      'The authorization header is malformed; The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.',
    );
  }

  checkSignature(req, auth, amzDate, canonicalQuery(req.rawQuery), payloadHash, lookupSecret, cache);
  return { accessKeyId: auth.accessKeyId, presigned: false, payloadHash, region: auth.region };
}

/** x-amz-date, else the Date header re-expressed in the x-amz-date format the client signed with. */
function requestTime(req: IncomingRequest): { amzDate: string; signedAt: Date } {
  const amzDate = req.header('x-amz-date');
  if (amzDate !== undefined) {
    const signedAt = parseAmzDate(amzDate);
    if (signedAt) return { amzDate, signedAt };
  } else {
    const ms = Date.parse(req.header('date') ?? '');
    if (!Number.isNaN(ms)) return { amzDate: formatAmzDate(new Date(ms)), signedAt: new Date(ms) };
  }
  throw errors.accessDenied('AWS authentication requires a valid Date or x-amz-date header.');
}

function verifyPresigned(
  req: IncomingRequest,
  params: Map<string, string>,
  lookupSecret: SecretLookup,
  now: Date,
  cache: SigningKeyCache,
  options: VerifyOptions,
): VerifiedIdentity {
  const p = parsePresignedQuery(params);
  assertRegion(p.region, options, true);
  if (p.signedAt.getTime() - now.getTime() > MAX_SKEW_MS) throw errors.accessDenied('Request is not valid yet');
  const expiresAt = new Date(p.signedAt.getTime() + p.expiresSeconds * 1000);
  if (expiresAt < now) throw errors.requestExpired(p.expiresSeconds, isoSeconds(expiresAt), isoSeconds(now));

  // A presigned URL is made before any body exists, so its payload is always unsigned.
  const query = canonicalQuery(req.rawQuery, (name) => name === 'X-Amz-Signature');
  checkSignature(req, p, p.amzDate, query, UNSIGNED_PAYLOAD, lookupSecret, cache);
  return { accessKeyId: p.accessKeyId, presigned: true, payloadHash: UNSIGNED_PAYLOAD, region: p.region };
}

/** Rebuilds the signature the client should have sent and compares it in constant time. */
function checkSignature(
  req: IncomingRequest,
  auth: Credential & { signedHeaders: string[]; signature: string },
  amzDate: string,
  query: string,
  payloadHash: string,
  lookupSecret: SecretLookup,
  cache: SigningKeyCache,
): void {
  const secret = lookupSecret(auth.accessKeyId);
  if (secret === undefined) throw errors.invalidAccessKeyId(auth.accessKeyId);

  const headers = canonicalHeaders((name) => req.header(name), auth.signedHeaders);
  if (headers === undefined) throw errors.signatureDoesNotMatch(auth.accessKeyId);
  const request = canonicalRequest({
    method: req.method,
    canonicalUri: canonicalUri(req.rawPath),
    canonicalQuery: query,
    canonicalHeaders: headers,
    signedHeaders: auth.signedHeaders,
    payloadHash,
  });
  const key = cache.get(auth.accessKeyId, secret, auth.date, auth.region, auth.service);
  if (!sameSignature(signatureFor(stringToSign(amzDate, credentialScope(auth), request), key), auth.signature)) {
    throw errors.signatureDoesNotMatch(auth.accessKeyId);
  }
  assertAmzHeadersSigned(req, auth.signedHeaders);
}

/** Every x-amz-* header present must be signed, or it could have been added on the way. */
function assertAmzHeadersSigned(req: IncomingRequest, signedHeaders: readonly string[]): void {
  const unsigned = new Set<string>();
  for (const name of req.headerNames()) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-') && !signedHeaders.includes(lower)) unsigned.add(lower);
  }
  if (unsigned.size > 0) throw errors.headersNotSigned([...unsigned].sort());
}
