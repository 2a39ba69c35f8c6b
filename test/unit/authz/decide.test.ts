// authz/decide.ts: the whole ext_authz decision on requests signed by @smithy/signature-v4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, type AuthzDeps, type AuthzOutcome } from '../../../authz/decide.ts';
import type { RouteDecision } from '../../../wire/route-decision.ts';
import type { AuthzRequest } from '../../../authz/upstream.ts';
import {
  ALICE,
  anonymous,
  authzDeps,
  BOB,
  encPath,
  gatewayConfig,
  NOW,
  presigned,
  signed,
} from '../fixtures/unit-helpers/gateway.ts';

const model = authzDeps(gatewayConfig());
const withDefault = authzDeps(gatewayConfig({ defaultBackend: 'weed' }));
const open = authzDeps(gatewayConfig({ openAccess: true }));

function run(req: AuthzRequest, deps: AuthzDeps = model, now: Date = NOW): AuthzOutcome {
  return authorize(req, { ...deps, now });
}

function allowed(out: AuthzOutcome): { cluster: string; decision: RouteDecision } {
  if (!out.ok) assert.fail(`expected allowed, got ${out.error.code} ${out.error.status}: ${out.error.message}`);
  return out;
}

function denied(out: AuthzOutcome, code: string, status: number): void {
  if (out.ok) assert.fail(`expected ${code} ${status}, got allowed to ${out.cluster}: ${JSON.stringify(out.decision)}`);
  assert.equal(out.error.code, code, out.error.message);
  assert.equal(out.error.status, status);
}

test('alice GETs an object in releases: routed to versity with the full decision', async () => {
  const out = allowed(run(await signed(ALICE, { path: encPath('releases', 'a b/ü+c'), sourceIp: '192.0.2.8' })));
  assert.equal(out.cluster, 'backend_versity');
  assert.deepEqual(out.decision, {
    op: 'GetObject',
    principal: 'alice',
    accessKeyId: ALICE.accessKeyId,
    bucket: 'releases',
    realBucket: 'releases',
    backend: 'versity',
    encodedKey: 'a%20b/%C3%BC%2Bc',
    presigned: false,
    copySource: undefined,
    sourceIp: '192.0.2.8',
  });
});

test('an alias resolves to the real bucket on its backend', async () => {
  const out = allowed(run(await signed(ALICE, { method: 'PUT', path: encPath('archive', 'logs/2024/01.gz') })));
  assert.equal(out.cluster, 'backend_versity');
  assert.equal(out.decision.op, 'PutObject');
  assert.equal(out.decision.bucket, 'archive');
  assert.equal(out.decision.realBucket, 'prod-archive-2024');
  assert.equal(out.decision.backend, 'versity');
  assert.equal(out.decision.encodedKey, 'logs/2024/01.gz');
});

test('the key is canonically encoded whatever encoding the client used', async () => {
  // '+' literal, lower-case hex and an encoded '~' all normalize to AWS UriEncode (which is also
  // what a SigV4 client signs for that path).
  const out = allowed(
    run(await signed(BOB, { path: '/media/x+y/%7e/%c3%a9', signedPath: '/media/x%2By/~/%C3%A9', method: 'HEAD' })),
  );
  assert.equal(out.decision.encodedKey, 'x%2By/~/%C3%A9');
  assert.equal(out.decision.op, 'HeadObject');
  assert.equal(out.cluster, 'backend_weed');
});

test('bucket-level and listing requests', async () => {
  const list = allowed(run(await signed(ALICE, { path: '/releases', query: { 'list-type': '2', prefix: 'a b/' } })));
  assert.equal(list.decision.op, 'ListObjectsV2');
  assert.equal(list.decision.encodedKey, '');
  assert.equal(list.decision.bucket, 'releases');
  const uploads = allowed(run(await signed(ALICE, { path: '/archive/', query: { uploads: '' } })));
  assert.equal(uploads.decision.op, 'ListMultipartUploads');
  assert.equal(uploads.decision.realBucket, 'prod-archive-2024');
});

test('a presigned request is allowed and marked presigned', async () => {
  const out = allowed(run(await presigned(ALICE, { path: encPath('releases', 'dl/file 1.bin'), query: { 'x-id': 'GetObject' } })));
  assert.equal(out.cluster, 'backend_versity');
  assert.equal(out.decision.presigned, true);
  assert.equal(out.decision.op, 'GetObject');
  assert.equal(out.decision.principal, 'alice');
  assert.equal(out.decision.encodedKey, 'dl/file%201.bin');
});

test('ListBuckets is allowed and answered by the gateway', async () => {
  const out = allowed(run(await signed(ALICE, { path: '/' })));
  assert.equal(out.decision.op, 'ListBuckets');
  assert.equal(out.decision.principal, 'alice');
  assert.equal(out.decision.bucket, undefined);
  assert.equal(out.decision.backend, undefined);
  assert.equal(out.decision.encodedKey, '');
  assert.equal(out.decision.presigned, false);
  // Any existing cluster will do; it must be one of the backends'.
  assert.ok(['backend_versity', 'backend_weed'].includes(out.cluster), out.cluster);
});

test('a bucket the user is not granted is AccessDenied 403', async () => {
  denied(run(await signed(ALICE, { path: encPath('media', 'k') })), 'AccessDenied', 403);
  denied(run(await signed(ALICE, { path: '/media' })), 'AccessDenied', 403);
  denied(run(await presigned(ALICE, { path: encPath('media', 'k') })), 'AccessDenied', 403);
});

test('grant is checked before existence: an unconfigured bucket is AccessDenied for alice', async () => {
  denied(run(await signed(ALICE, { path: encPath('nowhere', 'k') })), 'AccessDenied', 403);
  // Even when a default backend would serve it.
  denied(run(await signed(ALICE, { path: encPath('nowhere', 'k') }), withDefault), 'AccessDenied', 403);
});

test('an unconfigured bucket: NoSuchBucket without default backend, routed there with one', async () => {
  const req = await signed(BOB, { path: encPath('nowhere', 'k') });
  const out = run(req);
  denied(out, 'NoSuchBucket', 404);
  assert.equal(!out.ok && out.error.details.BucketName, 'nowhere');

  const routed = allowed(run(req, withDefault));
  assert.equal(routed.cluster, 'backend_weed');
  assert.equal(routed.decision.bucket, 'nowhere');
  assert.equal(routed.decision.realBucket, 'nowhere');
  assert.equal(routed.decision.backend, 'weed');
  // Configured buckets keep their own backend.
  assert.equal(allowed(run(await signed(BOB, { path: '/archive/k' }), withDefault)).cluster, 'backend_versity');
});

test('bad credentials', async () => {
  denied(run(await signed({ ...ALICE, secretAccessKey: 'wrong' }, { path: '/releases/k' })), 'SignatureDoesNotMatch', 403);
  denied(run(await signed({ accessKeyId: 'AKIANOBODY', secretAccessKey: 'x' }, { path: '/releases/k' })), 'InvalidAccessKeyId', 403);
  denied(run(await presigned({ ...BOB, secretAccessKey: 'wrong' }, { path: '/releases/k' })), 'SignatureDoesNotMatch', 403);
  // A request signed for another host than the one it reached.
  const elsewhere = await signed(ALICE, { path: '/releases/k', host: '127.0.0.1:9001' });
  denied(run({ ...elsewhere, header: (n) => (n === 'host' ? '127.0.0.1:9000' : elsewhere.header(n)) }), 'SignatureDoesNotMatch', 403);
  // Signed an hour ago.
  denied(run(await signed(ALICE, { path: '/releases/k' }, new Date(NOW.getTime() - 3_600_000))), 'RequestTimeTooSkewed', 403);
});

test('anonymous requests: AccessDenied, unless open_access', () => {
  denied(run(anonymous({ path: '/releases/k' })), 'AccessDenied', 403);
  denied(run(anonymous({ path: '/' })), 'AccessDenied', 403);

  const out = allowed(run(anonymous({ path: encPath('media', 'pub/a b') }), open));
  assert.equal(out.cluster, 'backend_weed');
  assert.equal(out.decision.principal, undefined);
  assert.equal(out.decision.op, 'GetObject');
  assert.equal(out.decision.encodedKey, 'pub/a%20b');
  assert.equal(out.decision.presigned, false);
  // Unconfigured bucket under open access and no default backend.
  denied(run(anonymous({ path: '/nowhere/k' }), open), 'NoSuchBucket', 404);
});

test('open access does not let a wrong signature through', async () => {
  denied(run(await signed({ ...ALICE, secretAccessKey: 'wrong' }, { path: '/releases/k' }), open), 'SignatureDoesNotMatch', 403);
});

test('SigV2 presigned query is InvalidRequest 400, not anonymous', () => {
  const rawQuery = 'AWSAccessKeyId=AKIAALICE0000000001&Signature=abc%2Bdef%3D&Expires=1714979289';
  denied(run(anonymous({ path: '/releases/k', rawQuery })), 'InvalidRequest', 400);
  denied(run(anonymous({ path: '/releases/k', rawQuery }), open), 'InvalidRequest', 400);
  denied(run(anonymous({ path: '/releases/k', rawQuery: 'Expires=1&Signature=x&AWSAccessKeyId=y' })), 'InvalidRequest', 400);
});

test('PUT / (no bucket) is MethodNotAllowed 405', async () => {
  denied(run(await signed(BOB, { method: 'PUT', path: '/' })), 'MethodNotAllowed', 405);
  denied(run(await signed(BOB, { method: 'DELETE', path: '/' })), 'MethodNotAllowed', 405);
});

test('a malformed request shape is refused before authentication, signed or not, and says nothing about the bucket', async () => {
  for (const req of [
    anonymous({ method: 'POST', path: '/' }),
    anonymous({ method: 'PUT', path: '/nowhere/k', query: { partNumber: '1' } }),
    anonymous({ method: 'GET', path: '/releases/k', query: { versions: '' } }),
    await signed(BOB, { method: 'GET', path: '/releases/k', query: { uploads: '' } }),
  ]) {
    const out = run(req);
    assert.ok(!out.ok && out.error.status !== 403 && out.error.code !== 'NoSuchBucket', JSON.stringify(out));
  }
  denied(run(anonymous({ method: 'DELETE', path: '/releases/k', headers: { 'x-amz-copy-source': 'releases/j' } })), 'InvalidArgument', 400);
});

test('a CORS preflight (anonymous OPTIONS) goes unsigned to the bucket\'s backend; unknown buckets are NoSuchBucket', async () => {
  const pre = { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' } };
  const out = allowed(run(anonymous({ ...pre, path: encPath('archive', 'x/y') })));
  assert.deepEqual(out.decision, {
    op: 'CorsPreflight', bucket: 'archive', realBucket: 'prod-archive-2024', backend: 'versity', encodedKey: 'x/y', presigned: false, sourceIp: '',
  });
  assert.equal(out.cluster, 'backend_versity');
  denied(run(anonymous({ ...pre, path: '/nowhere/k' })), 'NoSuchBucket', 404);
  denied(run(anonymous({ ...pre, path: '/' })), 'AccessDenied', 403);
  // Only OPTIONS is let through without credentials.
  denied(run(anonymous({ ...pre, method: 'GET', path: encPath('archive', 'x/y') })), 'AccessDenied', 403);
});

test('listen.region: a scope naming another region is refused as AWS does; unset, any region passes', async () => {
  const pinned = authzDeps(gatewayConfig({ listen: { ...gatewayConfig().listen, region: 'eu-central-1' } }));
  allowed(run(await signed(ALICE, { path: '/releases/k', region: 'eu-central-1' }), pinned));
  allowed(run(await signed(ALICE, { path: '/releases/k', region: 'ap-south-1' })));
  const header = run(await signed(ALICE, { path: '/releases/k', region: 'us-east-1' }), pinned);
  denied(header, 'AuthorizationHeaderMalformed', 400);
  assert.ok(!header.ok);
  assert.equal(header.error.message, 'The authorization header is malformed; the region "us-east-1" is wrong; expecting "eu-central-1"');
  assert.deepEqual(header.error.details, { Region: 'eu-central-1' });
  const query = run(await presigned(ALICE, { path: '/releases/k', region: 'us-east-1' }), pinned);
  denied(query, 'AuthorizationQueryParametersError', 400);
  assert.ok(!query.ok);
  assert.match(query.error.message, /the region "us-east-1" is wrong; expecting "eu-central-1"$/);
});

test('copy source: authorized and rewritten to the real source bucket', async () => {
  const out = allowed(
    run(
      await signed(ALICE, {
        method: 'PUT',
        path: encPath('releases', 'copy/dst'),
        headers: { 'x-amz-copy-source': '/archive/a%20b/%C3%BC%2Bc' },
      }),
    ),
  );
  assert.equal(out.cluster, 'backend_versity');
  assert.equal(out.decision.op, 'CopyObject');
  assert.equal(out.decision.copySource, '/prod-archive-2024/a%20b/%C3%BC%2Bc');

  // Without the leading '/', with a literal '+' (SDKs encode it, curl users may not), and a version.
  const v = allowed(
    run(
      await signed(ALICE, {
        method: 'PUT',
        path: encPath('releases', 'dst'),
        headers: { 'x-amz-copy-source': 'archive/x+y?versionId=x' },
      }),
    ),
  );
  assert.equal(v.decision.copySource, '/prod-archive-2024/x%2By?versionId=x');

  const part = allowed(
    run(
      await signed(BOB, {
        method: 'PUT',
        path: encPath('releases', 'dst'),
        query: { partNumber: '1', uploadId: 'u-1' },
        headers: { 'x-amz-copy-source': '/releases/src' },
      }),
    ),
  );
  assert.equal(part.decision.op, 'UploadPartCopy');
  assert.equal(part.decision.copySource, '/releases/src');
});

test('copy source from a bucket the user is not granted is AccessDenied', async () => {
  denied(
    run(await signed(ALICE, { method: 'PUT', path: '/releases/dst', headers: { 'x-amz-copy-source': '/media/src' } })),
    'AccessDenied',
    403,
  );
  denied(
    run(await signed(ALICE, { method: 'PUT', path: '/releases/dst', headers: { 'x-amz-copy-source': '/nowhere/src' } })),
    'AccessDenied',
    403,
  );
  denied(
    run(await signed(BOB, { method: 'PUT', path: '/releases/dst', headers: { 'x-amz-copy-source': '/nowhere/src' } })),
    'NoSuchBucket',
    404,
  );
});

test('copy between buckets on different backends is NotImplemented 501', async () => {
  denied(
    run(await signed(BOB, { method: 'PUT', path: '/releases/dst', headers: { 'x-amz-copy-source': '/media/src' } })),
    'NotImplemented',
    501,
  );
});

test('a malformed copy source is InvalidArgument 400 with AWS\'s message, naming the header', async () => {
  const put = async (source: string) =>
    run(await signed(BOB, { method: 'PUT', path: '/releases/dst', headers: { 'x-amz-copy-source': source } }));
  const refused = async (source: string, message: string, value: string) => {
    const out = await put(source);
    denied(out, 'InvalidArgument', 400);
    assert.equal(!out.ok && out.error.message, message, source);
    assert.deepEqual(!out.ok && out.error.details, { ArgumentName: 'x-amz-copy-source', ArgumentValue: value }, source);
  };
  const encoding = 'Invalid copy source encoding';
  for (const source of ['bucket/%ZZ', '100%/foo/bar/baz', 'bucket/%A/bar', '%', 'bucket/%C3%', '/releases/%E0%A4%A']) {
    await refused(source, encoding, source);
  }
  const bucket = 'Invalid copy source bucket name';
  for (const source of ['/r/src', 'my-buc@k&()t/obj', '2001:0db8:85a3:0000:0000:8a2e:0370:7334/something', '//obj/foo']) {
    await refused(source, bucket, source);
  }
  const key = 'Invalid copy source object key';
  await refused('/releases/../media/src', key, '../media/src');
  await refused('/releases/a/%2e%2e/b', key, 'a/../b');
  await refused('/releases/./src', key, './src');
  await refused('releases/..', key, '..');
  await refused('/releases/a%00b', key, 'a\u0000b');
  await refused('/releases', key, '');
  await refused('/releases/', key, '');
  denied(await put('releases/src?versionId=1&partNumber=2'), 'InvalidArgument', 400);
});

test('dot segments are rejected even when the request is correctly signed', async () => {
  // smithy with uriEscapePath:false signs the path as given, so the signature is valid here.
  for (const path of ['/releases/../media/key', '/releases/%2e%2e/media/key', '/releases/./key', '/releases/a/../../media/k']) {
    const out = run(await signed(BOB, { path }));
    denied(out, 'InvalidArgument', 400);
  }
  denied(run(await signed(BOB, { path: '//media/key' })), 'InvalidBucketName', 400);
  denied(run(await signed(BOB, { path: '/%2e%2e/media/key' })), 'InvalidBucketName', 400);
});

test('virtual-host requests resolve the bucket from the Host header', async () => {
  const vmodel = authzDeps(gatewayConfig({ listen: { address: '127.0.0.1', port: 9000, domain: 's3.example.test' } }));
  const out = allowed(run(await signed(ALICE, { path: '/a%20b', host: 'archive.s3.example.test:9000' }), vmodel));
  assert.equal(out.cluster, 'backend_versity');
  assert.equal(out.decision.bucket, 'archive');
  assert.equal(out.decision.realBucket, 'prod-archive-2024');
  assert.equal(out.decision.encodedKey, 'a%20b');
  denied(run(await signed(ALICE, { path: '/k', host: 'media.s3.example.test:9000' }), vmodel), 'AccessDenied', 403);
  // The domain itself is path style.
  const path = allowed(run(await signed(ALICE, { path: '/archive/k', host: 's3.example.test:9000' }), vmodel));
  assert.equal(path.decision.bucket, 'archive');
  assert.equal(path.decision.encodedKey, 'k');
});

test('a user with several access keys is the same principal', async () => {
  const second = { accessKeyId: 'AKIAALICE0000000002', secretAccessKey: 'second-secret' };
  const m = authzDeps(
    gatewayConfig({
      users: [{ name: 'alice', accessKeys: [ALICE, second], buckets: ['releases'] }],
    }),
  );
  const out = allowed(run(await signed(second, { path: '/releases/k' }), m));
  assert.equal(out.decision.principal, 'alice');
  denied(run(await signed(second, { path: '/archive/k' }), m), 'AccessDenied', 403);
});

test('copy source with encoded separators (bucket%2Fkey) is parsed like AWS does', async () => {
  const out = allowed(
    run(await signed(ALICE, { method: 'PUT', path: encPath('releases', 'dst'), headers: { 'x-amz-copy-source': 'archive%2Fdir%2Fk' } })),
  );
  assert.equal(out.decision.copySource, '/prod-archive-2024/dir/k');
});

test('a copy source hoisted into the query is refused (it would bypass the copy-source grant)', async () => {
  const req = await signed(ALICE, { method: 'PUT', path: encPath('releases', 'dst'), query: { 'X-Amz-Copy-Source': '/secret/k' } });
  denied(run(req), 'InvalidArgument', 400);
});

test('signed aws-chunked uploads: allowed with a decoded length; SigV4a chunks and a missing length refused', async () => {
  const put = (headers: Record<string, string>) => signed(ALICE, { method: 'PUT', path: encPath('releases', 'k'), headers });
  const ok = allowed(run(await put({ 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'x-amz-decoded-content-length': '5' })));
  assert.equal(ok.decision.op, 'PutObject');
  denied(run(await put({ 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' })), 'MissingContentLength', 411);
  denied(run(await put({ 'x-amz-content-sha256': 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD', 'x-amz-decoded-content-length': '5' })), 'NotImplemented', 501);
});
