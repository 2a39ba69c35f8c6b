// Signed aws-chunked uploads through the gateway: every chunk verified against the client's chain
// and re-signed for the backend's; each broken body is an S3 error, leaves no object, and the
// gateway keeps serving.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { describe, it } from 'node:test';
import { chunkedPut, sha256 } from '../../testkit/chunked-client.ts';
import { errorCode, send, signedRequest } from '../../testkit/raw-request.ts';
import { USERS, useWorld } from '../../testkit/world.ts';

describe('signed streaming uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER])', () => {
  const world = useWorld();

  const gw = () => world().gateway.endpoint;
  const get = async (path: string) => send(gw(), await signedRequest(gw(), USERS.alice, 'GET', path));

  for (const bucket of ['releases', 'archive', 'media']) {
    for (const trailer of [false, true]) {
      it(`${bucket}: ${trailer ? 'with a CRC32 trailer' : 'no trailer'} — 0 B, 1 B, 200 KiB and 3 MiB round-trip byte-identical`, async () => {
        for (const size of [0, 1, 200 * 1024, 3 * 1024 * 1024]) {
          const data = randomBytes(size);
          const path = `/${bucket}/chunked/${trailer ? 't' : 'n'}-${size}`;
          const res = await send(gw(), await chunkedPut(gw(), USERS.alice, path, data, { trailer }));
          assert.equal(res.status, 200, `${size} B: ${res.body}`);
          const raw = await getBytes(path);
          assert.equal(raw.length, size);
          assert.equal(sha256(raw), sha256(data));
        }
      });
    }
  }

  async function getBytes(path: string): Promise<Buffer> {
    const req = await signedRequest(gw(), USERS.alice, 'GET', path);
    const res = await fetch(`${gw()}${path}`, { headers: req.headers });
    assert.equal(res.status, 200);
    return Buffer.from(await res.arrayBuffer());
  }

  async function expectRefused(name: string, opts: Parameters<typeof chunkedPut>[4], status: number, code: string): Promise<void> {
    for (const bucket of ['releases', 'media']) {
      const path = `/${bucket}/broken/${name}`;
      const res = await send(gw(), await chunkedPut(gw(), USERS.alice, path, randomBytes(300 * 1024), opts)).catch((e: Error) => ({ status: 0, body: e.message }));
      if (res.status !== 0) {
        assert.equal(res.status, status, `${bucket}: ${res.body}`);
        assert.equal(errorCode(res.body), code, res.body);
      }
      const head = await send(gw(), await signedRequest(gw(), USERS.alice, 'HEAD', path));
      assert.equal(head.status, 404, `${bucket}: the broken upload left an object behind`);
      assert.equal((await get(`/${bucket}?list-type=2&prefix=broken/`)).status, 200, 'the gateway stopped serving');
    }
  }

  it('a chunk with a wrong signature → 403 SignatureDoesNotMatch, no object', async () => {
    await expectRefused('tampered', { tamperChunk: 2 }, 403, 'SignatureDoesNotMatch');
  });

  it('a truncated final chunk → 400 IncompleteBody, no object', async () => {
    await expectRefused('truncated', { truncateFinal: true }, 400, 'IncompleteBody');
  });

  it('a decoded length that does not match → 400 IncompleteBody, no object', async () => {
    await expectRefused('short-decoded', { decodedLengthDelta: -1 }, 400, 'IncompleteBody');
    await expectRefused('long-decoded', { decodedLengthDelta: 1 }, 400, 'IncompleteBody');
  });

  it('a client that stalls mid-body gets 400 RequestTimeout after 20 s; the object is absent, the gateway serves on', async () => {
    const path = '/releases/broken/stalled';
    const req = await chunkedPut(gw(), USERS.alice, path, randomBytes(300 * 1024));
    const url = new URL(gw());
    const started = Date.now();
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const c = http.request({ host: url.hostname, port: url.port, method: 'PUT', path, headers: req.headers }, (r) => {
        let body = '';
        r.on('data', (d) => (body += d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      c.on('error', reject);
      c.write(req.body!.subarray(0, req.body!.length - 100)); // and never the rest
      setTimeout(() => c.destroy(new Error('no answer within 60 s')), 60_000);
    });
    assert.equal(res.status, 400, res.body);
    assert.equal(errorCode(res.body), 'RequestTimeout');
    assert.ok(Date.now() - started >= 19_000, 'ended before the idle limit');
    assert.equal((await send(gw(), await signedRequest(gw(), USERS.alice, 'HEAD', path))).status, 404);
    assert.equal((await get('/releases?list-type=2&prefix=broken/')).status, 200);
  });

  it('a wrong trailer checksum (correctly signed) → 400 from the backend, no object', async () => {
    for (const bucket of ['releases', 'media']) {
      const path = `/${bucket}/broken/bad-crc`;
      const res = await send(gw(), await chunkedPut(gw(), USERS.alice, path, randomBytes(100 * 1024), { trailer: true, wrongTrailerChecksum: true }));
      assert.equal(res.status, 400, `${bucket}: ${res.body}`);
      assert.match(errorCode(res.body) ?? '', /BadDigest|InvalidDigest|XAmzContentChecksumMismatch/);
      assert.equal((await send(gw(), await signedRequest(gw(), USERS.alice, 'HEAD', path))).status, 404);
    }
  });
});
