// POST Object (browser form uploads) through the real gateway: the form is authenticated with the
// gateway user's secret and re-signed for the backend, on an aliased bucket too; what comes back names
// the client's bucket and the gateway, never the backend. Each forgery is refused and stores nothing.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { describe, it } from 'node:test';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { directClient, type Backend } from '../../testkit/backends.ts';
import { postForm, type FormSpec } from '../../testkit/post-form.ts';
import { errorCode, send, signedRequest, type RawResponse } from '../../testkit/raw-request.ts';
import { BUCKETS, TEST_DOMAIN, USERS, useWorld } from '../../testkit/world.ts';

const sha = (b: Buffer | Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('POST Object (browser form uploads)', () => {
  const world = useWorld({ domain: TEST_DOMAIN });
  const gw = () => world().gateway.endpoint;

  function post(bucket: string, spec: Omit<FormSpec, 'bucket'>): Promise<RawResponse> {
    const { body, contentType } = postForm({ ...spec, bucket });
    return send(gw(), { method: 'POST', path: `/${bucket}`, headers: { 'content-type': contentType, 'content-length': String(body.length) }, body });
  }

  function backendOf(bucket: keyof typeof BUCKETS): { backend: Backend; real: string } {
    const [name, real] = BUCKETS[bucket];
    return { backend: world()[name as 'versity' | 'weed'], real };
  }

  async function stored(bucket: keyof typeof BUCKETS, key: string): Promise<Buffer | undefined> {
    const { backend, real } = backendOf(bucket);
    const s3 = directClient(backend);
    try {
      const res = await s3.send(new GetObjectCommand({ Bucket: real, Key: key }));
      return Buffer.from(await res.Body!.transformToByteArray());
    } catch (e) {
      if ((e as { name?: string }).name === 'NoSuchKey') return undefined;
      throw e;
    } finally {
      s3.destroy();
    }
  }

  async function expectRefused(res: RawResponse, status: number, code: string, bucket: keyof typeof BUCKETS, key: string): Promise<void> {
    assert.equal(res.status, status, res.body);
    assert.equal(errorCode(res.body), code, res.body);
    assert.equal(await stored(bucket, key), undefined, 'a refused form stored an object');
  }

  it('an aliased bucket: stored under the real name with its metadata; the answer names the client\'s bucket and the gateway', async () => {
    const file = randomBytes(70_000);
    const res = await post('archive', {
      creds: USERS.alice, key: 'forms/photo.jpg', filename: 'IMG_0001.jpg', file,
      fields: { 'success_action_status': '201', 'Content-Type': 'image/jpeg', 'x-amz-meta-origin': 'browser' },
    });
    assert.equal(res.status, 201, res.body);
    assert.match(res.body, /<Bucket>archive<\/Bucket>/);
    assert.match(res.body, /<Key>forms\/photo\.jpg<\/Key>/);
    const { backend } = backendOf('archive');
    for (const leak of ['prod-archive-2024', `:${new URL(backend.endpoint).port}`]) {
      assert.doesNotMatch(res.body + JSON.stringify(res.headers), new RegExp(leak), `the answer reveals ${leak}`);
    }
    assert.equal(sha((await stored('archive', 'forms/photo.jpg'))!), sha(file));
    const s3 = directClient(backend);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'prod-archive-2024', Key: 'forms/photo.jpg' }));
    s3.destroy();
    assert.equal(head.ContentType, 'image/jpeg');
    assert.equal(head.Metadata?.origin, 'browser');
  });

  it('a redirect after upload names the client\'s bucket; a 12 MiB file streams through intact', async () => {
    const file = randomBytes(12 * 1024 * 1024);
    const res = await post('archive', {
      creds: USERS.alice, key: 'forms/big.bin', file, fields: { success_action_redirect: 'https://app.example.test/done' },
    });
    assert.equal(res.status, 303, res.body);
    const location = new URL(String(res.headers.location));
    assert.equal(location.origin + location.pathname, 'https://app.example.test/done');
    assert.equal(location.searchParams.get('bucket'), 'archive');
    assert.equal(location.searchParams.get('key'), 'forms/big.bin');
    assert.equal(sha((await stored('archive', 'forms/big.bin'))!), sha(file));
  });

  it('default answer 204 with a Location on the gateway', async () => {
    const res = await post('releases', { creds: USERS.alice, key: 'forms/plain.txt', file: Buffer.from('plain') });
    assert.equal(res.status, 204, res.body);
    const location = String(res.headers.location);
    assert.ok(location.startsWith(gw()), `Location ${location} is not on the gateway`);
    assert.equal((await stored('releases', 'forms/plain.txt'))?.toString(), 'plain');
  });

  it('a tampered signature, a wrong secret, an expired policy: refused, nothing stored', async () => {
    const file = Buffer.from('forged');
    await expectRefused(await post('releases', { creds: USERS.alice, key: 'forms/t1', file, tamperSignature: true }), 403, 'SignatureDoesNotMatch', 'releases', 'forms/t1');
    await expectRefused(await post('releases', { creds: { ...USERS.alice, secretAccessKey: 'guess' }, key: 'forms/t2', file }), 403, 'SignatureDoesNotMatch', 'releases', 'forms/t2');
    const past = new Date(Date.now() - 3_600_000);
    await expectRefused(await post('releases', { creds: USERS.alice, key: 'forms/t3', file, signedAt: past, expiration: new Date(past.getTime() + 60_000) }), 403, 'AccessDenied', 'releases', 'forms/t3');
  });

  it('a bucket the user has no grant on, and a policy for another bucket (even the alias\'s real name): refused', async () => {
    await expectRefused(await post('secret', { creds: USERS.alice, key: 'forms/s', file: Buffer.from('x') }), 403, 'AccessDenied', 'secret', 'forms/s');
    // Posted to "archive" with a policy naming its real bucket: the backend would accept it, the gateway must not.
    await expectRefused(await post('archive', { creds: USERS.alice, key: 'forms/alias', file: Buffer.from('x'), bucketCondition: { bucket: 'prod-archive-2024' } }),
      403, 'AccessDenied', 'archive', 'forms/alias');
  });

  it('an anonymous form and a form with the gateway\'s refused key rules: refused; the gateway then still serves', async () => {
    const { body, contentType } = postForm({ creds: USERS.alice, bucket: 'releases', key: 'forms/anon', file: Buffer.from('x') });
    const anonymous = Buffer.from(body.toString('latin1').replace(/name="(policy|x-amz-signature|x-amz-credential|x-amz-algorithm|x-amz-date)"/g, 'name="x-ignore-$1"'), 'latin1');
    const res = await send(gw(), { method: 'POST', path: '/releases', headers: { 'content-type': contentType, 'content-length': String(anonymous.length) }, body: anonymous });
    await expectRefused(res, 403, 'AccessDenied', 'releases', 'forms/anon');
    await expectRefused(await post('releases', { creds: USERS.alice, key: 'forms/../escape', file: Buffer.from('x') }), 400, 'InvalidArgument', 'releases', 'escape');
    const ok = await send(gw(), await signedRequest(gw(), USERS.alice, 'GET', '/releases?list-type=2&prefix=forms/'));
    assert.equal(ok.status, 200, ok.body);
  });

  it('a form that stalls before its file gets 400 RequestTimeout after 20 s; nothing stored, the gateway serves on', async () => {
    const { body, contentType } = postForm({ creds: USERS.alice, bucket: 'releases', key: 'forms/stalled', file: randomBytes(2 * 1024 * 1024) });
    const url = new URL(gw());
    const started = Date.now();
    const res = await new Promise<RawResponse>((resolve, reject) => {
      const c = http.request({ host: url.hostname, port: url.port, method: 'POST', path: '/releases', headers: { 'content-type': contentType, 'content-length': String(body.length) } }, (r) => {
        let text = '';
        r.on('data', (d) => (text += d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body: text }));
      });
      c.on('error', reject);
      c.write(body.subarray(0, 300)); // part of the fields, and never the rest
      setTimeout(() => c.destroy(new Error('no answer within 60 s')), 60_000);
    });
    assert.ok(Date.now() - started >= 19_000, 'ended before the idle limit');
    await expectRefused(res, 400, 'RequestTimeout', 'releases', 'forms/stalled');
    assert.equal((await send(gw(), await signedRequest(gw(), USERS.alice, 'GET', '/releases?list-type=2'))).status, 200);
  });

  it('virtual-host style: POST / on archive.<domain> stores under the real bucket; Location stays on the gateway\'s domain', async () => {
    const file = randomBytes(3000);
    const { body, contentType } = postForm({ creds: USERS.alice, bucket: 'archive', key: 'forms/vhost.bin', file });
    const port = new URL(gw()).port;
    const res = await send(gw(), { method: 'POST', path: '/', headers: { host: `archive.${TEST_DOMAIN}:${port}`, 'content-type': contentType, 'content-length': String(body.length) }, body });
    assert.equal(res.status, 204, res.body);
    const location = new URL(String(res.headers.location));
    assert.equal(location.origin, `http://${TEST_DOMAIN}:${port}`);
    assert.equal(decodeURIComponent(location.pathname), '/archive/forms/vhost.bin');
    assert.equal(sha((await stored('archive', 'forms/vhost.bin'))!), sha(file));
  });

  it('SeaweedFS behind the gateway takes the re-signed form too', async () => {
    const file = randomBytes(5000);
    const res = await post('media', { creds: USERS.alice, key: 'forms/weed.bin', file });
    assert.equal(res.status, 204, res.body);
    assert.equal(sha((await stored('media', 'forms/weed.bin'))!), sha(file));
  });
});
