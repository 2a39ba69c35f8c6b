// minio-js 8 (npm `minio`), in this process: makeBucket/bucketExists/removeBucket, putObject from a
// Buffer and (multipart) from a stream, fPutObject, getObject, getPartialObject, statObject,
// listObjectsV2, copyObject, presigned PUT and GET, removeObject, removeObjects — each checked against
// the backend itself. Its transportAgent carries both the test CA (`ca`) and the resolver for the test
// domain (`lookup`): Node's own per-agent mechanisms, nothing global.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { TestContext } from 'node:test';
import { Client, CopyDestinationOptions, CopySourceOptions } from 'minio';
import { SCRATCH_BUCKET, type ClientTarget } from './client-world.ts';
import { ensureNodePackage } from './installed.ts';
import { lookupFor } from './node-lookup.ts';
import { Steps } from './steps.ts';
import {
  MiB, backendKeys, checkPresignedGet, expectAbsentOnBackend, expectOnBackend, md5hex, requestUrl, scratchBucketExists, sha256,
  writeRandom,
} from './verify.ts';

export function ensureMinioJs(): void {
  ensureNodePackage('minio', 'npm install (minio is a devDependency)');
}

function makeClient(t: ClientTarget, withCa = true): { client: Client; agent: http.Agent } {
  const lookup = lookupFor(t.domain, '127.0.0.1', undefined, (n) => t.noteResolved(n));
  const secure = t.spec.transport === 'https';
  const ca = secure && withCa ? { ca: readFileSync(t.caFile ?? assert.fail('https run without a CA')) } : {};
  const agent = secure ? new https.Agent({ keepAlive: true, lookup, ...ca }) : new http.Agent({ keepAlive: true, lookup });
  const client = new Client({
    endPoint: t.host,
    port: t.port,
    useSSL: secure,
    accessKey: t.accessKeyId,
    secretKey: t.secretAccessKey,
    region: t.region,
    pathStyle: t.spec.style === 'path',
    partSize: 5 * MiB,
    transportAgent: agent,
  });
  return { client, agent };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function chunks(buf: Buffer, size = MiB): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

/** A client whose agent lacks the test CA: listing must fail certificate verification. */
export async function minioJsWithoutCa(t: ClientTarget): Promise<string> {
  const { client, agent } = makeClient(t, false);
  try {
    const listing = client.listObjectsV2(t.bucket, '', true) as AsyncIterable<unknown>;
    for await (const _ of listing) break;
  } catch (e) {
    return String(e);
  } finally {
    agent.destroy();
  }
  return assert.fail('minio-js listed the bucket over TLS without the test CA');
}

export async function minioJsScenario(t: ClientTarget, tc: TestContext): Promise<void> {
  const { client, agent } = makeClient(t);
  try {
    await steps(t, tc, client);
  } finally {
    agent.destroy();
  }
}

async function steps(t: ClientTarget, tc: TestContext, mc: Client): Promise<void> {
  const { bucket: B, prefix: P, dir } = t;
  const small = writeRandom(dir, 'small.txt', 1000);
  const big = writeRandom(dir, 'big.bin', 12 * MiB);
  const s = new Steps(tc);

  await s.run('makeBucket, bucketExists, removeBucket', async () => {
    await mc.makeBucket(SCRATCH_BUCKET, t.region);
    assert.equal(await mc.bucketExists(SCRATCH_BUCKET), true);
    assert.ok(await scratchBucketExists(t.defaultBackend), `${SCRATCH_BUCKET} not on the default backend`);
    await mc.removeBucket(SCRATCH_BUCKET);
    assert.equal(await scratchBucketExists(t.defaultBackend), false, `${SCRATCH_BUCKET} not removed`);
  });
  await s.run('putObject from a Buffer (single PUT)', async () => {
    const res = await mc.putObject(B, `${P}small.txt`, small, small.length, { 'Content-Type': 'text/x-test', 'X-Amz-Meta-Color': 'blue' });
    assert.equal(res.etag, md5hex(small));
    await expectOnBackend(t, `${P}small.txt`, small);
  });
  await s.run('putObject 12 MiB from a stream (multipart, 5 MiB parts)', async () => {
    const res = await mc.putObject(B, `${P}big.bin`, chunks(big), big.length);
    assert.match(res.etag, /-3$/, `not a 3-part multipart ETag: ${res.etag}`);
    await expectOnBackend(t, `${P}big.bin`, big);
  });
  await s.run('fPutObject (key with space and +)', async () => {
    await mc.fPutObject(B, `${P}dir/with space+plus.txt`, path.join(dir, 'small.txt'));
    await expectOnBackend(t, `${P}dir/with space+plus.txt`, small);
  });
  await s.run('getObject 12 MiB', async () => {
    const got = await readAll(await mc.getObject(B, `${P}big.bin`));
    assert.equal(sha256(got), sha256(big));
  });
  await s.run('getPartialObject offset 100 length 100 (Range)', async () => {
    assert.deepEqual(await readAll(await mc.getPartialObject(B, `${P}small.txt`, 100, 100)), small.subarray(100, 200));
  });
  await s.run('statObject: size, ETag, content type, metadata', async () => {
    const st = await mc.statObject(B, `${P}small.txt`);
    assert.equal(st.size, 1000);
    assert.equal(st.etag, md5hex(small));
    assert.equal(st.metaData['content-type'], 'text/x-test');
    assert.equal(st.metaData.color, 'blue');
  });
  await s.run('copyObject', async () => {
    await mc.copyObject(new CopySourceOptions({ Bucket: B, Object: `${P}small.txt` }), new CopyDestinationOptions({ Bucket: B, Object: `${P}copy.txt` }));
    await expectOnBackend(t, `${P}copy.txt`, small);
  });
  await s.run('listObjectsV2 recursive', async () => {
    const names: string[] = [];
    for await (const o of mc.listObjectsV2(B, P, true) as AsyncIterable<{ name?: string }>) if (o.name) names.push(o.name);
    assert.deepEqual(names.sort(), ['big.bin', 'copy.txt', 'dir/with space+plus.txt', 'small.txt'].map((k) => P + k));
  });
  await s.run('presignedPutObject + presignedGetObject', async () => {
    const key = `${P}presigned file.bin`;
    const put = await requestUrl(t, await mc.presignedPutObject(B, key, 300), { method: 'PUT', body: small });
    assert.equal(put.status, 200, `presigned PUT: HTTP ${put.status} ${put.body.toString('utf8').slice(0, 500)}`);
    await expectOnBackend(t, key, small);
    await checkPresignedGet(t, await mc.presignedGetObject(B, key, 300), small);
  });
  await s.run('removeObject', async () => {
    await mc.removeObject(B, `${P}copy.txt`);
    await expectAbsentOnBackend(t, `${P}copy.txt`);
  });
  await s.run('removeObjects (DeleteObjects)', async () => {
    const res = await mc.removeObjects(B, await backendKeys(t));
    assert.deepEqual(res.filter((r) => r?.Error), [], 'removeObjects reported errors');
    assert.deepEqual(await backendKeys(t), []);
  });
  s.assertAllPassed();
}
