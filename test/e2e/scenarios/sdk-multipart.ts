// Multipart upload and presigned-URL scenarios for the @aws-sdk/client-s3 suite.
import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import {
  CreateMultipartUploadCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  ListPartsCommand,
  ListMultipartUploadsCommand,
  CompleteMultipartUploadCommand,
  AbortMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  HeadObjectCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  MiB, data, md5b64, md5hex, crc32b64, put, getAndCompare, expectHttpError, copySource, copyResultETag, type Ctx,
} from './sdk-helpers.ts';

export function defineMultipartScenarios(ctx: Ctx): void {
  describe('multipart upload', () => {
    const bucket = (): string => ctx.target().bucket;
    const copySrc = { key: `${ctx.prefix}mpu/copy-source.bin`, buf: data(MiB + 123) };
    before(async () => { await put(ctx, copySrc.key, copySrc.buf); });

    const create = async (key: string): Promise<string> => {
      const res = await ctx.client().send(new CreateMultipartUploadCommand({ Bucket: bucket(), Key: key }));
      assert.ok(res.UploadId, 'CreateMultipartUpload returned no UploadId');
      assert.equal(res.Key, key);
      return res.UploadId;
    };
    const uploadPart = async (key: string, uploadId: string, n: number, buf: Buffer): Promise<string> => {
      const res = await ctx.client().send(new UploadPartCommand({
        Bucket: bucket(), Key: key, UploadId: uploadId, PartNumber: n, Body: buf, ContentLength: buf.length, ContentMD5: md5b64(buf),
      }));
      assert.equal(res.ETag, `"${md5hex(buf)}"`, `ETag of part ${n}`);
      return res.ETag!;
    };

    it('Create, UploadPart ×2 (5 MiB), UploadPartCopy, ListParts, ListMultipartUploads, Complete, read back', async () => {
      const key = `${ctx.prefix}mpu/assembled.bin`;
      const parts = [data(5 * MiB), data(5 * MiB), copySrc.buf];
      const uploadId = await create(key);

      const etags = [await uploadPart(key, uploadId, 1, parts[0]!), await uploadPart(key, uploadId, 2, parts[1]!)];
      const copied = await ctx.client().send(new UploadPartCopyCommand({
        Bucket: bucket(), Key: key, UploadId: uploadId, PartNumber: 3, CopySource: copySource(bucket(), copySrc.key),
      }));
      assert.equal(copied.CopyPartResult?.ETag, copyResultETag(ctx.target(), copySrc.buf), 'ETag of the copied part');
      etags.push(`"${md5hex(copySrc.buf)}"`);

      const listed = await ctx.client().send(new ListPartsCommand({ Bucket: bucket(), Key: key, UploadId: uploadId }));
      assert.deepEqual(
        (listed.Parts ?? []).map((p) => [p.PartNumber, p.Size, p.ETag]),
        parts.map((b, i) => [i + 1, b.length, etags[i]]),
      );
      const uploads = await ctx.client().send(new ListMultipartUploadsCommand({ Bucket: bucket(), Prefix: key }));
      assert.ok((uploads.Uploads ?? []).some((u) => u.UploadId === uploadId && u.Key === key), 'upload not listed');

      const done = await ctx.client().send(new CompleteMultipartUploadCommand({
        Bucket: bucket(), Key: key, UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }));
      assert.match(done.ETag ?? '', /^"[0-9a-f]{32}-3"$/, 'multipart ETag');
      await getAndCompare(ctx, key, Buffer.concat(parts));
      const after = await ctx.client().send(new ListMultipartUploadsCommand({ Bucket: bucket(), Prefix: key }));
      assert.ok(!(after.Uploads ?? []).some((u) => u.UploadId === uploadId), 'completed upload still listed');
    });

    it('AbortMultipartUpload, then ListParts → 404 NoSuchUpload', async () => {
      const key = `${ctx.prefix}mpu/aborted.bin`;
      const uploadId = await create(key);
      await uploadPart(key, uploadId, 1, data(1000));
      const res = await ctx.client().send(new AbortMultipartUploadCommand({ Bucket: bucket(), Key: key, UploadId: uploadId }));
      assert.equal(res.$metadata.httpStatusCode, 204);
      await expectHttpError(
        ctx.client().send(new ListPartsCommand({ Bucket: bucket(), Key: key, UploadId: uploadId })), 404, 'NoSuchUpload',
      );
      await expectHttpError(ctx.client().send(new HeadObjectCommand({ Bucket: bucket(), Key: key })), 404);
    });
  });
}

export function definePresignScenarios(ctx: Ctx): void {
  describe('presigned URLs (fetch)', () => {
    const key = `${ctx.prefix}presign/a file+name.bin`;
    const buf = data(200 * 1024);

    it('presigned PUT uploads the body', async () => {
      // In WHEN_SUPPORTED mode the presigner puts x-amz-checksum-crc32 into the URL; without ChecksumCRC32
      // it would be the CRC32 of an empty body, which a verifying server rightly rejects (BadDigest).
      const checksum = ctx.mode === 'WHEN_SUPPORTED' ? { ChecksumCRC32: crc32b64(buf) } : {};
      const cmd = new PutObjectCommand({ Bucket: ctx.target().bucket, Key: key, ...checksum });
      const url = await getSignedUrl(ctx.client(), cmd, { expiresIn: 300 });
      if (ctx.mode === 'WHEN_SUPPORTED') assert.equal(new URL(url).searchParams.get('x-amz-checksum-crc32'), crc32b64(buf));
      const res = await fetch(url, { method: 'PUT', body: new Uint8Array(buf) });
      assert.equal(res.status, 200, `presigned PUT: HTTP ${res.status} ${await res.text()}`);
      assert.equal(res.headers.get('etag'), `"${md5hex(buf)}"`);
      await getAndCompare(ctx, key, buf);
    });

    it('presigned GET returns the bytes; a tampered signature → 403', async () => {
      const url = await getSignedUrl(ctx.client(), new GetObjectCommand({ Bucket: ctx.target().bucket, Key: key }), { expiresIn: 300 });
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), buf);
      const bad = new URL(url);
      const sig = bad.searchParams.get('X-Amz-Signature') ?? '';
      bad.searchParams.set('X-Amz-Signature', sig.replace(/^./, (c) => (c === '0' ? '1' : '0')));
      const denied = await fetch(bad);
      await denied.arrayBuffer();
      assert.equal(denied.status, 403);
    });
  });
}
