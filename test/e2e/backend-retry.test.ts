// Envoy tries a failed backend connection again: for any method when nothing was written to it, for the
// idempotent ones (GET, HEAD, PUT, DELETE) also after the request was written, never for a POST then. A relay between Envoy and versitygw (which closes every connection after one answer, so
// each request is a new connection) drops chosen connections, unread or after the request arrived.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { CreateMultipartUploadCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { directClient } from '../../testkit/backends.ts';
import { useOneBucketGateway } from '../../testkit/one-bucket.ts';
import { startRelay, type Relay, type RelayOptions } from '../../testkit/relay.ts';
import { errorCode, send, signedRequest } from '../../testkit/raw-request.ts';
import { USERS } from '../../testkit/world.ts';

const ALICE = USERS.alice;
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

describe('backend retries: any method before the request was written, idempotent ones after, a POST never after', () => {
  let relay: Relay | undefined;
  const rule: RelayOptions = {};
  const one = useOneBucketGateway({
    bucket: 'retry',
    endpointOf: async (versity) => {
      relay = await startRelay(Number(new URL(versity.endpoint).port), rule);
      return `http://127.0.0.1:${relay.port}`;
    },
  });
  after(async () => { await relay?.close(); });

  // The client does not retry: every retry seen here is the gateway's.
  const client = () => new S3Client({
    endpoint: one().gateway.endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1,
    credentials: { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey },
  });

  for (const at of ['accept', 'request'] as const) it(`every other connection closed ${at === 'accept' ? 'unread' : 'after the request arrived'}: each PUT and GET still succeeds, byte-identical on the backend`, async () => {
    const s3 = client();
    const direct = directClient(one().versity);
    const before = relay!.counts();
    rule.drop = { nth: (n) => n % 2 === 1, at };
    try {
      for (let i = 0; i < 8; i++) {
        const body = randomBytes(1000 + i * 4096);
        await s3.send(new PutObjectCommand({ Bucket: 'retry', Key: `k${i}`, Body: body }));
        const got = await (await s3.send(new GetObjectCommand({ Bucket: 'retry', Key: `k${i}` }))).Body!.transformToByteArray();
        assert.equal(md5(got), md5(body), `GET k${i} through the gateway`);
        const stored = await (await direct.send(new GetObjectCommand({ Bucket: 'retry', Key: `k${i}` }))).Body!.transformToByteArray();
        assert.equal(md5(stored), md5(body), `k${i} on the backend`);
      }
    } finally {
      rule.drop = undefined;
      s3.destroy();
      direct.destroy();
    }
    const dropped = relay!.counts().dropped - before.dropped;
    assert.ok(dropped >= 8, `the relay dropped only ${dropped} connections: the retries were not exercised`);
  });

  it('a 4 MiB PUT whose every backend connection closes as it arrives: 503 ServiceUnavailable (S3 XML) after the retries, nothing stored', async () => {
    // Without Expect: 100-continue the body follows the headers at once.
    rule.drop = { nth: () => true, at: 'accept' };
    let res;
    try {
      const body = randomBytes(4 * 1024 * 1024);
      const req = await signedRequest(one().gateway.endpoint, ALICE, 'PUT', '/retry/big', { headers: { 'content-length': String(body.length) } });
      res = await send(one().gateway.endpoint, { ...req, body });
    } finally {
      rule.drop = undefined;
    }
    assert.equal(res.status, 503, res.body);
    assert.equal(errorCode(res.body), 'ServiceUnavailable');
    const direct = directClient(one().versity);
    try {
      await assert.rejects(direct.send(new GetObjectCommand({ Bucket: 'retry', Key: 'big' })), (e: { name?: string }) => e.name === 'NoSuchKey');
    } finally {
      direct.destroy();
    }
  });

  it('a POST whose connection closed after the request arrived is not retried: 503 ServiceUnavailable, and the next request works', async () => {
    const s3 = client();
    rule.drop = { nth: () => true, at: 'request' };
    const before = relay!.counts();
    try {
      await assert.rejects(
        s3.send(new CreateMultipartUploadCommand({ Bucket: 'retry', Key: 'once' })),
        (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 503 && e.name === 'ServiceUnavailable',
      );
      assert.equal(relay!.counts().accepted - before.accepted, 1, 'the gateway sent the request to the backend more than once');
    } finally {
      rule.drop = undefined;
    }
    try {
      await s3.send(new PutObjectCommand({ Bucket: 'retry', Key: 'once', Body: 'y' }));
    } finally {
      s3.destroy();
    }
  });
});
