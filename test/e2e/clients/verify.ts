// Checks a client run against ground truth: objects read straight from the backend (not through the
// gateway or the client under test), local files with random content, and plain HTTP(S) requests for
// presigned URLs that trust only the test CA and resolve virtual-host names to 127.0.0.1.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import {
  DeleteBucketCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { directClient } from '../../../testkit/backends.ts';
import { SCRATCH_BUCKET, type ClientTarget } from './client-world.ts';
import { lookupFor } from './node-lookup.ts';

export const MiB = 1024 * 1024;
export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
export const md5hex = (b: Buffer): string => createHash('md5').update(b).digest('hex');

/** Writes `size` random bytes to dir/rel (creating folders) and returns them. */
export function writeRandom(dir: string, rel: string, size: number): Buffer {
  const buf = randomBytes(size);
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, buf);
  return buf;
}

/** rel path -> SHA-256 of every file under `dir`. */
export function treeDigest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = sha256(readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** Asserts that local file `file` holds exactly `expected`. */
export function assertFile(file: string, expected: Buffer): void {
  const got = readFileSync(file);
  assert.equal(got.length, expected.length, `size of ${file}`);
  assert.equal(sha256(got), sha256(expected), `content of ${file}`);
}

async function readBody(body: unknown): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** The object's bytes as the backend itself has them (its own credentials, bypassing the gateway). */
export async function backendObject(t: ClientTarget, key: string, bucket = t.bucket): Promise<Buffer> {
  const s3 = directClient(t.backend);
  try {
    return await readBody((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body);
  } finally {
    s3.destroy();
  }
}

export async function expectOnBackend(t: ClientTarget, key: string, expected: Buffer, bucket = t.bucket): Promise<void> {
  const got = await backendObject(t, key, bucket).catch((e: Error) => assert.fail(`${bucket}/${key} is not on ${t.backend.name}: ${e.name} ${e.message}`));
  assert.equal(got.length, expected.length, `size of ${bucket}/${key} on ${t.backend.name}`);
  assert.equal(sha256(got), sha256(expected), `content of ${bucket}/${key} on ${t.backend.name}`);
}

export async function expectAbsentOnBackend(t: ClientTarget, key: string): Promise<void> {
  const s3 = directClient(t.backend);
  try {
    const status = await s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: key })).then(
      () => 200,
      (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode,
    );
    assert.equal(status, 404, `${t.bucket}/${key} should be gone from ${t.backend.name}`);
  } finally {
    s3.destroy();
  }
}

/** Keys under `prefix` as the backend lists them. */
export async function backendKeys(t: ClientTarget, prefix = t.prefix): Promise<string[]> {
  const s3 = directClient(t.backend);
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await s3.send(new ListObjectsV2Command({ Bucket: t.bucket, Prefix: prefix, ContinuationToken: token }));
      keys.push(...(res.Contents ?? []).map((o) => o.Key!));
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  } finally {
    s3.destroy();
  }
}

/** Whether the scratch bucket exists on the default backend (versitygw). */
export async function scratchBucketExists(versity: ClientTarget['backend']): Promise<boolean> {
  const s3 = directClient(versity);
  try {
    return await s3.send(new HeadBucketCommand({ Bucket: SCRATCH_BUCKET })).then(() => true, () => false);
  } finally {
    s3.destroy();
  }
}

/** Removes what a run left behind, straight on the backends: its prefix, and the scratch bucket. */
export async function cleanUpRun(t: ClientTarget): Promise<void> {
  const versity = t.defaultBackend;
  const keys = await backendKeys(t).catch(() => []);
  const s3 = directClient(t.backend);
  try {
    if (keys.length) await s3.send(new DeleteObjectsCommand({ Bucket: t.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
  } finally {
    s3.destroy();
  }
  if (!(await scratchBucketExists(versity))) return;
  const v = directClient(versity);
  try {
    const listed = await v.send(new ListObjectsV2Command({ Bucket: SCRATCH_BUCKET }));
    const objects = (listed.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (objects.length) await v.send(new DeleteObjectsCommand({ Bucket: SCRATCH_BUCKET, Delete: { Objects: objects, Quiet: true } }));
    await v.send(new DeleteBucketCommand({ Bucket: SCRATCH_BUCKET }));
  } finally {
    v.destroy();
  }
}

export interface UrlResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request to a (presigned) URL the client produced: trusts only the run's CA, resolves the test domain. */
export function requestUrl(t: ClientTarget, url: string, opts: { method?: string; body?: Buffer; headers?: Record<string, string> } = {}): Promise<UrlResponse> {
  const u = new URL(url);
  const secure = u.protocol === 'https:';
  const lookup = lookupFor(t.domain, '127.0.0.1', undefined, (n) => t.noteResolved(n));
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(u, {
      method: opts.method ?? 'GET',
      headers: { ...opts.headers, ...(opts.body && { 'content-length': String(opts.body.length) }) },
      lookup,
      ...(secure && { ca: readFileSync(t.caFile ?? assert.fail('https URL in a run without a CA')) }),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** GET a presigned URL and expect `expected`; then the same URL with a tampered signature must get 403. */
export async function checkPresignedGet(t: ClientTarget, url: string, expected: Buffer): Promise<void> {
  const u = new URL(url);
  assert.equal(u.host, t.spec.style === 'virtual' ? `${t.bucket}.${t.domain}:${t.port}` : `${t.host}:${t.port}`, `presigned URL host: ${url}`);
  const res = await requestUrl(t, url);
  assert.equal(res.status, 200, `presigned GET: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 500)}`);
  assert.equal(sha256(res.body), sha256(expected), 'presigned GET body');
  const sig = u.searchParams.get('X-Amz-Signature');
  assert.ok(sig, `no X-Amz-Signature in ${url} (SigV2?)`);
  u.searchParams.set('X-Amz-Signature', sig.replace(/^./, (c) => (c === '0' ? '1' : '0')));
  const bad = await requestUrl(t, u.toString());
  assert.equal(bad.status, 403, 'a presigned URL with a tampered signature must be refused');
}
