import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, FrameDecoder, FrameTooLarge } from '../../../../wire/grpc/framing.ts';
import { encodeGrpcMessage } from '../../../../wire/grpc/status.ts';
import { parseGrpcTimeout } from '../../../../wire/grpc/http2-transport.ts';

const payloads = [Buffer.from('hello'), Buffer.alloc(0), Buffer.alloc(70_000, 7), Buffer.from([0, 1, 2, 255])];
const stream = Buffer.concat(payloads.map(encodeFrame));

test('encodeFrame writes flag 0 and the big-endian length before the payload', () => {
  assert.deepEqual(encodeFrame(Buffer.from('abc')), Buffer.from([0, 0, 0, 0, 3, 0x61, 0x62, 0x63]));
  assert.deepEqual(encodeFrame(Buffer.alloc(0)), Buffer.from([0, 0, 0, 0, 0]));
});

test('several messages within one chunk come out in order, the empty one included', () => {
  const frames = new FrameDecoder(1 << 20).push(stream);
  assert.deepEqual(frames.map((f) => f.payload), payloads);
  assert.ok(frames.every((f) => !f.compressed));
});

test('messages split at every possible boundary decode the same', () => {
  for (let cut = 1; cut < 40; cut++) {
    const decoder = new FrameDecoder(1 << 20);
    const out = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
    assert.deepEqual(out.map((f) => f.payload), payloads, `cut at ${cut}`);
    assert.equal(decoder.pending, 0);
  }
});

test('one byte at a time: each message appears when its last byte arrives', () => {
  const decoder = new FrameDecoder(1 << 20);
  const out: Buffer[] = [];
  const completedAt: number[] = [];
  for (let i = 0; i < stream.length; i++) {
    for (const f of decoder.push(stream.subarray(i, i + 1))) {
      out.push(f.payload);
      completedAt.push(i + 1);
    }
  }
  assert.deepEqual(out, payloads);
  assert.deepEqual(completedAt, [10, 15, 70_020, 70_029]);
});

test('pending counts an incomplete prefix or message, so a truncated stream is detectable', () => {
  const decoder = new FrameDecoder(100);
  assert.equal(decoder.pending, 0);
  decoder.push(Buffer.from([0, 0, 0]));
  assert.equal(decoder.pending, 3);
  decoder.push(Buffer.from([0, 4, 1]));
  assert.equal(decoder.pending, 6);
  assert.deepEqual(decoder.push(Buffer.from([2, 3, 4])).map((f) => [...f.payload]), [[1, 2, 3, 4]]);
  assert.equal(decoder.pending, 0);
});

test('the compressed flag is reported', () => {
  const [f] = new FrameDecoder(100).push(Buffer.from([1, 0, 0, 0, 1, 9]));
  assert.equal(f?.compressed, true);
  assert.deepEqual(f?.payload, Buffer.from([9]));
});

test('a prefix announcing more than the limit throws at once, before the payload is buffered', () => {
  const decoder = new FrameDecoder(10);
  assert.deepEqual(decoder.push(encodeFrame(Buffer.alloc(10))).length, 1); // exactly the limit is fine
  assert.throws(
    () => decoder.push(Buffer.from([0, 0, 0, 0, 11])),
    (e: unknown) => e instanceof FrameTooLarge && e.length === 11 && e.max === 10 && /larger than max \(11 vs\. 10\)/.test(e.message),
  );
});

test('grpc-timeout units H M S m u n and malformed values', () => {
  assert.equal(parseGrpcTimeout('2H'), 7_200_000);
  assert.equal(parseGrpcTimeout('3M'), 180_000);
  assert.equal(parseGrpcTimeout('5S'), 5000);
  assert.equal(parseGrpcTimeout('250m'), 250);
  assert.equal(parseGrpcTimeout('1500u'), 1.5);
  assert.equal(parseGrpcTimeout('2000000n'), 2);
  assert.equal(parseGrpcTimeout('0m'), 0);
  for (const bad of ['', '5', 'S', '5s', '1.5S', '-1S', '123456789S', '5 S']) assert.equal(parseGrpcTimeout(bad), undefined, bad);
});

test('grpc-message percent-encodes non-printable ASCII, non-ASCII and % only', () => {
  assert.equal(encodeGrpcMessage('plain text: ok (1/2)'), 'plain text: ok (1/2)');
  assert.equal(encodeGrpcMessage('100%\nü'), '100%25%0A%C3%BC');
  assert.equal(decodeURIComponent(encodeGrpcMessage('naïve 50% \t done')), 'naïve 50% \t done');
});
