// Cross-check: requests signed by @smithy/signature-v4 (what the AWS SDK for JS sends) must verify,
// and any tampering with them must not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { S3Error } from '../../../../core/errors.ts';
import { SigningKeyCache } from '../../../../core/sigv4/signing-key.ts';
import { type IncomingRequest, verifySigV4 } from '../../../../core/sigv4/verify.ts';

const AK = 'AKIDCROSSCHECK';
const SECRET = 'cross/check+secret';
const NOW = new Date('2024-02-29T12:34:56Z');
const lookup = (ak: string) => (ak === AK ? SECRET : undefined);
const signer = (secretAccessKey = SECRET) =>
  new SignatureV4({
    credentials: { accessKeyId: AK, secretAccessKey },
    region: 'eu-west-3',
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
  });

// Strict RFC 3986 encoding, as S3 SDKs put keys and query values on the wire.
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

// Deterministic PRNG so a failure can be reproduced.
function rng(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
}
const PIECES = ['a', 'Z9', ' ', '  ', '+', '%', '%20', '/', '//', 'é', '日本', '😀', '~', '-_.', '$&=?#', "!*'()", ',;:@', '.', '..'];
const pick = <T>(r: (n: number) => number, xs: readonly T[]): T => xs[r(xs.length)] as T;
const word = (r: (n: number) => number) => Array.from({ length: 1 + r(5) }, () => pick(r, PIECES)).join('');

interface Wire {
  request: HttpRequest;
  rawQuery: string;
}

function randomRequest(r: (n: number) => number): Wire {
  const key = word(r);
  const query: Record<string, string | string[]> = {};
  const raw: string[] = [];
  for (let i = r(4); i > 0; i--) {
    const name = pick(r, ['prefix', 'delimiter', 'max-keys', 'x-id', 'uploads', 'a b', 'é', word(r)]);
    const value = r(3) === 0 ? '' : word(r);
    const prior = query[name];
    query[name] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
    raw.push(value === '' && r(2) === 0 ? enc(name) : `${enc(name)}=${enc(value)}`);
  }
  const headers: Record<string, string> = {
    host: 'bucket.s3.example.test:8443',
    'x-amz-content-sha256': r(2) === 0 ? 'UNSIGNED-PAYLOAD' : 'ab'.repeat(32),
  };
  if (r(2) === 0) headers.range = 'bytes=0-9';
  if (r(2) === 0) headers['x-amz-meta-note'] = pick(r, ['  spaced   out ', 'tab\there', 'plain']);
  const path = `/bucket/${key.split('/').map(enc).join('/')}`;
  const method = pick(r, ['GET', 'PUT', 'HEAD']);
  return { request: new HttpRequest({ method, hostname: 'bucket.s3.example.test', path, query, headers }), rawQuery: raw.join('&') };
}

/** The request as the gateway would see it on the wire. */
function incoming(signed: HttpRequest, rawQuery: string): IncomingRequest {
  const headers = new Map(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: signed.method, rawPath: signed.path, rawQuery, header: (name) => headers.get(name), headerNames: () => headers.keys() };
}

/** The query smithy added when presigning, encoded and appended after the original raw query. */
function presignedQuery(signed: HttpRequest, original: Wire): string {
  const added = Object.entries(signed.query)
    .filter(([name]) => !(name in original.request.query))
    .map(([name, value]) => `${enc(name)}=${enc(value as string)}`);
  return [original.rawQuery, ...added].filter((s) => s !== '').join('&');
}

async function signHeader(wire: Wire, opts: { secret?: string; at?: Date } = {}): Promise<IncomingRequest> {
  const signed = (await signer(opts.secret).sign(wire.request, { signingDate: opts.at ?? NOW })) as HttpRequest;
  return incoming(signed, wire.rawQuery);
}

async function presign(wire: Wire, opts: { at?: Date; expiresIn?: number } = {}): Promise<IncomingRequest> {
  // As @aws-sdk/s3-request-presigner does: the hoisted content-sha256 makes the payload unsigned.
  wire.request.headers['X-Amz-Content-Sha256'] = 'UNSIGNED-PAYLOAD';
  delete wire.request.headers['x-amz-content-sha256'];
  const signed = await signer().presign(wire.request, { signingDate: opts.at ?? NOW, expiresIn: opts.expiresIn ?? 3600 });
  return incoming(signed as HttpRequest, presignedQuery(signed as HttpRequest, wire));
}

function rejects(req: IncomingRequest, code: string, status: number, message?: string, now = NOW): void {
  assert.throws(
    () => verifySigV4(req, lookup, now, new SigningKeyCache()),
    (e) => e instanceof S3Error && e.code === code && e.status === status && (message === undefined || e.message === message),
  );
}

test('200 random smithy-signed requests verify (header auth and presigned)', async () => {
  const r = rng(20240229);
  const cache = new SigningKeyCache();
  for (let i = 0; i < 200; i++) {
    const header = await signHeader(randomRequest(r));
    assert.equal(verifySigV4(header, lookup, NOW, cache).presigned, false, `header #${i} ${header.rawPath}?${header.rawQuery}`);
    const url = await presign(randomRequest(r));
    assert.equal(verifySigV4(url, lookup, NOW, cache).presigned, true, `presigned #${i} ${url.rawPath}?${url.rawQuery}`);
  }
});

const base = (): Wire => randomRequest(rng(7));
const withHeader = (req: IncomingRequest, name: string, value: string | undefined): IncomingRequest => ({
  ...req,
  header: (n) => (n === name ? value : req.header(n)),
  headerNames: () => {
    const names = new Set(req.headerNames?.() ?? []);
    if (value === undefined) names.delete(name);
    else names.add(name);
    return names;
  },
});

test('tampering breaks the signature', async () => {
  const good = await signHeader(base());
  verifySigV4(good, lookup, NOW, new SigningKeyCache());
  rejects(withHeader(good, 'host', 'other.example.test'), 'SignatureDoesNotMatch', 403);
  rejects({ ...good, rawPath: `${good.rawPath}x` }, 'SignatureDoesNotMatch', 403);
  rejects({ ...good, rawQuery: `${good.rawQuery}&extra=1` }, 'SignatureDoesNotMatch', 403);
  rejects({ ...good, method: 'DELETE' }, 'SignatureDoesNotMatch', 403);
  rejects(withHeader(good, 'x-amz-content-sha256', 'cd'.repeat(32)), 'SignatureDoesNotMatch', 403);
  rejects(await signHeader(base(), { secret: 'wrong' }), 'SignatureDoesNotMatch', 403);
  const url = await presign(base());
  rejects({ ...url, rawQuery: url.rawQuery.replace('X-Amz-Expires=3600', 'X-Amz-Expires=7200') }, 'SignatureDoesNotMatch', 403);
});

test('a signed header that did not arrive is a signature mismatch', async () => {
  const wire = base();
  wire.request.headers.range = 'bytes=0-9';
  rejects(withHeader(await signHeader(wire), 'range', undefined), 'SignatureDoesNotMatch', 403);
});

test('a signature of the wrong length is a mismatch, not a crash', async () => {
  const good = await signHeader(base());
  const auth = good.header('authorization') as string;
  rejects(withHeader(good, 'authorization', auth.replace(/Signature=\w+/, 'Signature=abc')), 'SignatureDoesNotMatch', 403);
  const url = await presign(base());
  rejects({ ...url, rawQuery: url.rawQuery.replace(/X-Amz-Signature=\w+/, 'X-Amz-Signature=00') }, 'SignatureDoesNotMatch', 403);
});

test('unknown access key', async () => {
  const good = await signHeader(base());
  const auth = (good.header('authorization') as string).replace(AK, 'AKIDUNKNOWN');
  rejects(withHeader(good, 'authorization', auth), 'InvalidAccessKeyId', 403);
});

test('clock skew beyond 15 minutes either way', async () => {
  const minutes = (m: number) => new Date(NOW.getTime() + m * 60_000);
  rejects(await signHeader(base(), { at: minutes(-16) }), 'RequestTimeTooSkewed', 403);
  rejects(await signHeader(base(), { at: minutes(16) }), 'RequestTimeTooSkewed', 403);
  verifySigV4(await signHeader(base(), { at: minutes(-14) }), lookup, NOW, new SigningKeyCache());
});

test('presigned URLs: expired, from the future, within their window', async () => {
  const hours = (h: number) => new Date(NOW.getTime() + h * 3_600_000);
  rejects(await presign(base(), { at: hours(-2), expiresIn: 3600 }), 'AccessDenied', 403, 'Request has expired.');
  const expired = await presign(base(), { at: hours(-2), expiresIn: 3600 });
  assert.throws(
    () => verifySigV4(expired, lookup, NOW, new SigningKeyCache()),
    (e) => {
      assert.ok(e instanceof S3Error);
      assert.deepEqual(e.details, { 'X-Amz-Expires': '3600', Expires: '2024-02-29T11:34:56Z', ServerTime: '2024-02-29T12:34:56Z' });
      return true;
    },
  );
  rejects(await presign(base(), { at: hours(1) }), 'AccessDenied', 403, 'Request is not valid yet');
  verifySigV4(await presign(base(), { at: hours(-2), expiresIn: 3 * 3600 }), lookup, NOW, new SigningKeyCache());
});

test('missing x-amz-content-sha256 on header auth', async () => {
  const good = await signHeader(base());
  rejects(withHeader(good, 'x-amz-content-sha256', undefined), 'InvalidRequest', 400);
  rejects(withHeader(good, 'x-amz-content-sha256', 'not-a-hash'), 'InvalidArgument', 400);
  assert.throws(
    () => verifySigV4(withHeader(good, 'x-amz-content-sha256', 'invalid_sha256'), lookup, NOW, new SigningKeyCache()),
    (e) => {
      assert.ok(e instanceof S3Error);
      assert.deepEqual(e.details, { ArgumentName: 'x-amz-content-sha256', ArgumentValue: 'invalid_sha256' });
      return true;
    },
  );
});

test('x-amz-* headers that were not signed → AccessDenied 403 naming them (header auth and presigned)', async () => {
  const denied = (req: IncomingRequest) =>
    assert.throws(
      () => verifySigV4(req, lookup, NOW, new SigningKeyCache()),
      (e) =>
        e instanceof S3Error &&
        e.code === 'AccessDenied' &&
        e.status === 403 &&
        e.message === 'There were headers present in the request which were not signed' &&
        e.details['HeadersNotSigned'] === 'x-amz-copy-source, x-amz-tagging',
    );
  const add = (req: IncomingRequest) =>
    withHeader(withHeader(req, 'x-amz-tagging', 'a=b'), 'x-amz-copy-source', 'source-bucket/source-key');
  denied(add(await signHeader(base())));
  denied(add(await presign(base())));
  // Other unsigned headers are fine, as with AWS.
  verifySigV4(withHeader(await signHeader(base()), 'content-type', 'text/plain'), lookup, NOW, new SigningKeyCache());
  verifySigV4(withHeader(await presign(base()), 'x-custom-header', 'v'), lookup, NOW, new SigningKeyCache());
});
