// What a client sees does not depend on which backend answered, except the S3 content itself: the same
// requests to a bucket on versitygw, on SeaweedFS and on MinIO through the gateway carry the same
// response header names, none of them a product's own (MinIO's rate limits, a backend's Server or
// x-amz-id-2), and a compressed answer never reaches a client that did not ask for it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { errorCode, send, sendBytes, signedRequest, type RawResponse } from '../../testkit/raw-request.ts';
import { BUCKETS, USERS, useWorld, type BackendName } from '../../testkit/world.ts';

/** One bucket per backend, none aliased (an alias changes what is rewritten). */
const ON: Record<BackendName, string> = { versity: 'releases', weed: 'media', minio: 'lake' };

/**
 * Headers whose values are the S3 content (or the connection's), present or not by what was asked or
 * stored: versitygw reports its stored checksum, size and storage class where SeaweedFS and MinIO do not.
 */
const CONTENT = new Set(['x-amz-checksum-crc64nvme', 'x-amz-checksum-type', 'x-amz-object-size', 'x-amz-storage-class', 'content-length', 'content-type', 'etag', 'last-modified', 'accept-ranges', 'date', 'connection', 'keep-alive', 'transfer-encoding', 'x-amz-request-id', 'x-amz-bucket-region', 'server', 'vary', 'content-encoding']);

describe('backend fingerprints', () => {
  const world = useWorld();

  async function call(method: string, rawPath: string, opts: { body?: Buffer; headers?: Record<string, string> } = {}): Promise<RawResponse> {
    const gw = world().gateway;
    const headers = { ...(opts.body && { 'content-length': String(opts.body.length) }), ...opts.headers };
    const req = await signedRequest(gw.endpoint, USERS.alice, method, rawPath, { headers });
    return send(gw.endpoint, { ...req, ...(opts.body && { body: opts.body }) });
  }

  /** The requests every backend answers, by name: [method, path, options]. */
  const requests = (bucket: string): Record<string, [string, string, { body?: Buffer; headers?: Record<string, string> }]> => ({
    put: ['PUT', `/${bucket}/fp/object.txt`, { body: Buffer.from('fingerprint test') }],
    get: ['GET', `/${bucket}/fp/object.txt`, {}],
    head: ['HEAD', `/${bucket}/fp/object.txt`, {}],
    missing: ['GET', `/${bucket}/fp/absent.txt`, {}],
    list: ['GET', `/${bucket}?list-type=2&prefix=fp/`, {}],
    listOwner: ['GET', `/${bucket}?list-type=2&prefix=fp/&fetch-owner=true`, {}],
  });

  it('every backend: the same header names for the same requests, and no product header', async () => {
    assert.deepEqual(Object.keys(ON).sort(), [...new Set(Object.values(BUCKETS).map(([b]) => b))].sort(), 'a bucket on every backend');
    const seen: Record<string, Record<string, string[]>> = {};
    for (const [backend, bucket] of Object.entries(ON)) {
      for (const [name, [method, p, opts]] of Object.entries(requests(bucket))) {
        const res = await call(method, p, opts);
        assert.ok(name === 'missing' ? res.status === 404 : res.status === 200, `${backend} ${name}: ${res.status} ${res.body.slice(0, 200)}`);
        (seen[name] ??= {})[backend] = Object.keys(res.headers).filter((h) => !CONTENT.has(h)).sort();
        assert.equal(res.headers['server'], 'Bucketgate', `${backend} ${name}`);
      }
    }
    for (const [name, byBackend] of Object.entries(seen)) {
      const [first, ...rest] = Object.values(byBackend);
      for (const [backend, names] of Object.entries(byBackend)) {
        assert.deepEqual(names.filter((h) => /^x-ratelimit|^x-minio|^x-amz-id-2$|seaweed|versity|^x-envoy|^x-xss|^strict-transport/.test(h)), [], `${backend} ${name}: a product header`);
      }
      for (const other of rest) assert.deepEqual(other, first, `${name}: ${JSON.stringify(byBackend)}`);
    }
  });

  it('gzip and zstd asked for: a rewritten listing arrives whole and readable, an object as the backend sends it', async () => {
    for (const [backend, bucket] of Object.entries(ON)) {
      // A listing large enough to be worth compressing (MinIO leaves small bodies alone).
      for (let i = 0; i < 40; i++) assert.equal((await call('PUT', `/${bucket}/fp/many/object-${i}.txt`, { body: Buffer.from(`${i}`) })).status, 200);
      for (const encoding of ['gzip', 'zstd', 'zstd, gzip']) {
        const res = await call('GET', `/${bucket}?list-type=2&prefix=fp/&fetch-owner=true`, { headers: { 'accept-encoding': encoding } });
        assert.equal(res.status, 200, `${backend} ${encoding}: ${res.body.slice(0, 200)}`);
        // Rewritten, so asked for identity: plain XML, whatever the client accepts.
        assert.equal(res.headers['content-encoding'], undefined, `${backend} ${encoding}`);
        assert.match(res.body, /<ListBucketResult[^>]*>.*<Key>fp\/object.txt<\/Key>.*<\/ListBucketResult>/s, `${backend} ${encoding}`);
        assert.match(res.body, new RegExp(`<ID>${USERS.alice.accessKeyId}</ID>`), `${backend} ${encoding}: the owner is the gateway user`);
      }
      // A listing that streams untouched keeps the client's Accept-Encoding: if the backend compresses it, it is valid gzip.
      const plain = await callRaw(`/${bucket}?list-type=2&prefix=fp/`, 'gzip');
      // MinIO compresses when asked: without that, the rewritten case above would prove nothing.
      if (backend === 'minio') assert.equal(plain.headers['content-encoding'], 'gzip', 'MinIO answered uncompressed');
      const text = plain.headers['content-encoding'] === 'gzip' ? gunzipSync(plain.body).toString() : plain.body.toString();
      assert.match(text, /<Key>fp\/object.txt<\/Key>/, `${backend}: streamed listing`);
      assert.equal(errorCode(text), undefined);
    }
  });

  /** A GET whose body is kept as bytes (it may be compressed). */
  async function callRaw(rawPath: string, acceptEncoding: string) {
    const gw = world().gateway;
    return sendBytes(gw.endpoint, await signedRequest(gw.endpoint, USERS.alice, 'GET', rawPath, { headers: { 'accept-encoding': acceptEncoding } }));
  }
});
