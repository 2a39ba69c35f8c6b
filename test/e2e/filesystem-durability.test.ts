// A filesystem backend's managed versitygw SIGKILLed in the middle of 50 concurrent uploads: each
// upload ends with 200 or an S3 error (never a hang), the gateway serves again by itself, and no
// partial or corrupt object is visible afterwards. While versitygw is down, requests get 503 S3 XML.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { FS_BUCKET, FS_USER, pacedPut, useFilesystemGateway, type PacedResult } from '../../testkit/filesystem.ts';
import { waitUntil } from '../../testkit/process.ts';
import { errorCode } from '../../testkit/raw-request.ts';
import { bodyBytes, data, makeClient, md5b64, md5hex, MiB } from './scenarios/sdk-helpers.ts';

const UPLOADS = 50;
const UPLOAD_TIMEOUT_MS = 45_000;
const RECOVERY_MS = 30_000;

interface Upload {
  key: string;
  buf: Buffer;
  result?: PacedResult;
  /** Finished (with any outcome) before versitygw was killed. */
  beforeKill?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** 200, or a 5xx with an S3 XML error body, or no HTTP answer at all that is not our own timeout. */
function describeOutcome(r: PacedResult): 'ok' | 's3-error' | 'connection-error' | 'bad' {
  if (r.status === 200) return 'ok';
  if (r.status >= 500 && errorCode(r.body) !== undefined && r.body.startsWith('<?xml')) return 's3-error';
  if (r.status === 0 && r.error !== undefined && !/no answer within/.test(r.error)) return 'connection-error';
  return 'bad';
}

describe('filesystem backend: versitygw SIGKILLed under load', () => {
  const gw = useFilesystemGateway();
  let client: S3Client | undefined;
  before(() => {
    client = makeClient(gw().target(), 'WHEN_REQUIRED');
  });
  after(() => {
    client?.destroy();
  });

  const uploads: Upload[] = Array.from({ length: UPLOADS }, (_, i) => ({
    key: `durability/${String(i).padStart(2, '0')}.bin`,
    buf: data(2 * MiB + Math.floor(Math.random() * 2 * MiB)),
  }));
  let killedPid = 0;

  it(`${UPLOADS} concurrent PUTs (2–4 MiB, Content-MD5), versitygw SIGKILLed midway: each ends in 200 or an S3 error`, { timeout: 120_000 }, async (t) => {
    let killed = false;
    const running = uploads.map(async (u) => {
      // Each body trickles in 128 KiB pieces over ~0.3–4 s, so many are in flight at the kill.
      u.result = await pacedPut(gw().endpoint, FS_USER, `/${FS_BUCKET}/${u.key}`, u.buf, { 'content-md5': md5b64(u.buf) }, {
        chunk: 128 * 1024,
        delayMs: 20 + Math.floor(Math.random() * 100),
        timeoutMs: UPLOAD_TIMEOUT_MS,
      });
      u.beforeKill = !killed;
    });
    // Kill once a few uploads have been stored, while the rest are still being sent.
    const t0 = Date.now();
    while (uploads.filter((u) => u.result?.status === 200).length < 3 && Date.now() - t0 < 20_000) await sleep(10);
    const inFlight = uploads.filter((u) => u.result === undefined).length;
    killedPid = await gw().killVersitygw();
    killed = true;
    await Promise.all(running);

    const outcomes = uploads.map((u) => ({ key: u.key, outcome: describeOutcome(u.result!), status: u.result!.status, error: u.result!.error, body: u.result!.body.slice(0, 300) }));
    const bad = outcomes.filter((o) => o.outcome === 'bad');
    assert.deepEqual(bad, [], 'uploads that neither succeeded nor failed with an S3 error / connection error');
    assert.ok(uploads.some((u) => u.beforeKill && u.result!.status === 200), 'no upload had succeeded before the kill');
    assert.ok(inFlight > 0, 'no upload was in flight at the kill: the test proved nothing');
    assert.ok(outcomes.some((o) => o.outcome !== 'ok'), `all ${UPLOADS} uploads succeeded although versitygw was killed with ${inFlight} in flight`);
    const count = (k: string): number => outcomes.filter((o) => o.outcome === k).length;
    const codes = [...new Set(uploads.map((u) => `${u.result!.status} ${errorCode(u.result!.body) ?? u.result!.error ?? ''}`))];
    t.diagnostic(`${inFlight} in flight at the kill; ${count('ok')} ok, ${count('s3-error')} S3 errors, ${count('connection-error')} connection errors; seen: ${codes.join(', ')}`);
  });

  it('the gateway serves again by itself: the supervisor restarted versitygw', { timeout: RECOVERY_MS + 10_000 }, async () => {
    assert.ok(killedPid > 0, 'versitygw was never killed');
    await gw().waitServing(RECOVERY_MS);
    const now = await gw().versitygw();
    assert.notEqual(now.pid, killedPid, 'the same versitygw process is still there');
  });

  it('every key is absent or whole (bytes and ETag = MD5), through the gateway and on disk; pre-kill successes are all there', { timeout: 120_000 }, async () => {
    const present: string[] = [];
    for (const u of uploads) {
      const file = path.join(gw().bucketDir, ...u.key.split('/'));
      try {
        const res = await client!.send(new GetObjectCommand({ Bucket: FS_BUCKET, Key: u.key }));
        const got = await bodyBytes(res.Body);
        assert.equal(got.length, u.buf.length, `size of ${u.key} (upload outcome ${u.result?.status} ${u.result?.error ?? ''})`);
        assert.ok(got.equals(u.buf), `bytes of ${u.key} differ from the upload`);
        assert.equal(res.ETag, `"${md5hex(u.buf)}"`, `ETag of ${u.key}`);
        assert.ok(readFileSync(file).equals(u.buf), `${file} differs from the upload`);
        present.push(u.key);
      } catch (e) {
        const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (err.$metadata?.httpStatusCode === undefined) throw e; // an assertion above
        assert.equal(err.$metadata.httpStatusCode, 404, `GET ${u.key}: ${String(e)}`);
        assert.equal(err.name, 'NoSuchKey');
        assert.equal(existsSync(file), false, `${file} exists on disk but GET says NoSuchKey`);
        assert.notEqual(u.result?.status, 200, `${u.key} was acknowledged with 200 but is gone`);
      }
    }
    for (const u of uploads) if (u.result?.status === 200) assert.ok(present.includes(u.key), `${u.key} (200) missing`);
    // The listing shows exactly the whole objects: nothing half-written, no temp files.
    const list = await gw().request('GET', `/${FS_BUCKET}?list-type=2&prefix=durability/`);
    assert.equal(list.status, 200, list.body);
    const listed = [...list.body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]).sort();
    assert.deepEqual(listed, present.sort());
    const all = await gw().request('GET', `/${FS_BUCKET}?list-type=2`);
    assert.doesNotMatch(all.body, /<Key>\.sgwtmp/, 'versitygw temp files are listed');
  });

  it("an upload cut by the kill leaves nothing readable through the gateway, not even versitygw's temp file", { timeout: 120_000 }, async (t) => {
    await gw().waitServing(RECOVERY_MS);
    // A fresh bucket: its first upload gets a named temp file under <bucket>/.sgwtmp (later ones are unnamed).
    const bucket = `interrupted-${randomBytes(4).toString('hex')}`;
    const made = await gw().request('PUT', `/${bucket}`);
    assert.equal(made.status, 200, made.body);
    const tmpDir = path.join(gw().dataDir, bucket, '.sgwtmp');
    const buf = data(2 * MiB);
    const upload = pacedPut(gw().endpoint, FS_USER, `/${bucket}/half.bin`, buf, { 'content-md5': md5b64(buf) }, {
      chunk: 64 * 1024,
      delayMs: 50,
      timeoutMs: UPLOAD_TIMEOUT_MS,
    });
    await waitUntil(`a temp file in ${tmpDir}`, async () => existsSync(tmpDir) && readdirSync(tmpDir).length > 0, { timeoutMs: 10_000 });
    await sleep(300);
    await gw().killVersitygw();
    const result = await upload;
    assert.notEqual(result.status, 200, 'the cut upload succeeded');
    assert.notEqual(describeOutcome(result), 'bad', JSON.stringify(result));
    await gw().waitServing(RECOVERY_MS);

    const get = await gw().request('GET', `/${bucket}/half.bin`);
    assert.equal(get.status, 404, get.body);
    assert.equal(errorCode(get.body), 'NoSuchKey');
    const leftovers = (readdirSync(tmpDir, { recursive: true }) as string[]).filter((n) => statSync(path.join(tmpDir, n)).isFile());
    t.diagnostic(`leftover temp files after the kill: ${JSON.stringify(leftovers)}`);
    const readable: Array<{ key: string; status: number; contentLength?: string; bytesEqualToUpload: number }> = [];
    for (const name of leftovers) {
      const res = await gw().request('GET', `/${bucket}/.sgwtmp/${name}`);
      const onDisk = readFileSync(path.join(tmpDir, name));
      const same = onDisk.findIndex((b, i) => b !== buf[i]);
      const bytesEqualToUpload = same < 0 ? onDisk.length : same;
      if (res.status < 300) readable.push({ key: `.sgwtmp/${name}`, status: res.status, contentLength: res.headers['content-length'], bytesEqualToUpload });
    }
    assert.deepEqual(readable, [], `the cut upload's partial bytes are readable through the gateway (uploaded ${buf.length} bytes)`);
    const list = await gw().request('GET', `/${bucket}?list-type=2`);
    assert.doesNotMatch(list.body, /<Key>/, `the bucket lists objects: ${list.body}`);
  });

  it('while versitygw is down, a request gets 503 with S3 XML at once (never a hang)', { timeout: 180_000 }, async () => {
    const seen: Array<{ status: number; code?: string; ms: number }> = [];
    for (let attempt = 0; attempt < 5 && !seen.some((s) => s.status === 503); attempt++) {
      await gw().waitServing(RECOVERY_MS);
      await gw().killVersitygw();
      const t0 = Date.now();
      const res = await gw().request('GET', `/${FS_BUCKET}?list-type=2`);
      seen.push({ status: res.status, code: errorCode(res.body), ms: Date.now() - t0 });
      if (res.status === 503) {
        assert.match(String(res.headers['content-type']), /xml/);
        assert.match(res.body, /^<\?xml/);
        assert.match(errorCode(res.body) ?? '', /^(ServiceUnavailable|SlowDown)$/, res.body);
      }
    }
    assert.ok(seen.every((s) => s.status === 200 || s.status === 503), JSON.stringify(seen));
    assert.ok(seen.some((s) => s.status === 503), `no 503 seen in ${seen.length} kills: ${JSON.stringify(seen)}`);
    assert.ok(seen.every((s) => s.ms < 5000), `slow answers: ${JSON.stringify(seen)}`);
    await gw().waitServing(RECOVERY_MS);
  });
});
