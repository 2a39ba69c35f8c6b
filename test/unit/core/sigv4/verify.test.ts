// SigV4 verification against AWS's own worked examples (S3 SigV4 documentation), plus the
// canonicalization and key-cache building blocks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Error } from '../../../../core/errors.ts';
import { canonicalHeaders, canonicalQuery, canonicalUri, uriEncode } from '../../../../core/sigv4/canonical.ts';
import { SigningKeyCache, signingKey } from '../../../../core/sigv4/signing-key.ts';
import { type IncomingRequest, verifySigV4 } from '../../../../core/sigv4/verify.ts';

const AK = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const NOW = new Date('2013-05-24T00:00:00Z');
const HOST = 'examplebucket.s3.amazonaws.com';
const EMPTY_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const lookup = (ak: string) => (ak === AK ? SECRET : undefined);

function request(method: string, target: string, headers: Record<string, string>): IncomingRequest {
  const q = target.indexOf('?');
  const lower = new Map(Object.entries({ host: HOST, ...headers }).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method,
    rawPath: q === -1 ? target : target.slice(0, q),
    rawQuery: q === -1 ? '' : target.slice(q + 1),
    header: (name) => lower.get(name),
    headerNames: () => lower.keys(),
  };
}

function authorization(signedHeaders: string, signature: string): string {
  return `AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3/aws4_request,SignedHeaders=${signedHeaders},Signature=${signature}`;
}

test('AWS example: GET object with Range', () => {
  const sig = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';
  const req = request('GET', '/test.txt', {
    Authorization: authorization('host;range;x-amz-content-sha256;x-amz-date', sig),
    Range: 'bytes=0-9',
    'x-amz-content-sha256': EMPTY_SHA,
    'x-amz-date': '20130524T000000Z',
  });
  const id = verifySigV4(req, lookup, NOW, new SigningKeyCache());
  assert.deepEqual(id, { accessKeyId: AK, presigned: false, payloadHash: EMPTY_SHA, region: 'us-east-1' });
});

test('AWS example: PUT object with an encoded key and a Date header', () => {
  const payload = '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072';
  const sig = '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd';
  const req = request('PUT', '/test%24file.text', {
    Authorization: authorization('date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class', sig),
    Date: 'Fri, 24 May 2013 00:00:00 GMT',
    'x-amz-date': '20130524T000000Z',
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    'x-amz-content-sha256': payload,
  });
  assert.equal(verifySigV4(req, lookup, NOW, new SigningKeyCache()).payloadHash, payload);
});

test('AWS example: GET bucket lifecycle', () => {
  const sig = 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543';
  const req = request('GET', '/?lifecycle', {
    Authorization: authorization('host;x-amz-content-sha256;x-amz-date', sig),
    'x-amz-date': '20130524T000000Z',
    'x-amz-content-sha256': EMPTY_SHA,
  });
  assert.equal(verifySigV4(req, lookup, NOW, new SigningKeyCache()).accessKeyId, AK);
});

test('AWS example: GET bucket (list objects)', () => {
  const sig = '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7';
  const req = request('GET', '/?max-keys=2&prefix=J', {
    Authorization: authorization('host;x-amz-content-sha256;x-amz-date', sig),
    'x-amz-date': '20130524T000000Z',
    'x-amz-content-sha256': EMPTY_SHA,
  });
  assert.equal(verifySigV4(req, lookup, NOW, new SigningKeyCache()).accessKeyId, AK);
});

test('AWS example: presigned GET object', () => {
  const req = request(
    'GET',
    '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
      '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
      '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    {},
  );
  const id = verifySigV4(req, lookup, NOW, new SigningKeyCache());
  assert.deepEqual(id, { accessKeyId: AK, presigned: true, payloadHash: 'UNSIGNED-PAYLOAD', region: 'us-east-1' });
});

test('uriEncode keeps unreserved characters and upper-hex-encodes UTF-8 bytes', () => {
  assert.equal(uriEncode("AZaz09-._~ !*'()+$/é😀", true), "AZaz09-._~%20%21%2A%27%28%29%2B%24%2F%C3%A9%F0%9F%98%80");
  assert.equal(uriEncode('a/b c', false), 'a/b%20c');
});

test('canonicalUri re-encodes each segment once and keeps the path shape', () => {
  assert.equal(canonicalUri('/'), '/');
  assert.equal(canonicalUri('/b//k/'), '/b//k/');
  assert.equal(canonicalUri('/b/a%2fb/%7e+$'), '/b/a%2Fb/~%2B%24');
  assert.equal(canonicalUri('/b/./../x'), '/b/./../x');
  assert.equal(canonicalUri('/b/caf%C3%A9 d'), '/b/caf%C3%A9%20d');
  for (const bad of ['/b/%zz', '/b/%', '/b/%FF']) {
    assert.throws(() => canonicalUri(bad), (e) => e instanceof S3Error && e.code === 'InvalidURI' && e.status === 400);
  }
});

test('canonicalQuery decodes, re-encodes, sorts by name then value, and can skip names', () => {
  assert.equal(canonicalQuery(''), '');
  assert.equal(canonicalQuery('uploads'), 'uploads=');
  assert.equal(canonicalQuery('b=2&a=z&a=y&&c'), 'a=y&a=z&b=2&c=');
  assert.equal(canonicalQuery('p=a+b%20c&q=x=y/z'), 'p=a%2Bb%20c&q=x%3Dy%2Fz');
  assert.equal(canonicalQuery('X-Amz-Signature=ab&x=1', (n) => n === 'X-Amz-Signature'), 'x=1');
  assert.throws(() => canonicalQuery('a=%G0'), (e) => e instanceof S3Error && e.code === 'InvalidURI');
});

test('canonicalHeaders trims and collapses whitespace, and flags a missing signed header', () => {
  const h = new Map([['host', 'h'], ['x-amz-meta-a', ' \t a   b\t c  ']]);
  assert.equal(canonicalHeaders((n) => h.get(n), ['host', 'x-amz-meta-a']), 'host:h\nx-amz-meta-a:a b c\n');
  assert.equal(canonicalHeaders((n) => h.get(n), ['host', 'range']), undefined);
});

test('signingKey matches the AWS example derivation', () => {
  // From the AWS "Examples of how to derive a signing key for Signature Version 4" page.
  const key = signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam');
  assert.equal(key.toString('hex'), 'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
});

test('SigningKeyCache reuses keys, misses on a rotated secret, and evicts the oldest', () => {
  const cache = new SigningKeyCache(2);
  const first = cache.get(AK, SECRET, '20130524', 'us-east-1', 's3');
  assert.equal(cache.get(AK, SECRET, '20130524', 'us-east-1', 's3'), first);
  const rotated = cache.get(AK, 'another-secret', '20130524', 'us-east-1', 's3');
  assert.notEqual(rotated, first);
  assert.notDeepEqual(rotated, first);
  cache.get(AK, SECRET, '20130525', 'us-east-1', 's3'); // third entry evicts `first`
  const again = cache.get(AK, SECRET, '20130524', 'us-east-1', 's3');
  assert.notEqual(again, first);
  assert.deepEqual(again, first);
});
