// @aws-sdk/client-s3 scenarios against one S3 endpoint (a backend directly, or the gateway). Every suite
// runs once per checksum mode (WHEN_SUPPORTED: CRC32 headers/trailers and aws-chunked streams;
// WHEN_REQUIRED: plain/unsigned payloads), works under a unique key prefix and removes it afterwards.
import assert from 'node:assert/strict';
import { describe, it, before, after } from 'node:test';
import {
  S3Client,
  GetObjectCommand,
  HeadObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  CopyObjectCommand,
} from '@aws-sdk/client-s3';
import { capsOf, runPrefix, type Target } from '../../../testkit/target.ts';
import {
  MiB, data, md5hex, put, getAndCompare, bodyBytes, expectHttpError, copySource, copyResultETag, listAllKeys, cleanPrefix,
  makeClient, type Ctx, type ChecksumMode, type BodyKind,
} from './sdk-helpers.ts';
import { defineListScenarios } from './sdk-list.ts';
import { defineMultipartScenarios, definePresignScenarios } from './sdk-multipart.ts';

export type { Target } from '../../../testkit/target.ts';

const MODES: ChecksumMode[] = ['WHEN_SUPPORTED', 'WHEN_REQUIRED'];
/** 64 MiB is sent only in this mode (as a stream: aws-chunked with a CRC32 trailer) to save time. */
const LARGE_MODE: ChecksumMode = 'WHEN_SUPPORTED';

export function defineSdkScenarios(getTarget: () => Target, label: string): void {
  for (const mode of MODES) {
    describe(`${label} · aws-sdk-js v3 · checksums ${mode}`, () => {
      let client: S3Client | undefined;
      const ctx: Ctx = {
        mode,
        prefix: runPrefix(`${label}-sdk-${mode}`),
        target: getTarget,
        client: () => client ?? assert.fail('client not created (before hook failed?)'),
      };
      before(() => { client = makeClient(getTarget(), mode); });
      after(async () => {
        if (!client) return;
        try {
          await cleanPrefix(client, getTarget().bucket, ctx.prefix);
        } finally {
          client.destroy();
        }
      });
      defineObjectScenarios(ctx);
      defineListScenarios(ctx);
      defineMultipartScenarios(ctx);
      definePresignScenarios(ctx);
    });
  }
}

function defineObjectScenarios(ctx: Ctx): void {
  const sizes: Array<[string, number]> = [['0 B', 0], ['1 B', 1], ['5 MiB', 5 * MiB]];
  const kinds: BodyKind[] = ['buffer', 'stream'];
  for (const [name, size] of sizes) {
    for (const kind of kinds) {
      it(`PutObject (${kind}, Content-MD5) + GetObject byte-identical: ${name}`, async () => {
        const key = `${ctx.prefix}sizes/${size}-${kind}.bin`;
        const buf = data(size);
        await put(ctx, key, buf, kind);
        await getAndCompare(ctx, key, buf);
      });
    }
  }
  if (ctx.mode === LARGE_MODE) {
    it('PutObject (stream, Content-MD5) + GetObject byte-identical: 64 MiB', async () => {
      const key = `${ctx.prefix}sizes/64MiB-stream.bin`;
      const buf = data(64 * MiB);
      await put(ctx, key, buf, 'stream');
      await getAndCompare(ctx, key, buf);
    });
  }

  describe('one 1000-byte object', () => {
    const obj = { key: `${ctx.prefix}obj/thing.txt`, buf: data(1000), etag: '' };
    before(async () => {
      obj.etag = await put(ctx, obj.key, obj.buf, 'buffer', { ContentType: 'text/x-test', Metadata: { color: 'blue' } });
    });
    const get = (extra: Record<string, unknown>) =>
      ctx.client().send(new GetObjectCommand({ Bucket: ctx.target().bucket, Key: obj.key, ...extra }));

    it('HeadObject returns size, ETag, content type and user metadata', async () => {
      const res = await ctx.client().send(new HeadObjectCommand({ Bucket: ctx.target().bucket, Key: obj.key }));
      assert.equal(res.ContentLength, obj.buf.length);
      assert.equal(res.ETag, `"${md5hex(obj.buf)}"`);
      assert.equal(res.ContentType, 'text/x-test');
      assert.deepEqual(res.Metadata, { color: 'blue' });
      assert.ok(res.LastModified instanceof Date);
    });

    it('HeadObject of a missing key → 404', async () => {
      await expectHttpError(ctx.client().send(new HeadObjectCommand({ Bucket: ctx.target().bucket, Key: `${ctx.prefix}nope` })), 404);
    });

    it('GetObject Range bytes=100-199 and suffix bytes=-10', async () => {
      const r1 = await get({ Range: 'bytes=100-199' });
      assert.equal(r1.$metadata.httpStatusCode, 206);
      assert.equal(r1.ContentRange, `bytes 100-199/${obj.buf.length}`);
      assert.deepEqual(await bodyBytes(r1.Body), obj.buf.subarray(100, 200));
      const r2 = await get({ Range: 'bytes=-10' });
      assert.equal(r2.$metadata.httpStatusCode, 206);
      assert.deepEqual(await bodyBytes(r2.Body), obj.buf.subarray(obj.buf.length - 10));
    });

    it('conditional GET: If-Match right → 200, wrong → 412', async () => {
      const ok = await get({ IfMatch: obj.etag });
      assert.equal(ok.$metadata.httpStatusCode, 200);
      assert.deepEqual(await bodyBytes(ok.Body), obj.buf);
      await expectHttpError(get({ IfMatch: '"0123456789abcdef0123456789abcdef"' }), 412);
    });

    it('conditional GET: If-None-Match ETag → 304', async () => {
      await expectHttpError(get({ IfNoneMatch: obj.etag }), 304);
    });

    it('conditional GET: If-Modified-Since future → 304 (or 200 without caps.ifModifiedSinceFuture)', async () => {
      const p = get({ IfModifiedSince: new Date(Date.now() + 86_400_000) });
      if (capsOf(ctx.target()).ifModifiedSinceFuture) return expectHttpError(p, 304);
      const res = await p; // RFC 9110 §13.1.3: a date in the future is invalid, so the condition is ignored
      assert.equal(res.$metadata.httpStatusCode, 200);
      assert.deepEqual(await bodyBytes(res.Body), obj.buf);
    });

    it('conditional GET: If-Unmodified-Since past → 412', async () => {
      await expectHttpError(get({ IfUnmodifiedSince: new Date('2001-01-01T00:00:00Z') }), 412);
    });
  });

  /** PUT, GET, HEAD each key under `dir/`, then list `dir/` and expect `listed(key)` for each. */
  const roundTripKeys = async (names: string[], dir: string, listed = (k: string) => k): Promise<void> => {
    const base = `${ctx.prefix}${dir}/`;
    const expected = new Map(names.map((n) => [base + n, n.endsWith('/') ? Buffer.alloc(0) : data(37)]));
    for (const [key, buf] of expected) await put(ctx, key, buf);
    for (const [key, buf] of expected) {
      await getAndCompare(ctx, key, buf);
      const head = await ctx.client().send(new HeadObjectCommand({ Bucket: ctx.target().bucket, Key: key }));
      assert.equal(head.ContentLength, buf.length, `HeadObject ${key}`);
    }
    assert.deepEqual(await listAllKeys(ctx.client(), ctx.target().bucket, base), [...expected.keys()].map(listed).sort());
  };

  it('keys with space, unicode, +, %, trailing / round-trip and list verbatim', async () => {
    await roundTripKeys(['with space.txt', 'unicodé-日本語-😀.txt', 'plus+sign.txt', 'per%cent%20.txt', 'dir/trailing/'], 'keys');
  });

  it('key with an empty path segment (a//b) round-trips; listed verbatim (collapsed without caps.emptyPathSegmentKeys)', async () => {
    const caps = capsOf(ctx.target());
    if (!caps.emptyPathSegmentKeysStored) {
      await expectHttpError(put(ctx, `${ctx.prefix}dslash/double//slash.txt`, data(1)), 400, 'XMinioInvalidObjectName');
      return;
    }
    const verbatim = caps.emptyPathSegmentKeys;
    await roundTripKeys(['double//slash.txt'], 'dslash', (k) => (verbatim ? k : k.replace(/\/\/+/g, '/')));
  });

  it('DeleteObject removes the object (then GetObject → 404 NoSuchKey)', async () => {
    const key = `${ctx.prefix}del/one.txt`;
    await put(ctx, key, data(10));
    const res = await ctx.client().send(new DeleteObjectCommand({ Bucket: ctx.target().bucket, Key: key }));
    assert.equal(res.$metadata.httpStatusCode, 204);
    await expectHttpError(ctx.client().send(new GetObjectCommand({ Bucket: ctx.target().bucket, Key: key })), 404, 'NoSuchKey');
  });

  it('DeleteObjects removes several keys and reports each', async () => {
    const base = `${ctx.prefix}multidel/`;
    for (const k of ['a', 'b', 'c']) await put(ctx, base + k, data(5));
    const res = await ctx.client().send(new DeleteObjectsCommand({
      Bucket: ctx.target().bucket,
      Delete: { Objects: [{ Key: `${base}a` }, { Key: `${base}b` }, { Key: `${base}missing` }] },
    }));
    assert.deepEqual((res.Errors ?? []).map((e) => e.Key), []);
    assert.deepEqual((res.Deleted ?? []).map((d) => d.Key).sort(), [`${base}a`, `${base}b`, `${base}missing`]);
    assert.deepEqual(await listAllKeys(ctx.client(), ctx.target().bucket, base), [`${base}c`]);
  });

  it('CopyObject within the bucket (source key with a space) copies bytes and metadata', async () => {
    const src = `${ctx.prefix}copy/source file.bin`;
    const dst = `${ctx.prefix}copy/dest.bin`;
    const buf = data(300 * 1024);
    await put(ctx, src, buf, 'buffer', { Metadata: { origin: 'src' } });
    const res = await ctx.client().send(new CopyObjectCommand({
      Bucket: ctx.target().bucket, Key: dst, CopySource: copySource(ctx.target().bucket, src),
    }));
    assert.equal(res.CopyObjectResult?.ETag, copyResultETag(ctx.target(), buf));
    await getAndCompare(ctx, dst, buf);
    const head = await ctx.client().send(new HeadObjectCommand({ Bucket: ctx.target().bucket, Key: dst }));
    assert.deepEqual(head.Metadata, { origin: 'src' });
  });
}
