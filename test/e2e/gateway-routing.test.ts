// What the gateway itself decides, seen from a real client through a real Envoy: ListBuckets from
// the grants, aliasing kept invisible, CreateBucket on the default backend, one URL for two backends.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketCommand,
  GetObjectCommand, HeadBucketCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
  UploadPartCommand, DeleteObjectCommand,
} from '@aws-sdk/client-s3';
import { errorCode, send, signedRequest } from '../../testkit/raw-request.ts';
import { USERS, useWorld } from '../../testkit/world.ts';

function client(endpoint: string, creds: { accessKeyId: string; secretAccessKey: string }): S3Client {
  return new S3Client({ endpoint, region: 'us-east-1', credentials: creds, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
}

describe('gateway routing and rewriting', () => {
  const world = useWorld();
  let alice: S3Client;
  let bob: S3Client;
  before(() => {
    alice = client(world().gateway.endpoint, USERS.alice);
    bob = client(world().gateway.endpoint, USERS.bob);
  });
  after(() => {
    alice?.destroy();
    bob?.destroy();
  });

  it('ListBuckets lists exactly the configured buckets the user may use', async () => {
    const a = await alice.send(new ListBucketsCommand({}));
    assert.deepEqual(a.Buckets?.map((b) => b.Name), ['archive', 'lake', 'media', 'releases']);
    const b = await bob.send(new ListBucketsCommand({}));
    assert.deepEqual(b.Buckets?.map((x) => x.Name), ['archive', 'lake', 'media', 'releases', 'secret']);
  });

  it('an aliased bucket stores under the real name on its backend, and the client never sees it', async () => {
    await alice.send(new PutObjectCommand({ Bucket: 'archive', Key: 'alias/one.txt', Body: 'one' }));
    const onDisk = path.join(world().versity.dataDir, 'prod-archive-2024', 'alias', 'one.txt');
    assert.equal(readFileSync(onDisk, 'utf8'), 'one');
    assert.equal(existsSync(path.join(world().versity.dataDir, 'archive')), false);
    const list = await alice.send(new ListObjectsV2Command({ Bucket: 'archive', Prefix: 'alias/' }));
    assert.equal(list.Name, 'archive');
    assert.deepEqual(list.Contents?.map((c) => c.Key), ['alias/one.txt']);
  });

  it('raw response bodies of an aliased bucket never contain the real bucket name', async () => {
    const bodies: string[] = [];
    for (const p of ['/archive?list-type=2', '/archive', '/archive?uploads', '/archive/missing-key']) {
      const res = await send(world().gateway.endpoint, await signedRequest(world().gateway.endpoint, USERS.alice, 'GET', p));
      bodies.push(res.body);
    }
    const mp = await send(world().gateway.endpoint, await signedRequest(world().gateway.endpoint, USERS.alice, 'POST', '/archive/mp.bin?uploads'));
    bodies.push(mp.body);
    assert.match(mp.body, /<Bucket>archive<\/Bucket>/);
    for (const b of bodies) assert.doesNotMatch(b, /prod-archive-2024/, b);
    assert.equal(errorCode(bodies[3]!), 'NoSuchKey');
  });

  it('CompleteMultipartUpload on an alias answers with the client-visible bucket and URL', async () => {
    const up = await alice.send(new CreateMultipartUploadCommand({ Bucket: 'archive', Key: 'mp/done.bin' }));
    assert.equal(up.Bucket, 'archive');
    const part = await alice.send(new UploadPartCommand({ Bucket: 'archive', Key: 'mp/done.bin', UploadId: up.UploadId, PartNumber: 1, Body: Buffer.alloc(1000, 7) }));
    const done = await alice.send(new CompleteMultipartUploadCommand({
      Bucket: 'archive', Key: 'mp/done.bin', UploadId: up.UploadId, MultipartUpload: { Parts: [{ ETag: part.ETag, PartNumber: 1 }] },
    }));
    assert.equal(done.Bucket, 'archive');
    if (done.Location) assert.doesNotMatch(done.Location, /prod-archive-2024|:\d+\/prod/);
    const got = await alice.send(new GetObjectCommand({ Bucket: 'archive', Key: 'mp/done.bin' }));
    assert.equal((await got.Body!.transformToByteArray()).length, 1000);
  });

  it('one URL, two backends: media lands on SeaweedFS, releases on versitygw', async () => {
    const weedBefore = await world().gateway.upstreamRequests('weed');
    await alice.send(new PutObjectCommand({ Bucket: 'media', Key: 'route/x', Body: 'x' }));
    assert.ok((await world().gateway.upstreamRequests('weed')) > weedBefore);
    await alice.send(new PutObjectCommand({ Bucket: 'releases', Key: 'route/y', Body: 'y' }));
    assert.equal(readFileSync(path.join(world().versity.dataDir, 'releases', 'route', 'y'), 'utf8'), 'y');
    await alice.send(new DeleteObjectCommand({ Bucket: 'media', Key: 'route/x' }));
  });

  it('CreateBucket of a granted, unconfigured name goes to the default backend; HeadBucket and DeleteBucket follow', async () => {
    await alice.send(new CreateBucketCommand({ Bucket: 'scratch-alice' }));
    assert.ok(existsSync(path.join(world().versity.dataDir, 'scratch-alice')));
    await alice.send(new HeadBucketCommand({ Bucket: 'scratch-alice' }));
    await alice.send(new DeleteBucketCommand({ Bucket: 'scratch-alice' }));
    assert.equal(existsSync(path.join(world().versity.dataDir, 'scratch-alice')), false);
  });

  it('CreateBucket of a name the user has no grant on → 403 AccessDenied, nothing created', async () => {
    await assert.rejects(alice.send(new CreateBucketCommand({ Bucket: 'scratch-bob' })), (e: any) => e.name === 'AccessDenied' && e.$metadata.httpStatusCode === 403);
    assert.equal(existsSync(path.join(world().versity.dataDir, 'scratch-bob')), false);
  });

  it("response headers name the gateway, never the backend (Server, request ids)", async () => {
    for (const p of ['/releases?list-type=2', '/media?list-type=2', '/releases/route/y', '/releases/missing-key', '/media/missing-key']) {
      const res = await send(world().gateway.endpoint, await signedRequest(world().gateway.endpoint, USERS.alice, 'GET', p));
      assert.equal(res.headers['server'], 'Bucketgate', p);
      assert.equal(res.headers['x-amz-id-2'], undefined, p);
      const id = String(res.headers['x-amz-request-id']);
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-/, p);
      if (res.status >= 300) {
        // The backend's own error document, with the gateway's request id and no host id.
        assert.equal(/<RequestId>([^<]*)</.exec(res.body)?.[1], id, res.body);
        assert.doesNotMatch(res.body, /<HostId>/);
        assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.body));
      }
    }
  });

  it('listings and ACLs name the gateway user (its access key id) as owner, never the backend account (the backend\'s key id here)', async () => {
    const gw = world().gateway.endpoint;
    const backendKeys = [world().versity.accessKey, world().weed.accessKey];
    for (const bucket of ['releases', 'media']) {
      await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'owned/o.txt', Body: 'o' }));
      const mp = await alice.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'owned/mp.bin' }));
      const bodies: string[] = [];
      for (const p of [`/${bucket}?prefix=owned/`, `/${bucket}?list-type=2&fetch-owner=true&prefix=owned/`, `/${bucket}?versions&prefix=owned/`,
        `/${bucket}?uploads&prefix=owned/`, `/${bucket}/owned/mp.bin?uploadId=${encodeURIComponent(mp.UploadId!)}`, `/${bucket}?acl`]) {
        const res = await send(gw, await signedRequest(gw, USERS.alice, 'GET', p));
        assert.equal(res.status, 200, `${p}: ${res.body}`);
        bodies.push(res.body);
      }
      assert.ok(bodies.some((b) => b.includes(`<Owner><ID>${USERS.alice.accessKeyId}</ID>`)), `no Owner in any answer of ${bucket}: ${bodies.join('\n')}`);
      for (const b of bodies) for (const key of backendKeys) assert.ok(!b.includes(key), `the backend account ${key} shows:\n${b}`);
      await send(gw, await signedRequest(gw, USERS.alice, 'DELETE', `/${bucket}/owned/mp.bin?uploadId=${encodeURIComponent(mp.UploadId!)}`));
    }
  });

  it('every bucket is shown in the gateway\'s region (HeadBucket header, GetBucketLocation), never the backend\'s', async () => {
    const paris = await world().addGateway({ region: 'eu-west-3' });
    for (const [gw, region, location] of [[world().gateway.endpoint, 'us-east-1', ''], [paris.endpoint, 'eu-west-3', 'eu-west-3']] as const) {
      for (const bucket of ['releases', 'media']) {
        const head = await send(gw, await signedRequest(gw, USERS.alice, 'HEAD', `/${bucket}`, { region }));
        assert.equal(head.status, 200);
        // versitygw names its region on HeadBucket; SeaweedFS sends none (and none is added).
        assert.equal(head.headers['x-amz-bucket-region'], bucket === 'releases' ? region : undefined, `${gw} ${bucket}`);
        const loc = await send(gw, await signedRequest(gw, USERS.alice, 'GET', `/${bucket}?location`, { region }));
        assert.equal(/<LocationConstraint[^>]*>([^<]*)</.exec(loc.body)?.[1] ?? '', location, loc.body);
      }
    }
    // The pinned region is enforced, with the region in the error for SDKs to retry with.
    const wrong = await send(paris.endpoint, await signedRequest(paris.endpoint, USERS.alice, 'HEAD', '/releases', { region: 'us-east-1' }));
    assert.equal(wrong.status, 400);
    assert.equal(wrong.headers['x-amz-bucket-region'], undefined);
  });

  it('other operations pass through re-signed (object tagging round-trip)', async () => {
    const key = '/releases/tagged.txt';
    await send(world().gateway.endpoint, { ...(await signedRequest(world().gateway.endpoint, USERS.alice, 'PUT', key, { headers: { 'content-length': '1' } })), body: Buffer.from('t') });
    const xml = '<Tagging><TagSet><Tag><Key>team</Key><Value>blue</Value></Tag></TagSet></Tagging>';
    const { createHash } = await import('node:crypto');
    const put = await signedRequest(world().gateway.endpoint, USERS.alice, 'PUT', `${key}?tagging`, {
      headers: { 'content-md5': createHash('md5').update(xml).digest('base64'), 'content-length': String(xml.length) },
    });
    const putRes = await send(world().gateway.endpoint, { ...put, body: Buffer.from(xml) });
    assert.equal(putRes.status, 200, putRes.body);
    const get = await send(world().gateway.endpoint, await signedRequest(world().gateway.endpoint, USERS.alice, 'GET', `${key}?tagging`));
    assert.match(get.body, /<Key>team<\/Key>\s*<Value>blue<\/Value>/);
  });

  it('CORS: a bucket CORS rule set through the gateway answers browsers\' preflights (no credentials) and marks signed responses', async () => {
    const gw = world().gateway.endpoint;
    const origin = 'https://app.example.test';
    const preflight = (method: string) => send(gw, {
      method: 'OPTIONS',
      path: '/archive/cors/x.txt',
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'x-amz-date,authorization' },
    });
    const before = await preflight('PUT');
    assert.equal(before.status, 403, `no CORS rule yet: ${before.body}`);
    // The backend's answer (versitygw: AccessForbidden, "CORSResponse: CORS is not enabled…"), not the gateway's AccessDenied.
    assert.match(before.body, /CORS is not enabled/);
    assert.equal(before.headers['access-control-allow-origin'], undefined);

    const xml = `<CORSConfiguration><CORSRule><AllowedOrigin>${origin}</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod>`
      + '<AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule></CORSConfiguration>';
    const { createHash } = await import('node:crypto');
    const put = await signedRequest(gw, USERS.alice, 'PUT', '/archive?cors', {
      headers: { 'content-md5': createHash('md5').update(xml).digest('base64'), 'content-length': String(xml.length) },
    });
    const putRes = await send(gw, { ...put, body: Buffer.from(xml) });
    assert.equal(putRes.status, 200, putRes.body);

    const calls = await world().gateway.serviceCalls();
    const granted = await preflight('PUT');
    assert.equal(granted.status, 200, granted.body);
    assert.equal(granted.headers['access-control-allow-origin'], origin);
    assert.match(String(granted.headers['access-control-allow-methods']), /PUT/);
    // Envoy routed it to the real bucket by itself: no gRPC call into Node; the gateway's request id.
    assert.equal(await world().gateway.serviceCalls(), calls, 'a preflight of a configured bucket needs no service call');
    assert.match(String(granted.headers['x-amz-request-id']), /^[0-9a-f-]{36}$/);
    // What Node must look at still goes there: an escaped key is decoded and answered the same way…
    const escaped = await send(gw, { method: 'OPTIONS', path: '/archive/cors/x%2Etxt', headers: { origin, 'access-control-request-method': 'PUT' } });
    assert.equal(escaped.status, 200, escaped.body);
    assert.ok((await world().gateway.serviceCalls()) > calls, 'the escaped key went through ext_authz');
    // …and a dot segment that would climb into another real bucket is refused there, never forwarded.
    const climb = await send(gw, { method: 'OPTIONS', path: '/archive/../secret-stuff/x', headers: { origin, 'access-control-request-method': 'PUT' } });
    assert.equal(climb.status, 400, climb.body);
    assert.match(climb.body, /<Code>InvalidArgument<\/Code>/);
    const refused = await preflight('DELETE');
    assert.equal(refused.status, 403, refused.body);

    await alice.send(new PutObjectCommand({ Bucket: 'archive', Key: 'cors/x.txt', Body: 'x' }));
    const get = await send(gw, await signedRequest(gw, USERS.alice, 'GET', '/archive/cors/x.txt', { headers: { origin } }));
    assert.equal(get.status, 200, get.body);
    assert.equal(get.headers['access-control-allow-origin'], origin);
    // Preflights open no other door: a plain anonymous GET is still refused.
    assert.equal((await send(gw, { method: 'GET', path: '/archive/cors/x.txt', headers: { origin } })).status, 403);
  });
});
