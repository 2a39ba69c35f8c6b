// Shared pieces of the @aws-sdk/client-s3 scenarios: client construction, bodies, digests, error checks.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import {
  S3Client,
  PutObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  AbortMultipartUploadCommand,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { capsOf, type Target } from '../../../testkit/target.ts';

export type ChecksumMode = 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
export type BodyKind = 'buffer' | 'stream';
export const MiB = 1024 * 1024;

/** What every scenario test gets: resolved lazily, because the target exists only once `before` ran. */
export interface Ctx {
  readonly mode: ChecksumMode;
  target(): Target;
  client(): S3Client;
  /** Unique prefix of this suite run, ending in "/". */
  readonly prefix: string;
}

export function makeClient(t: Target, mode: ChecksumMode): S3Client {
  return new S3Client({
    endpoint: t.endpoint,
    region: t.region,
    forcePathStyle: t.forcePathStyle,
    // Explicit credentials: ambient AWS_ACCESS_KEY_ID / AWS_PROFILE must never be used.
    credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
    requestChecksumCalculation: mode,
    responseChecksumValidation: mode,
    maxAttempts: 1, // a retry would hide a failure
  });
}

export const data = (n: number): Buffer => randomBytes(n);
export const md5b64 = (b: Buffer): string => createHash('md5').update(b).digest('base64');
export const md5hex = (b: Buffer): string => createHash('md5').update(b).digest('hex');
/** Base64 of the big-endian CRC32, as in x-amz-checksum-crc32. */
export const crc32b64 = (b: Buffer): string => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b) >>> 0);
  return out.toString('base64');
};
export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A Readable of `buf` in 1 MiB chunks (Readable.from(buffer) would emit it as one chunk). */
export function toStream(buf: Buffer, chunk = MiB): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk));
  return Readable.from(parts);
}

/** Size and SHA-256 of a response body, read as a stream (works for large objects). */
export async function digestBody(body: unknown): Promise<{ size: number; sha256: string }> {
  assert.ok(body instanceof Readable, 'response body should be a Node Readable');
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) { h.update(chunk); size += chunk.length; }
  return { size, sha256: h.digest('hex') };
}

export async function bodyBytes(body: unknown): Promise<Buffer> {
  assert.ok(body instanceof Readable, 'response body should be a Node Readable');
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** PutObject with Content-MD5 and Content-Length, from a Buffer or a stream of it; returns the ETag. */
export async function put(
  ctx: Ctx, key: string, buf: Buffer, kind: BodyKind = 'buffer', extra: Partial<PutObjectCommandInput> = {},
): Promise<string> {
  const res = await ctx.client().send(new PutObjectCommand({
    Bucket: ctx.target().bucket,
    Key: key,
    Body: kind === 'buffer' ? buf : toStream(buf),
    ContentLength: buf.length,
    ContentMD5: md5b64(buf),
    ...extra,
  }));
  assert.equal(res.ETag, `"${md5hex(buf)}"`, `ETag of ${key}`);
  return res.ETag!;
}

/** GetObject and assert the body is byte-identical to `expected` (by size and SHA-256). */
export async function getAndCompare(ctx: Ctx, key: string, expected: Buffer): Promise<void> {
  const res = await ctx.client().send(new GetObjectCommand({ Bucket: ctx.target().bucket, Key: key }));
  assert.equal(res.ContentLength, expected.length, `ContentLength of ${key}`);
  assert.deepEqual(await digestBody(res.Body), { size: expected.length, sha256: sha256(expected) }, `body of ${key}`);
}

interface SdkError { name?: string; $metadata?: { httpStatusCode?: number } }

/** Awaits `p`, which must fail with HTTP `status` (and error code `code`, if given). */
export async function expectHttpError(p: Promise<unknown>, status: number, code?: string): Promise<void> {
  let result: unknown;
  try {
    result = await p;
  } catch (err) {
    const e = err as SdkError;
    assert.equal(e.$metadata?.httpStatusCode, status, `expected HTTP ${status}, got ${String(err)}`);
    if (code !== undefined) assert.equal(e.name, code, `expected error code ${code}`);
    return;
  }
  const got = (result as SdkError | undefined)?.$metadata?.httpStatusCode;
  assert.fail(`expected HTTP ${status}${code ? ` ${code}` : ''}, but the request succeeded with HTTP ${got}`);
}

/** The ETag a CopyObjectResult / CopyPartResult must carry for `buf` (see Capabilities.quotedCopyETag). */
export function copyResultETag(t: Target, buf: Buffer): string {
  return capsOf(t).quotedCopyETag ? `"${md5hex(buf)}"` : md5hex(buf);
}

/** x-amz-copy-source value: bucket/key with each key segment URL-encoded. */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** All keys under `prefix` (ListObjectsV2, following continuation tokens). */
export async function listAllKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const res = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of res.Contents ?? []) keys.push(o.Key!);
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Deletes every object and aborts every multipart upload under `prefix`. */
export async function cleanPrefix(client: S3Client, bucket: string, prefix: string): Promise<void> {
  const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  for (const u of uploads.Uploads ?? []) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key!, UploadId: u.UploadId! }));
  }
  const keys = await listAllKeys(client, bucket, prefix);
  for (let i = 0; i < keys.length; i += 1000) {
    await client.send(new DeleteObjectsCommand({
      Bucket: bucket,
      Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
    }));
  }
}
