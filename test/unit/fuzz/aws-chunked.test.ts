// Fuzzes the aws-chunked decoder (extproc/bodies/aws-chunked.ts): a random payload encoded into
// signed frames (random chunk sizes, with or without trailers) and fed at random split points comes
// out as exactly the frames the backend's chain would sign, carrying the same bytes; a mutated body
// (bytes flipped, inserted, removed, cut short) gives only S3Error, and if it is accepted anyway
// (a change the signatures do not cover, e.g. a leading 0 in a size) it still carries the same bytes;
// split points never change the outcome.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ChainContext } from '../../../core/sigv4/chunk-signature.ts';
import { signingKey } from '../../../core/sigv4/signing-key.ts';
import { AwsChunkedResigner, type ChainEnds } from '../../../extproc/bodies/aws-chunked.ts';
import { signedChunkedBody } from '../../../testkit/chunked-client.ts';
import { cuts, onlyS3Errors, params, pieces, testOptions } from './fuzz.ts';

const CLIENT: ChainContext = {
  key: signingKey('client-secret', '20240229', 'us-east-1', 's3'),
  datetime: '20240229T123456Z',
  scope: '20240229/us-east-1/s3/aws4_request',
};
const BACKEND: ChainContext = {
  key: signingKey('backend-secret', '20240229', 'eu-west-1', 's3'),
  datetime: '20240229T123457Z',
  scope: '20240229/eu-west-1/s3/aws4_request',
};
const CLIENT_SEED = 'c'.repeat(64);
const BACKEND_SEED = 'b'.repeat(64);

const ends = (decodedLength: number, trailer: boolean): ChainEnds => ({
  accessKeyId: 'AKIDFUZZ',
  client: { ...CLIENT, seed: CLIENT_SEED },
  backend: { ...BACKEND, seed: BACKEND_SEED },
  trailer,
  decodedLength,
});

// Trailer lines in canonical form (lower-case name, no padding), which is what the builder signs.
const upload = fc.record({
  chunks: fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => Buffer.from(a)), { maxLength: 5 }),
  trailers: fc.option(
    fc.array(fc.constantFrom('x-amz-checksum-crc32:AAAAAA==', 'x-amz-checksum-sha256:abc', 'x-other:v'), { minLength: 1, maxLength: 3 }),
    { nil: undefined },
  ),
});

/** Every piece pushed, then end(): the bytes emitted. */
function run(r: AwsChunkedResigner, body: Buffer, at: readonly number[]): Buffer {
  const out = pieces(body, at).map((p) => r.push(p));
  r.end();
  return Buffer.concat(out);
}

/** The data of a well-formed aws-chunked body (the test's own reading: sizes and CRLFs only). */
function dataOf(body: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; ; ) {
    const eol = body.indexOf('\r\n', at);
    const size = parseInt(body.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
    if (size === 0) return Buffer.concat(out);
    out.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

test('encode, feed at random split points, re-sign: the backend chain of the same bytes', testOptions, () => {
  fc.assert(
    fc.property(upload, cuts, ({ chunks, trailers }, at) => {
      const body = signedChunkedBody(CLIENT, CLIENT_SEED, chunks, trailers);
      const length = chunks.reduce((n, c) => n + c.length, 0);
      const out = run(new AwsChunkedResigner(ends(length, trailers !== undefined)), body, at);
      assert.deepEqual(out, signedChunkedBody(BACKEND, BACKEND_SEED, chunks, trailers));
      assert.deepEqual(dataOf(out), Buffer.concat(chunks));
    }),
    params(300),
  );
});

type ByteEdit = { op: 'flip' | 'insert' | 'delete' | 'truncate'; at: number; bytes: Uint8Array };
const byteEdit: fc.Arbitrary<ByteEdit> = fc.record({
  op: fc.constantFrom('flip', 'insert', 'delete', 'truncate'),
  at: fc.nat(),
  bytes: fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 4 }),
    fc.constantFrom(...['\r\n', ';', '0', 'f', 'chunk-signature=', ':', '\r'].map((s) => new Uint8Array(Buffer.from(s)))),
  ),
});

function applyByteEdit(b: Buffer, e: ByteEdit): Buffer {
  const at = b.length === 0 ? 0 : e.at % b.length;
  switch (e.op) {
    case 'flip':
      return Buffer.concat([b.subarray(0, at), Buffer.from([(b[at] ?? 0) ^ (e.bytes[0]! || 1)]), b.subarray(at + 1)]);
    case 'insert':
      return Buffer.concat([b.subarray(0, at), e.bytes, b.subarray(at)]);
    case 'delete':
      return Buffer.concat([b.subarray(0, at), b.subarray(at + e.bytes.length)]);
    case 'truncate':
      return b.subarray(0, at);
  }
}

test('a mutated body gives only S3 errors, and an accepted one still carries the same bytes', testOptions, () => {
  fc.assert(
    fc.property(upload, fc.array(byteEdit, { minLength: 1, maxLength: 3 }), cuts, fc.integer({ min: -2, max: 2 }), ({ chunks, trailers }, edits, at, lengthDelta) => {
      const body = edits.reduce(applyByteEdit, signedChunkedBody(CLIENT, CLIENT_SEED, chunks, trailers));
      const length = chunks.reduce((n, c) => n + c.length, 0);
      const resigner = () => new AwsChunkedResigner(ends(length + lengthDelta, trailers !== undefined));
      const outcome = onlyS3Errors(() => run(resigner(), body, at));
      // Whatever the split points: the same output or the same error as the body in one piece.
      const whole = onlyS3Errors(() => run(resigner(), body, []));
      assert.deepEqual('error' in outcome ? outcome.error.code : outcome.value, 'error' in whole ? whole.error.code : whole.value);
      if ('value' in outcome) {
        assert.equal(lengthDelta, 0);
        assert.deepEqual(dataOf(outcome.value), Buffer.concat(chunks));
      }
    }),
    params(500),
  );
});

test('random bytes gives only S3 errors', testOptions, () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 700 }), fc.nat(1000), fc.boolean(), cuts, (bytes, length, trailer, at) => {
      onlyS3Errors(() => run(new AwsChunkedResigner(ends(length, trailer)), Buffer.from(bytes), at));
    }),
    params(300),
  );
});
