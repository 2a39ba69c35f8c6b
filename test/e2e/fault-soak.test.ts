// The fault soak (issue 11), bounded and on loopback: steady mixed load (PUT, GET, LIST, multipart) from
// several JS SDK clients while, in turn, every services worker is killed, every connection between Envoy
// and the backend is cut, and the backend is unreachable for two seconds. Afterwards every acknowledged
// PUT reads back byte-identical from the backend itself, no failed PUT left a partial object, every
// failure was an S3 error or a closed connection within its timeout, and the gateway serves again by
// itself. SOAK_SECONDS sets the length (default 18; the phases scale with it).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, describe, it, type TestContext } from 'node:test';
import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { directClient } from '../../testkit/backends.ts';
import { useOneBucketGateway } from '../../testkit/one-bucket.ts';
import { startRelay, type Relay } from '../../testkit/relay.ts';
import { USERS } from '../../testkit/world.ts';

const ALICE = USERS.alice;
const SECONDS = Number(process.env.SOAK_SECONDS ?? 18);
const CLIENTS = 4;
const REQUEST_TIMEOUT_MS = 30_000;

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

interface Tally {
  requests: number;
  ok: number;
  /** Failures by what they were: an S3 code (`503 ServiceUnavailable`) or a closed connection. */
  failures: Map<string, number>;
  acknowledged: Map<string, string>;
  /** Keys whose PUT failed: each must be absent, or whole. */
  unacknowledged: Map<string, string>;
}

function failureKind(e: unknown): string {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number }; code?: string; message?: string };
  const status = err.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400 && err.name && !/^(Unknown|Error)$/.test(err.name)) return `${status} ${err.name}`;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timeout';
  if (/ECONNRESET|socket hang up|ECONNREFUSED|EPIPE|aborted/i.test(`${err.code ?? ''} ${err.message ?? ''}`)) return 'connection closed';
  return `other: ${err.name ?? ''} ${status ?? ''} ${err.message ?? String(e)}`.slice(0, 160);
}

describe('fault soak: mixed load while the services, the backend connections and the backend fail in turn', () => {
  let relay: Relay | undefined;
  const one = useOneBucketGateway({
    bucket: 'soak',
    endpointOf: async (versity) => {
      relay = await startRelay(Number(new URL(versity.endpoint).port));
      return `http://127.0.0.1:${relay.port}`;
    },
  });
  after(async () => { await relay?.close(); });

  const client = (): S3Client => directClient({ endpoint: one().gateway.endpoint, accessKey: ALICE.accessKeyId, secretKey: ALICE.secretAccessKey });

  /** One client's loop until `until`: mostly PUT and GET, some LIST, now and then a two-part multipart upload. */
  async function load(s3: S3Client, id: number, until: number, t: Tally): Promise<void> {
    let n = 0;
    while (Date.now() < until) {
      n++;
      const key = `c${id}/o${n}`;
      const op = n % 20 === 0 ? 'multipart' : n % 5 === 0 ? 'list' : n % 2 === 0 && t.acknowledged.size > 0 ? 'get' : 'put';
      const abortSignal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
      const started = Date.now();
      t.requests++;
      let body: Buffer | undefined;
      try {
        if (op === 'put') {
          body = randomBytes(1024 + ((n * 7919) % (256 * 1024)));
          await s3.send(new PutObjectCommand({ Bucket: 'soak', Key: key, Body: body }), { abortSignal });
          t.acknowledged.set(key, md5(body));
        } else if (op === 'get') {
          const keys = [...t.acknowledged.keys()];
          const k = keys[(n * 31) % keys.length]!;
          const out = await s3.send(new GetObjectCommand({ Bucket: 'soak', Key: k }), { abortSignal });
          const bytes = await out.Body!.transformToByteArray();
          assert.equal(md5(bytes), t.acknowledged.get(k), `GET ${k} through the gateway returned other bytes`);
        } else if (op === 'list') {
          await s3.send(new ListObjectsV2Command({ Bucket: 'soak', Prefix: `c${id}/` }), { abortSignal });
        } else {
          body = randomBytes(5 * 1024 * 1024 + 1024);
          const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'soak', Key: key }), { abortSignal });
          const parts = [];
          for (const [i, part] of [body.subarray(0, 5 * 1024 * 1024), body.subarray(5 * 1024 * 1024)].entries()) {
            const { ETag } = await s3.send(new UploadPartCommand({ Bucket: 'soak', Key: key, UploadId, PartNumber: i + 1, Body: part }), { abortSignal });
            parts.push({ ETag, PartNumber: i + 1 });
          }
          await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'soak', Key: key, UploadId, MultipartUpload: { Parts: parts } }), { abortSignal });
          t.acknowledged.set(key, md5(body));
        }
        t.ok++;
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        assert.ok(Date.now() - started <= REQUEST_TIMEOUT_MS + 2_000, `${op} ${key} took ${Date.now() - started} ms`);
        const kind = failureKind(e);
        t.failures.set(kind, (t.failures.get(kind) ?? 0) + 1);
        if (body && (op === 'put' || op === 'multipart')) t.unacknowledged.set(key, md5(body));
      }
    }
  }

  it(`${SECONDS} s of load through a worker kill, cut backend connections and a backend outage: nothing acknowledged is lost`, async (t: TestContext) => {
    const tally: Tally = { requests: 0, ok: 0, failures: new Map(), acknowledged: new Map(), unacknowledged: new Map() };
    const start = Date.now();
    const at = (fraction: number) => new Promise((r) => setTimeout(r, start + fraction * SECONDS * 1000 - Date.now()));
    const clients = Array.from({ length: CLIENTS }, client);
    const loops = clients.map((s3, i) => load(s3, i, start + SECONDS * 1000, tally));
    const faults = (async () => {
      await at(0.2);
      const pids = one().gateway.workerPids();
      assert.ok(pids.length > 0, 'no services worker pid');
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      await at(0.45);
      relay!.cut();
      await at(0.65);
      await relay!.down(2_000);
    })();
    await Promise.all([...loops, faults]);
    for (const c of clients) c.destroy();

    // Recovery: the gateway serves again by itself.
    const s3 = client();
    try {
      for (let i = 0; i < 10; i++) {
        const body = randomBytes(2048);
        await s3.send(new PutObjectCommand({ Bucket: 'soak', Key: `after/${i}`, Body: body }));
        tally.acknowledged.set(`after/${i}`, md5(body));
      }
    } finally {
      s3.destroy();
    }

    // Every acknowledged object reads back byte-identical from the backend itself; no failed PUT is partial.
    const direct = directClient(one().versity);
    let verified = 0;
    try {
      for (const [key, sum] of tally.acknowledged) {
        const out = await direct.send(new GetObjectCommand({ Bucket: 'soak', Key: key }));
        assert.equal(md5(await out.Body!.transformToByteArray()), sum, `acknowledged ${key} differs on the backend`);
        verified++;
      }
      let absent = 0;
      for (const [key, sum] of tally.unacknowledged) {
        try {
          const out = await direct.send(new GetObjectCommand({ Bucket: 'soak', Key: key }));
          assert.equal(md5(await out.Body!.transformToByteArray()), sum, `a failed PUT left a partial ${key}`);
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          assert.equal((e as { name?: string }).name, 'NoSuchKey', `${key}: ${String(e)}`);
          absent++;
        }
      }
      const failures = Object.fromEntries(tally.failures);
      t.diagnostic(`soak: ${tally.requests} requests, ${tally.ok} ok, failures ${JSON.stringify(failures)}, ${verified} objects verified, ${tally.unacknowledged.size} unacknowledged PUTs (${absent} absent, the rest whole)`);
      assert.deepEqual(Object.keys(failures).filter((k) => k.startsWith('other') || k === 'timeout'), [], `failures that were neither an S3 error nor a closed connection: ${JSON.stringify(failures)}`);
      assert.ok(tally.ok > tally.requests / 2, `only ${tally.ok} of ${tally.requests} succeeded`);
      assert.ok(tally.failures.size > 0, 'no request failed: the faults did not happen');
    } finally {
      direct.destroy();
    }
  });
});
