// Fuzzes SigV4 authentication (core/sigv4): parseAuthorizationHeader and parsePresignedQuery on
// random and mutated input throw only S3Error, and what they accept re-renders to the same parse;
// canonicalUri/canonicalQuery throw only S3Error and are idempotent; and requests of random paths,
// queries and headers signed (and presigned) by @smithy/signature-v4 verify, while each one changed
// after signing is refused with an S3Error; a signed request with its Authorization, x-amz-date,
// payload hash, host, path or query textually mutated gives verifySigV4 nothing but S3 errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { parseAuthorizationHeader } from '../../../core/sigv4/auth-header.ts';
import { canonicalQuery, canonicalUri } from '../../../core/sigv4/canonical.ts';
import { parsePresignedQuery } from '../../../core/sigv4/presigned.ts';
import { SigningKeyCache } from '../../../core/sigv4/signing-key.ts';
import { type IncomingRequest, verifySigV4 } from '../../../core/sigv4/verify.ts';
import { mutated, onlyS3Errors, params, piece, testOptions, textOf } from './fuzz.ts';

const AUTH_SPECIALS = [
  'AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA256 ', 'AWS ', ' ', ',', ', ', '=', '/', ';', 'Credential=', 'SignedHeaders=',
  'Signature=', 'AK', '20240229', '20240230', 'us-east-1', 's3', 'aws4_request', 'host', 'x-amz-date', 'ab'.repeat(32), '\t',
];
const validAuthorization = fc
  .record({
    ak: fc.stringMatching(/^[A-Z0-9]{1,20}$/),
    region: fc.constantFrom('us-east-1', 'eu-west-3', 'x'),
    headers: fc.uniqueArray(fc.constantFrom('host', 'range', 'x-amz-date', 'x-amz-content-sha256'), { minLength: 1 }),
    sig: fc.stringMatching(/^[0-9a-f]{64}$/),
    space: fc.constantFrom(' ', ''),
  })
  .map(
    (a) =>
      `AWS4-HMAC-SHA256 Credential=${a.ak}/20240229/${a.region}/s3/aws4_request,${a.space}` +
      `SignedHeaders=${['host', ...a.headers.filter((h) => h !== 'host')].join(';')},${a.space}Signature=${a.sig}`,
  );

test('parseAuthorizationHeader: only S3 errors, and an accepted header re-renders to the same parse', testOptions, () => {
  fc.assert(
    fc.property(fc.oneof(validAuthorization, mutated(validAuthorization, AUTH_SPECIALS), textOf(AUTH_SPECIALS)), (header) => {
      const outcome = onlyS3Errors(() => parseAuthorizationHeader(header));
      if ('error' in outcome) return;
      const a = outcome.value;
      const again = `AWS4-HMAC-SHA256 Credential=${a.accessKeyId}/${a.date}/${a.region}/${a.service}/aws4_request, SignedHeaders=${a.signedHeaders.join(';')}, Signature=${a.signature}`;
      assert.deepEqual(parseAuthorizationHeader(again), a);
    }),
    params(1000),
  );
});

const orMutated = (valid: string, specials: string[]) => fc.oneof(fc.constant(valid), mutated(fc.constant(valid), specials));
const PRESIGN_NAMES = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'];
const presignValues: Record<string, fc.Arbitrary<string>> = {
  'X-Amz-Algorithm': fc.constantFrom('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256', 'x'),
  'X-Amz-Credential': orMutated('AK/20240229/us-east-1/s3/aws4_request', ['/', '0', '9']),
  'X-Amz-Signature': fc.stringMatching(/^[0-9a-f]{64}$/),
  'X-Amz-Date': orMutated('20240229T123456Z', ['0', '9', 'T', 'Z', '-']),
  'X-Amz-SignedHeaders': orMutated('host;x-amz-date', [';', 'host']),
  'X-Amz-Expires': fc.oneof(fc.integer({ min: -10, max: 700000 }).map(String), fc.constantFrom('', '1e3', '0x10', '99999999999999999999', ' 5')),
};

test('parsePresignedQuery: only S3 errors, whatever parameters are present or missing', testOptions, () => {
  // Each parameter present (mostly) or missing; the Security-Token, rarely present, is refused.
  const entries = [...PRESIGN_NAMES, 'X-Amz-Security-Token'].map((name) => {
    const missing = name === 'X-Amz-Security-Token' ? 9 : 1;
    return fc.oneof(
      { weight: missing, arbitrary: fc.constant(undefined) },
      { weight: 10 - missing, arbitrary: fc.tuple(fc.constant(name), presignValues[name] ?? fc.string()) },
    );
  });
  let accepted = 0;
  fc.assert(
    fc.property(fc.tuple(...entries), fc.boolean(), (present, mangle) => {
      const m = new Map(present.filter((e) => e !== undefined));
      if (mangle) m.set('X-Amz-Date', m.get('X-Amz-Date')?.slice(0, 8) ?? '');
      const outcome = onlyS3Errors(() => parsePresignedQuery(m));
      accepted += 'value' in outcome ? 1 : 0;
      if ('value' in outcome) {
        assert.equal(outcome.value.date, m.get('X-Amz-Date')!.slice(0, 8));
        assert.ok(outcome.value.expiresSeconds >= 1 && outcome.value.expiresSeconds <= 604800);
      }
    }),
    params(1000),
  );
  assert.ok(accepted > 0, 'no generated query was accepted');
});

const URI_SPECIALS = ['/', '//', '%', '%2F', '%2f', '%41', '%E9', '%C3%A9', '%ZZ', '%F0%9F', '+', ' ', '&', '=', 'é', '😀', '~', '.', '..'];

test('canonicalUri and canonicalQuery: only S3 errors, and a canonical form is its own canonical form', testOptions, () => {
  fc.assert(
    fc.property(textOf(URI_SPECIALS), textOf(URI_SPECIALS), (path, query) => {
      const uri = onlyS3Errors(() => canonicalUri(path));
      if ('value' in uri) assert.equal(canonicalUri(uri.value), uri.value);
      const q = onlyS3Errors(() => canonicalQuery(query));
      if ('value' in q) assert.equal(canonicalQuery(q.value), q.value);
    }),
    params(1000),
  );
});

// The oracle: @smithy/signature-v4, as the AWS SDK for JS signs.
const AK = 'AKIDFUZZ';
const SECRET = 'fuzz/secret+key';
const NOW = new Date('2024-02-29T12:34:56Z');
const lookup = (ak: string) => (ak === AK ? SECRET : undefined);
const signer = new SignatureV4({
  credentials: { accessKeyId: AK, secretAccessKey: SECRET },
  region: 'eu-west-3',
  service: 's3',
  sha256: Sha256,
  uriEscapePath: false,
});
/** Strict RFC 3986 encoding, as S3 SDKs put keys and query values on the wire. */
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

// Whole code points only: a lone surrogate cannot be sent (smithy and the gateway would each replace it).
const word = fc.array(fc.oneof(fc.constantFrom('a', ' ', '+', '%', '/', 'é', '日本', '😀', '~', "!*'()", '$&=?#', '..'), fc.string({ unit: 'grapheme-ascii', maxLength: 4 })), { minLength: 1, maxLength: 5 }).map((p) => p.join(''));

const wire = fc.record({
  method: fc.constantFrom('GET', 'PUT', 'HEAD', 'DELETE', 'POST'),
  key: word,
  query: fc.array(fc.tuple(fc.oneof(word, fc.constantFrom('prefix', 'uploads', 'x-id')), fc.oneof(fc.constant(''), word)), { maxLength: 4 }),
  // Header values as they arrive (ends already trimmed by HTTP), inner runs of spaces and tabs kept.
  extra: fc.dictionary(
    fc.constantFrom('x-amz-meta-note', 'content-type', 'range', 'x-amz-tagging', 'Content-MD5', 'X-Amz-Meta-Upper'),
    fc.array(fc.oneof(fc.constantFrom(' ', '  ', '\t', ' \t ', ',', ';', '='), fc.string({ unit: 'grapheme-ascii', maxLength: 4 })), { maxLength: 6 })
      .map((p) => `v${p.join('')}v`),
    { maxKeys: 3 },
  ),
  unsigned: fc.boolean(),
});
type Wire = typeof wire extends fc.Arbitrary<infer T> ? T : never;

function request(w: Wire): { request: HttpRequest; rawQuery: string } {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of w.query) {
    const prior = query[name];
    query[name] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  const headers: Record<string, string> = { host: 'bucket.s3.example.test', 'x-amz-content-sha256': w.unsigned ? 'UNSIGNED-PAYLOAD' : 'ab'.repeat(32) };
  Object.assign(headers, w.extra);
  const path = `/bucket/${w.key.split('/').map(enc).join('/')}`;
  const rawQuery = w.query.map(([n, v]) => `${enc(n)}=${enc(v)}`).join('&');
  return { request: new HttpRequest({ method: w.method, hostname: 'bucket.s3.example.test', path, query, headers }), rawQuery };
}

function incoming(signed: HttpRequest, rawQuery: string): IncomingRequest {
  const headers = new Map(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: signed.method, rawPath: signed.path, rawQuery, header: (n) => headers.get(n), headerNames: () => headers.keys() };
}

async function signedIncoming(w: Wire, presign: boolean): Promise<IncomingRequest> {
  const { request: req, rawQuery } = request(w);
  if (!presign) return incoming((await signer.sign(req, { signingDate: NOW })) as HttpRequest, rawQuery);
  req.headers['X-Amz-Content-Sha256'] = 'UNSIGNED-PAYLOAD';
  delete req.headers['x-amz-content-sha256'];
  const signed = (await signer.presign(req, { signingDate: NOW, expiresIn: 600 })) as HttpRequest;
  const added = Object.entries(signed.query)
    .filter(([name]) => !w.query.some(([n]) => n === name))
    .map(([name, value]) => `${enc(name)}=${enc(value as string)}`);
  return incoming(signed, [rawQuery, ...added].filter((s) => s !== '').join('&'));
}

/** Changes that alter what was signed: each must make verification fail. */
const tampering: Array<(r: IncomingRequest) => IncomingRequest> = [
  (r) => ({ ...r, method: r.method === 'GET' ? 'PUT' : 'GET' }),
  (r) => ({ ...r, rawPath: `${r.rawPath}x` }),
  (r) => ({ ...r, rawQuery: r.rawQuery === '' ? 'zz=1' : `${r.rawQuery}&zz=1` }),
  (r) => ({ ...r, header: (n) => (n === 'host' ? 'other.example.test' : r.header(n)) }),
];

test('smithy-signed random requests verify; tampered ones give an S3Error', testOptions, async () => {
  const cache = new SigningKeyCache();
  await fc.assert(
    fc.asyncProperty(wire, fc.boolean(), fc.nat(tampering.length - 1), async (w, presign, t) => {
      const req = await signedIncoming(w, presign);
      const ok = onlyS3Errors(() => verifySigV4(req, lookup, NOW, cache));
      assert.ok('value' in ok, `refused: ${'error' in ok ? ok.error.code : ''} ${req.rawPath}?${req.rawQuery}`);
      assert.equal(ok.value.presigned, presign);
      const bad = onlyS3Errors(() => verifySigV4(tampering[t]!(req), lookup, NOW, cache));
      assert.ok('error' in bad, `tampering #${t} still verified`);
    }),
    params(150),
  );
});

const MUTABLE = ['authorization', 'x-amz-date', 'x-amz-content-sha256', 'host', 'rawQuery', 'rawPath'] as const;
const MUTATION_SPECIALS = [...AUTH_SPECIALS, ...URI_SPECIALS, 'X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Signature=', 'UNSIGNED-PAYLOAD', 'T', 'Z'];

test('verifySigV4 on a signed request with one part textually mutated: only S3 errors', testOptions, async () => {
  const cache = new SigningKeyCache();
  const edit = fc.tuple(fc.constantFrom(...MUTABLE), fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 3 }), piece(MUTATION_SPECIALS)), { minLength: 1, maxLength: 3 }));
  await fc.assert(
    fc.asyncProperty(wire, fc.boolean(), edit, async (w, presign, [part, edits]) => {
      const req = await signedIncoming(w, presign);
      const original = part === 'rawQuery' ? req.rawQuery : part === 'rawPath' ? req.rawPath : (req.header(part) ?? '');
      // Each edit replaces up to three characters at a position with a special or random piece.
      const changed = edits.reduce((s, [at, cut, insert]) => {
        const i = s.length === 0 ? 0 : at % (s.length + 1);
        return s.slice(0, i) + insert + s.slice(i + cut.length);
      }, original);
      const tampered: IncomingRequest =
        part === 'rawQuery' ? { ...req, rawQuery: changed }
        : part === 'rawPath' ? { ...req, rawPath: changed }
        : { ...req, header: (n) => (n === part ? changed : req.header(n)) };
      onlyS3Errors(() => verifySigV4(tampered, lookup, NOW, cache));
    }),
    params(300),
  );
});
