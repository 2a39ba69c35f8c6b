// Signed aws-chunked bodies: AWS's worked example ("Transferring Payload in Multiple Chunks"),
// then re-signing for another chain across arbitrary fragmenting, and every way to break a body.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { S3Error } from '../../../../core/errors.ts';
import { chunkSignature, type ChainContext } from '../../../../core/sigv4/chunk-signature.ts';
import { signedChunkedBody as signedBody } from '../../../../testkit/chunked-client.ts';
import { signingKey } from '../../../../core/sigv4/signing-key.ts';
import { SigningKeyCache } from '../../../../core/sigv4/signing-key.ts';
import { verifySigV4 } from '../../../../core/sigv4/verify.ts';
import { AwsChunkedResigner, type ChainEnds, MAX_CHUNK_BYTES } from '../../../../extproc/bodies/aws-chunked.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const AWS_CTX: ChainContext = {
  key: signingKey(SECRET, '20130524', 'us-east-1', 's3'),
  datetime: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
};
const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
const BACKEND_CTX: ChainContext = {
  key: signingKey('backend-secret', '20260101', 'eu-west-1', 's3'),
  datetime: '20260101T101010Z',
  scope: '20260101/eu-west-1/s3/aws4_request',
};
const BACKEND_SEED = 'a'.repeat(64);

test("AWS's example: the seed signature of the chunked PUT verifies", () => {
  const headers: Record<string, string> = {
    host: 's3.amazonaws.com',
    'x-amz-date': '20130524T000000Z',
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': '66560',
    'content-length': '66824',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
      'SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,' +
      `Signature=${SEED}`,
  };
  const id = verifySigV4(
    { method: 'PUT', rawPath: '/examplebucket/chunkObject.txt', rawQuery: '', header: (n) => headers[n], headerNames: () => Object.keys(headers) },
    () => SECRET,
    new Date('2013-05-24T00:00:00Z'),
    new SigningKeyCache(),
  );
  assert.equal(id.payloadHash, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
});

test("AWS's example: the three chunk signatures", () => {
  const s1 = chunkSignature(AWS_CTX, SEED, Buffer.alloc(65536, 'a'));
  assert.equal(s1, 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648');
  const s2 = chunkSignature(AWS_CTX, s1, Buffer.alloc(1024, 'a'));
  assert.equal(s2, '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497');
  assert.equal(chunkSignature(AWS_CTX, s2, Buffer.alloc(0)), 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9');
});

function ends(decodedLength: number, trailer = false): ChainEnds {
  return {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    client: { ...AWS_CTX, seed: SEED },
    backend: { ...BACKEND_CTX, seed: BACKEND_SEED },
    trailer,
    decodedLength,
  };
}

/** Feeds `body` in pieces of the given sizes (cycling), returns everything emitted. */
function feed(r: AwsChunkedResigner, body: Buffer, sizes: number[]): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  for (let off = 0; off < body.length; i++) {
    const n = sizes[i % sizes.length]!;
    out.push(r.push(body.subarray(off, off + n)));
    off += n;
  }
  r.end();
  return Buffer.concat(out);
}

const CHUNKS = [Buffer.alloc(65536, 'a'), Buffer.alloc(1024, 'a')];

for (const trailer of [false, true]) {
  for (const sizes of [[1], [7, 13], [65536 + 100], [1_000_000]]) {
    test(`re-signs for the backend's chain, same length (${trailer ? 'with trailer' : 'no trailer'}, pieces ${sizes})`, () => {
      const trailers = trailer ? ['x-amz-checksum-crc32:/GT6bA=='] : undefined;
      const body = signedBody(AWS_CTX, SEED, CHUNKS, trailers);
      const out = feed(new AwsChunkedResigner(ends(66560, trailer)), body, sizes);
      assert.equal(out.length, body.length);
      assert.deepEqual(out, signedBody(BACKEND_CTX, BACKEND_SEED, CHUNKS, trailers));
    });
  }
}

const INCOMPLETE = 'The request body terminated unexpectedly';
const LENGTH_MISMATCH = 'You did not provide the number of bytes specified by the Content-Length HTTP header';
const MALFORMED_TRAILER =
  'The request contained trailing data that was not well-formed or did not conform to our published schema.';

function rejects(body: Buffer, decodedLength: number, code: string, trailer = false, message?: string): void {
  const r = new AwsChunkedResigner(ends(decodedLength, trailer));
  assert.throws(
    () => feed(r, body, [4096]),
    (e: unknown) =>
      e instanceof S3Error &&
      e.code === code &&
      e.status === (code === 'SignatureDoesNotMatch' ? 403 : 400) &&
      (message === undefined || e.message === message),
  );
}

test('a tampered data byte → SignatureDoesNotMatch', () => {
  const body = signedBody(AWS_CTX, SEED, CHUNKS);
  body[200] = 'b'.charCodeAt(0);
  rejects(body, 66560, 'SignatureDoesNotMatch');
});

test('chunks signed by another key → SignatureDoesNotMatch', () => {
  rejects(signedBody(BACKEND_CTX, SEED, CHUNKS), 66560, 'SignatureDoesNotMatch');
});

test('a truncated body (final chunk missing) → IncompleteBody', () => {
  const body = signedBody(AWS_CTX, SEED, CHUNKS);
  rejects(body.subarray(0, body.length - 90), 66560, 'IncompleteBody', false, INCOMPLETE);
});

test('a chunk longer than declared → IncompleteBody', () => {
  const body = signedBody(AWS_CTX, SEED, [Buffer.alloc(100, 'a')]);
  const text = body.toString('latin1').replace(/^64;/, '63;');
  rejects(Buffer.from(text, 'latin1'), 100, 'SignatureDoesNotMatch');
  // Declared 0x63 = 99 bytes, signature recomputed for 99: the 100th byte is where CRLF must be.
  const ninetynine = Buffer.alloc(99, 'a');
  const sig = chunkSignature(AWS_CTX, SEED, ninetynine);
  const forged = Buffer.concat([Buffer.from(`63;chunk-signature=${sig}\r\n`), Buffer.alloc(100, 'a'), Buffer.from('\r\n')]);
  rejects(forged, 99, 'IncompleteBody', false, INCOMPLETE);
});

test('a decoded length that does not match x-amz-decoded-content-length → IncompleteBody', () => {
  rejects(signedBody(AWS_CTX, SEED, CHUNKS), 66561, 'IncompleteBody', false, LENGTH_MISMATCH);
  rejects(signedBody(AWS_CTX, SEED, CHUNKS), 1000, 'IncompleteBody', false, LENGTH_MISMATCH);
});

test('a wrong trailer signature → SignatureDoesNotMatch; a changed trailer value too', () => {
  const body = signedBody(AWS_CTX, SEED, CHUNKS, ['x-amz-checksum-crc32:/GT6bA==']);
  const changed = Buffer.from(body.toString('latin1').replace('/GT6bA==', 'AAAAAA=='), 'latin1');
  rejects(changed, 66560, 'SignatureDoesNotMatch', true);
});

test('garbage and data after the final chunk → IncompleteBody', () => {
  rejects(Buffer.from('zz;chunk-signature=abc\r\n'), 10, 'IncompleteBody', false, INCOMPLETE);
  rejects(Buffer.concat([signedBody(AWS_CTX, SEED, CHUNKS), Buffer.from('x')]), 66560, 'IncompleteBody', false, INCOMPLETE);
});

test('every broken framing byte of a small body → IncompleteBody (cases of versitygw\'s conformance suite)', () => {
  const body = signedBody(AWS_CTX, SEED, [Buffer.from('dummy data paylaod')]).toString('latin1');
  const edits: Array<[number, number, string]> = [
    [0, 2, 'j'], // chunk size
    [83, 85, ''], // CRLF after the chunk header
    [83, 85, 'dd'],
    [103, 105, ''], // CRLF after the data
    [103, 105, 'something invalid'],
    [187, 191, 'bbbb'], // final CRLFs
    [190, 191, 's'],
    [2, 3, ':'], // ';' separator
    [3, 19, ''], // 'chunk-signature='
    [19, 24, ''], // short signature
  ];
  for (const [from, to, text] of edits) {
    rejects(Buffer.from(body.slice(0, from) + text + body.slice(to), 'latin1'), 18, 'IncompleteBody', false, INCOMPLETE);
  }
});

test('trailers: a missing or malformed trailer → MalformedTrailerError; broken framing after one → IncompleteBody', () => {
  const data = [Buffer.from('abcdefg')];
  const good = signedBody(AWS_CTX, SEED, data, ['x-amz-checksum-crc64nvme:SmzZ/LTp1CA=']).toString('latin1');
  assert.equal(good.slice(216, 240), 'x-amz-trailer-signature:');
  // An empty trailer line where the checksum belongs.
  const empty = good.slice(0, 177) + good.slice(214);
  rejects(Buffer.from(empty, 'latin1'), 7, 'MalformedTrailerError', true, MALFORMED_TRAILER);
  const many = signedBody(AWS_CTX, SEED, data, Array.from({ length: 9 }, (_, i) => `x-amz-meta-t${i}:v`));
  rejects(many, 7, 'MalformedTrailerError', true, MALFORMED_TRAILER);
  const edits: Array<[number, number, string]> = [
    [175, 176, 'k'], // CRLF of the final chunk header
    [175, 177, 'cc'],
    [215, 216, 'bcd'], // CRLF after the checksum
    [220, 223, 'invalid'], // 'x-amz-trailer-signature:'
    [230, 235, 'abcd'],
    [241, 245, 'abcde'], // the trailer signature itself (65 hex digits)
    [306, 308, 'pp'], // final CRLF
    [304, 308, 'erty'],
  ];
  for (const [from, to, text] of edits) {
    rejects(Buffer.from(good.slice(0, from) + text + good.slice(to), 'latin1'), 7, 'IncompleteBody', true, INCOMPLETE);
  }
});

test('a chunk over the gateway limit → InvalidRequest, before any of it is held', () => {
  const header = `${(MAX_CHUNK_BYTES + 1).toString(16)};chunk-signature=${'0'.repeat(64)}\r\n`;
  rejects(Buffer.from(header), MAX_CHUNK_BYTES + 1, 'InvalidRequest');
});
