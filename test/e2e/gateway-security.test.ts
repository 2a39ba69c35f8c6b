// Attacks on the gateway with real Envoy, real services and real backends: each must get the S3
// error AWS would send, and the backends must see nothing (Envoy's upstream counters do not move).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCode, presignedPath, send, signedRequest, type RawRequest } from '../../testkit/raw-request.ts';
import { USERS, useWorld } from '../../testkit/world.ts';

describe('gateway security', () => {
  const world = useWorld();

  const gw = () => world().gateway.endpoint;
  const alice = USERS.alice;

  async function upstreamTotal(): Promise<number> {
    return (await world().gateway.upstreamRequests('versity')) + (await world().gateway.upstreamRequests('weed'));
  }

  /** Sends `req`, asserts status and S3 code, and that no backend received anything. */
  async function expectDenied(req: RawRequest, status: number, code: string): Promise<string> {
    const before = await upstreamTotal();
    const res = await send(gw(), req);
    assert.equal(res.status, status, `status for ${req.method} ${req.path}: ${res.body}`);
    assert.equal(errorCode(res.body), code, res.body);
    assert.match(String(res.headers['content-type']), /xml/);
    assert.equal(await upstreamTotal(), before, 'a backend saw the request');
    return res.body;
  }

  it('a correctly signed request passes (so the denials below are meaningful)', async () => {
    const before = await upstreamTotal();
    const res = await send(gw(), await signedRequest(gw(), alice, 'GET', '/releases?list-type=2'));
    assert.equal(res.status, 200, res.body);
    assert.ok((await upstreamTotal()) > before);
  });

  it('wrong secret → 403 SignatureDoesNotMatch', async () => {
    await expectDenied(await signedRequest(gw(), { ...alice, secretAccessKey: 'wrong' }, 'GET', '/releases'), 403, 'SignatureDoesNotMatch');
  });

  it('unknown access key → 403 InvalidAccessKeyId', async () => {
    await expectDenied(await signedRequest(gw(), { accessKeyId: 'AKIANOBODY000000', secretAccessKey: 'x' }, 'GET', '/releases'), 403, 'InvalidAccessKeyId');
  });

  it('anonymous request → 403 AccessDenied', async () => {
    await expectDenied({ method: 'GET', path: '/releases/x' }, 403, 'AccessDenied');
  });

  it('clock skewed by 20 minutes → 403 RequestTimeTooSkewed', async () => {
    const past = new Date(Date.now() - 20 * 60_000);
    await expectDenied(await signedRequest(gw(), alice, 'GET', '/releases', { signingDate: past }), 403, 'RequestTimeTooSkewed');
  });

  it('expired presigned URL → 403 AccessDenied "Request has expired"', async () => {
    const path = await presignedPath(gw(), alice, 'GET', '/releases/k', 60, new Date(Date.now() - 3600_000));
    const body = await expectDenied({ method: 'GET', path }, 403, 'AccessDenied');
    assert.match(body, /Request has expired/);
  });

  it('8-day presigned URL → 400 AuthorizationQueryParametersError', async () => {
    const path = (await presignedPath(gw(), alice, 'GET', '/releases/k', 3600)).replace('X-Amz-Expires=3600', 'X-Amz-Expires=691200');
    await expectDenied({ method: 'GET', path }, 400, 'AuthorizationQueryParametersError');
  });

  it('a user reaching for a bucket without a grant → 403 AccessDenied', async () => {
    await expectDenied(await signedRequest(gw(), alice, 'GET', '/secret/k'), 403, 'AccessDenied');
    await expectDenied(await signedRequest(gw(), alice, 'GET', '/secret?list-type=2'), 403, 'AccessDenied');
  });

  it('CopyObject from a bucket without a grant → 403 AccessDenied', async () => {
    const req = await signedRequest(gw(), alice, 'PUT', '/releases/stolen', { headers: { 'x-amz-copy-source': '/secret/k' } });
    await expectDenied(req, 403, 'AccessDenied');
  });

  for (const [name, path, code] of [
    ['/granted/../other/key', '/releases/../secret/key', 'InvalidArgument'],
    ['%2e%2e segment', '/releases/%2e%2e/secret/key', 'InvalidArgument'],
    ['%2E%2E segment (upper case)', '/releases/%2E%2E/secret/key', 'InvalidArgument'],
    ['./ segment', '/releases/./key', 'InvalidArgument'],
    ['// before the bucket', '//secret/key', 'InvalidBucketName'],
    ['encoded bucket', '/%73ecret/key', 'InvalidBucketName'],
  ] as const) {
    it(`a path that would change bucket if normalized (${name}) → 400 ${code}`, async () => {
      await expectDenied(await signedRequest(gw(), alice, 'GET', path), 400, code);
    });
  }

  it('a copy source that would change bucket if normalized → 400', async () => {
    const req = await signedRequest(gw(), alice, 'PUT', '/releases/x', { headers: { 'x-amz-copy-source': '/releases/../secret/k' } });
    await expectDenied(req, 400, 'InvalidArgument');
  });

  it('malformed Authorization header → 400 AuthorizationHeaderMalformed', async () => {
    const req = await signedRequest(gw(), alice, 'GET', '/releases');
    req.headers!['authorization'] = 'AWS4-HMAC-SHA256 Credential=AKIAALICE0000000001/20260101/us-east-1/s3, SignedHeaders=host, Signature=00';
    await expectDenied(req, 400, 'AuthorizationHeaderMalformed');
  });

  it('an oversized header → 400 RequestHeaderSectionTooLarge, and the gateway stays healthy', async () => {
    const req = await signedRequest(gw(), alice, 'GET', '/releases');
    req.headers!['x-amz-meta-big'] = 'a'.repeat(100 * 1024);
    await expectDenied(req, 400, 'RequestHeaderSectionTooLarge');
    const ok = await send(gw(), await signedRequest(gw(), alice, 'GET', '/releases?list-type=2'));
    assert.equal(ok.status, 200);
  });

  it('versitygw\'s admin API (PATCH /create-user, /list-users) is refused even for buckets: "*", never signed with the backend\'s root key', async () => {
    // An operation outside the action table: only a rule naming it could allow it. Passed on, it would
    // act on the backend's IAM with the credentials the gateway signs with.
    const bob = USERS.bob;
    await expectDenied(await signedRequest(gw(), bob, 'PATCH', '/create-user?access=evil&secret=evil-secret-0123&role=admin'), 403, 'AccessDenied');
    await expectDenied(await signedRequest(gw(), bob, 'PATCH', '/list-users'), 403, 'AccessDenied');
  });

  it('a client\'s own x-bucketgate-path/-authority never become the request target (ListBuckets, which sets none)', async () => {
    // Added after signing, as a proxy on the way could (a signed one fails: the gateway drops it first).
    const req = await signedRequest(gw(), USERS.bob, 'GET', '/');
    req.headers = { ...req.headers, 'x-bucketgate-path': '/?prefix=no-such-bucket-prefix', 'x-bucketgate-authority': 'evil.example' };
    const res = await send(gw(), req);
    assert.equal(res.status, 200, res.body);
    assert.match(res.body, /<Name>releases<\/Name>/, 'the listing is the unfiltered one: the injected prefix was dropped');
  });

  it('a bucket on another backend as copy source → 501 NotImplemented', async () => {
    const req = await signedRequest(gw(), USERS.bob, 'PUT', '/releases/x', { headers: { 'x-amz-copy-source': '/media/k' } });
    await expectDenied(req, 501, 'NotImplemented');
  });

  it('no secret (users\' or backends\') ever appears in the gateway\'s logs', () => {
    const logs = world().gateway.proc.logs().join('\n');
    assert.ok(logs.length > 0);
    for (const secret of [USERS.alice.secretAccessKey, USERS.bob.secretAccessKey, world().versity.secretKey, world().weed.secretKey]) {
      assert.ok(!logs.includes(secret), 'a secret was logged');
    }
  });

  it('the authorization service killed mid-run: Envoy denies (503 XML), never passes through, then recovers', async () => {
    const pids = world().gateway.workerPids();
    assert.ok(pids.length > 0, 'services worker pids not found in the gateway log');
    const req = await signedRequest(gw(), alice, 'GET', '/releases?list-type=2');
    const before = await upstreamTotal();
    // Every worker at once: with any left, Envoy would rightly use it.
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await send(gw(), req);
      statuses.push(res.status);
      if (res.status === 503) assert.equal(errorCode(res.body), 'ServiceUnavailable');
    }
    assert.ok(statuses.every((s) => s === 503), `statuses while the worker was down: ${statuses}`);
    assert.equal(await upstreamTotal(), before, 'a request passed through while authz was down');
    // The supervisor restarts the worker; the gateway serves again by itself.
    const deadline = Date.now() + 20_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await send(gw(), await signedRequest(gw(), alice, 'GET', '/releases?list-type=2'))).status;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 200, 'the gateway did not recover after the services worker was restarted');
  });
});
