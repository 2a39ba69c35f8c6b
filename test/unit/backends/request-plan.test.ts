// backends/request-plan.ts + backends/signer.ts: the request as the backend receives it, and a
// round trip proving that what the gateway signs is what a SigV4 backend verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BackendConfig } from '../../../core/config/types.ts';
import type { RouteDecision } from '../../../wire/route-decision.ts';
import { S3Error } from '../../../core/errors.ts';
import { SigningKeyCache } from '../../../core/sigv4/signing-key.ts';
import { type IncomingRequest, verifySigV4 } from '../../../core/sigv4/verify.ts';
import { CLIENT_AUTH_HEADERS, planBackendRequest, type BackendRequestPlan } from '../../../backends/request-plan.ts';
import { backendAuthority } from '../../../core/backend-authority.ts';
import { BackendSigner } from '../../../backends/signer.ts';
import { authorize } from '../../../authz/decide.ts';
import { ALICE, authzDeps, backend, encPath, gatewayConfig, NOW, presigned, signed } from '../fixtures/unit-helpers/gateway.ts';

const versity = backend('versity', 9100);
const virtualHttps: BackendConfig = backend('aws', 443, {
  endpoint: { scheme: 'https', host: 's3.eu-west-3.amazonaws.com', port: 443 },
  region: 'eu-west-3',
  addressing: 'virtual',
  credentials: { accessKeyId: 'AKIAAWSBACKEND', secretAccessKey: 'aws/backend+secret' },
});
const virtualPort: BackendConfig = backend('minio', 9300, {
  endpoint: { scheme: 'http', host: 'minio.internal', port: 9300 },
  addressing: 'virtual',
});

function decision(over: Partial<RouteDecision> = {}): RouteDecision {
  return {
    op: 'GetObject',
    principal: 'alice',
    bucket: 'archive',
    realBucket: 'prod-archive-2024',
    backend: 'versity',
    encodedKey: 'a%20b/%C3%BC%2Bc',
    presigned: false,
    ...over,
  };
}

test('path-style backend: real bucket in the path, authority with port', () => {
  const plan = planBackendRequest(decision(), versity, {}, '');
  assert.equal(plan.authority, '127.0.0.1:9100');
  assert.equal(plan.path, '/prod-archive-2024/a%20b/%C3%BC%2Bc');
  assert.equal(plan.wireQuery, '');
  assert.deepEqual(plan.query, {});
  // Bucket-level request: no trailing slash.
  const bucketLevel = planBackendRequest(decision({ op: 'ListObjects', encodedKey: '' }), versity, {}, '');
  assert.equal(bucketLevel.path, '/prod-archive-2024');
  // Keys with empty segments and trailing slashes are kept as they are.
  assert.equal(planBackendRequest(decision({ encodedKey: '/a//b/' }), versity, {}, '').path, '/prod-archive-2024//a//b/');
});

test('default ports are omitted from the authority (80 for http, 443 for https)', () => {
  const http80 = backend('h', 80, { endpoint: { scheme: 'http', host: 'store.internal', port: 80 } });
  const https443 = backend('s', 443, { endpoint: { scheme: 'https', host: 'store.internal', port: 443 } });
  const http443 = backend('x', 443, { endpoint: { scheme: 'http', host: 'store.internal', port: 443 } });
  const https80 = backend('y', 80, { endpoint: { scheme: 'https', host: 'store.internal', port: 80 } });
  assert.equal(backendAuthority(http80, 'b'), 'store.internal');
  assert.equal(backendAuthority(https443, 'b'), 'store.internal');
  assert.equal(backendAuthority(http443, 'b'), 'store.internal:443');
  assert.equal(backendAuthority(https80, 'b'), 'store.internal:80');
  assert.equal(planBackendRequest(decision(), http80, {}, '').headersToSign.host, 'store.internal');
});

test('IPv6 backend endpoints get a bracketed authority', () => {
  // core/config/semantics.ts parseEndpoint stores the IPv6 address without brackets
  // (for Envoy's socket_address); Host / :authority need them back: [::1]:9100.
  const v6 = backend('v6', 9100, { endpoint: { scheme: 'http', host: '::1', port: 9100 } });
  assert.equal(backendAuthority(v6, 'b'), '[::1]:9100');
  const v6default = backend('v6', 80, { endpoint: { scheme: 'http', host: '2001:db8::5', port: 80 } });
  assert.equal(backendAuthority(v6default, 'b'), '[2001:db8::5]');
});

test('virtual-host backend: bucket in the authority, key alone in the path', () => {
  const plan = planBackendRequest(decision({ backend: 'aws' }), virtualHttps, {}, '');
  assert.equal(plan.authority, 'prod-archive-2024.s3.eu-west-3.amazonaws.com');
  assert.equal(plan.path, '/a%20b/%C3%BC%2Bc');
  assert.equal(plan.headersToSign.host, 'prod-archive-2024.s3.eu-west-3.amazonaws.com');

  const withPort = planBackendRequest(decision({ backend: 'minio', encodedKey: 'k' }), virtualPort, {}, '');
  assert.equal(withPort.authority, 'prod-archive-2024.minio.internal:9300');
  assert.equal(withPort.path, '/k');

  const bucketLevel = planBackendRequest(decision({ op: 'ListObjectsV2', encodedKey: '' }), virtualPort, {}, 'list-type=2');
  assert.equal(bucketLevel.path, '/');
  assert.equal(bucketLevel.authority, 'prod-archive-2024.minio.internal:9300');
});

test('query: decoded for the signer, re-encoded canonically on the wire, bare flags kept bare', () => {
  const plan = planBackendRequest(decision({ op: 'ListObjects', encodedKey: '' }), versity, {}, 'prefix=a%20b&delimiter=%2F&uploads');
  assert.deepEqual(plan.query, { prefix: 'a b', delimiter: '/', uploads: '' });
  assert.equal(plan.wireQuery, 'prefix=a%20b&delimiter=%2F&uploads');

  // Non-canonical client encodings are normalized: '+' is a literal plus, '/' and '~' per UriEncode.
  const odd = planBackendRequest(decision(), versity, {}, 'prefix=a+b/c%7e&marker=%c3%a9&empty=');
  assert.deepEqual(odd.query, { prefix: 'a+b/c~', marker: 'é', empty: '' });
  assert.equal(odd.wireQuery, 'prefix=a%2Bb%2Fc~&marker=%C3%A9&empty=');

  // Repeated names become arrays, in wire order.
  const rep = planBackendRequest(decision(), versity, {}, 'a=1&a=2&b=x');
  assert.deepEqual(rep.query, { a: ['1', '2'], b: 'x' });
  assert.equal(rep.wireQuery, 'a=1&a=2&b=x');

  assert.throws(
    () => planBackendRequest(decision(), versity, {}, 'prefix=%E0%A4%A'),
    (e: unknown) => e instanceof S3Error && e.code === 'InvalidURI' && e.status === 400,
  );
});

const PRESIGN_QUERY =
  'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAALICE%2F20240506%2Fus-east-1%2Fs3%2Faws4_request' +
  '&X-Amz-Date=20240506T070809Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Security-Token=tok' +
  '&X-Amz-Signature=abcdef';

test('presign parameters are removed only from presigned requests', () => {
  const pre = planBackendRequest(decision({ presigned: true }), versity, {}, `versionId=v1&${PRESIGN_QUERY}&x-id=GetObject`);
  assert.deepEqual(pre.query, { versionId: 'v1', 'x-id': 'GetObject' });
  assert.equal(pre.wireQuery, 'versionId=v1&x-id=GetObject');

  const notPre = planBackendRequest(decision({ presigned: false }), versity, {}, `versionId=v1&${PRESIGN_QUERY}`);
  assert.equal(notPre.query['X-Amz-Algorithm'], 'AWS4-HMAC-SHA256');
  assert.equal(notPre.query['X-Amz-Signature'], 'abcdef');
  assert.equal(notPre.query['X-Amz-Credential'], 'AKIAALICE/20240506/us-east-1/s3/aws4_request');
  assert.equal(Object.keys(notPre.query).length, 8);
});

test('headers to sign: host, x-amz-* (minus client auth and date), content-md5', () => {
  const headers = {
    ':method': 'PUT',
    ':path': '/archive/k',
    ':authority': '127.0.0.1:9000',
    host: '127.0.0.1:9000',
    authorization: 'AWS4-HMAC-SHA256 Credential=...',
    'x-amz-date': '20240506T070809Z',
    'x-amz-security-token': 'session-token',
    'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'x-amz-meta-owner': 'Alice Ü',
    'x-amz-storage-class': 'STANDARD',
    'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==',
    'content-type': 'text/plain',
    'content-length': '0',
    'user-agent': 'test',
    range: 'bytes=0-1',
  };
  const plan = planBackendRequest(decision({ op: 'PutObject' }), versity, headers, '');
  assert.deepEqual(plan.headersToSign, {
    host: '127.0.0.1:9100',
    'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'x-amz-meta-owner': 'Alice Ü',
    'x-amz-storage-class': 'STANDARD',
    'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==',
  });
  assert.deepEqual(CLIENT_AUTH_HEADERS, ['authorization', 'x-amz-security-token']);
});

test('copy source is replaced by the decided one; payload hash defaults to UNSIGNED-PAYLOAD', () => {
  const plan = planBackendRequest(
    decision({ op: 'CopyObject', copySource: '/prod-archive-2024/src%20key?versionId=x' }),
    versity,
    { 'x-amz-copy-source': '/archive/src%20key?versionId=x', 'x-amz-metadata-directive': 'COPY' },
    '',
  );
  assert.equal(plan.headersToSign['x-amz-copy-source'], '/prod-archive-2024/src%20key?versionId=x');
  assert.equal(plan.headersToSign['x-amz-metadata-directive'], 'COPY');
  assert.equal(plan.headersToSign['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');

  const streaming = planBackendRequest(decision({ op: 'PutObject' }), versity, { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' }, '');
  assert.equal(streaming.headersToSign['x-amz-content-sha256'], 'STREAMING-UNSIGNED-PAYLOAD-TRAILER');
});

/** The request the backend receives, exactly as ext_proc rewrites it onto the wire. */
function onTheWire(method: string, plan: BackendRequestPlan, signed: { authorization: string; amzDate: string }): IncomingRequest {
  const headers = new Map<string, string>(Object.entries(plan.headersToSign));
  headers.set('authorization', signed.authorization);
  headers.set('x-amz-date', signed.amzDate);
  return { method, rawPath: plan.path, rawQuery: plan.wireQuery, header: (n) => headers.get(n), headerNames: () => headers.keys() };
}

async function roundTrip(b: BackendConfig, method: string, d: RouteDecision, headers: Record<string, string>, rawQuery: string) {
  const plan = planBackendRequest(d, b, headers, rawQuery);
  const signed = new BackendSigner(b, new SigningKeyCache()).sign(method, plan, NOW);
  assert.match(signed.authorization, new RegExp(`^AWS4-HMAC-SHA256 Credential=${b.credentials.accessKeyId}/20240506/${b.region}/s3/aws4_request, SignedHeaders=`));
  assert.equal(signed.amzDate, '20240506T070809Z');
  const req = onTheWire(method, plan, signed);
  const lookup = (ak: string) => (ak === b.credentials.accessKeyId ? b.credentials.secretAccessKey : undefined);
  const id = verifySigV4(req, lookup, NOW, new SigningKeyCache());
  assert.equal(id.accessKeyId, b.credentials.accessKeyId);
  assert.equal(id.presigned, false);
  assert.equal(id.region, b.region);
  return { plan, signed, req };
}

test('BackendSigner: what the gateway signs verifies with the backend credentials', async () => {
  const { signed } = await roundTrip(versity, 'GET', decision(), {}, '');
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(signed.authorization)![1]!.split(';');
  assert.ok(signedHeaders.includes('host'), signed.authorization);
  assert.ok(signedHeaders.includes('x-amz-content-sha256'), signed.authorization);
  assert.ok(signedHeaders.includes('x-amz-date'), signed.authorization);

  // Odd keys, listing queries with bare flags and repeated names, presigned clients, copies.
  await roundTrip(versity, 'GET', decision({ op: 'ListObjects', encodedKey: '' }), {}, 'prefix=a%20b&delimiter=%2F&uploads');
  await roundTrip(versity, 'GET', decision({ encodedKey: '%E2%9C%93/a%2Bb/%25/~x' }), {}, 'response-content-type=text%2Fplain&versionId=v+1');
  await roundTrip(versity, 'GET', decision({ encodedKey: 'a//b/' }), {}, 'a=2&a=1&b=');
  await roundTrip(versity, 'GET', decision({ presigned: true }), {}, `${PRESIGN_QUERY}&x-id=GetObject`);
  await roundTrip(
    versity,
    'PUT',
    decision({ op: 'UploadPartCopy', copySource: '/prod-archive-2024/src%20key?versionId=x' }),
    { 'x-amz-copy-source': '/archive/src%20key?versionId=x', 'x-amz-meta-note': '  spaced   out ', 'content-md5': 'abc==' },
    'partNumber=3&uploadId=u%2B1',
  );
  await roundTrip(virtualHttps, 'PUT', decision({ backend: 'aws', op: 'PutObject' }), { 'x-amz-content-sha256': 'ab'.repeat(32) }, '');
  await roundTrip(virtualPort, 'GET', decision({ backend: 'minio', op: 'ListObjectsV2', encodedKey: '' }), {}, 'list-type=2&prefix=%C3%A9');
});

test('BackendSigner: the backend rejects anything that differs from the plan', async () => {
  const { req } = await roundTrip(versity, 'PUT', decision({ op: 'PutObject' }), { 'x-amz-meta-a': '1' }, 'x-id=PutObject');
  const lookup = (ak: string) => (ak === versity.credentials.accessKeyId ? versity.credentials.secretAccessKey : undefined);
  const mismatch = (r: IncomingRequest) =>
    assert.throws(
      () => verifySigV4(r, lookup, NOW, new SigningKeyCache()),
      (e: unknown) => e instanceof S3Error && e.code === 'SignatureDoesNotMatch',
    );
  mismatch({ ...req, rawPath: '/releases/a%20b/%C3%BC%2Bc' });
  mismatch({ ...req, rawQuery: '' });
  mismatch({ ...req, method: 'DELETE' });
  mismatch({ ...req, header: (n) => (n === 'x-amz-meta-a' ? '2' : req.header(n)) });
  mismatch({ ...req, header: (n) => (n === 'host' ? '127.0.0.1:9200' : req.header(n)) });
  // Another backend's credentials do not verify it.
  const other = (ak: string) => (ak === versity.credentials.accessKeyId ? 'weed-secret' : undefined);
  assert.throws(() => verifySigV4(req, other, NOW, new SigningKeyCache()), (e: unknown) => e instanceof S3Error && e.code === 'SignatureDoesNotMatch');
});

test('client request -> ext_authz decision -> backend request that verifies (header and presigned)', async () => {
  const config = gatewayConfig();
  const deps = authzDeps(config);
  const clientHeaders = (r: IncomingRequest) => {
    const out: Record<string, string> = {};
    for (const n of ['host', 'authorization', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-copy-source', 'x-amz-meta-k']) {
      const v = r.header(n);
      if (v !== undefined) out[n] = v;
    }
    return out;
  };
  const clients = [
    await signed(ALICE, { method: 'PUT', path: encPath('archive', 'dir/a b+ü'), headers: { 'x-amz-meta-k': 'v' } }),
    await presigned(ALICE, { path: encPath('archive', 'dir/a b+ü'), query: { 'x-id': 'GetObject', 'response-content-type': 'text/plain' } }),
    await signed(ALICE, { path: '/archive', query: { 'list-type': '2', prefix: 'dir/', delimiter: '/' } }),
    await signed(ALICE, { method: 'PUT', path: encPath('releases', 'copy'), headers: { 'x-amz-copy-source': '/archive/dir/a%20b%2B%C3%BC' } }),
  ];
  for (const client of clients) {
    const out = authorize(client, { ...deps, now: NOW });
    if (!out.ok) assert.fail(`${client.rawPath}: ${out.error.code}`);
    const b = deps.buckets.backend(out.decision.backend!)!;
    const { plan } = await roundTrip(b, client.method, out.decision, clientHeaders(client), client.rawQuery);
    assert.ok(plan.path.startsWith('/prod-archive-2024') || plan.path.startsWith('/releases/'), plan.path);
    assert.doesNotMatch(plan.wireQuery, /X-Amz-(Signature|Credential|Algorithm|Date|Expires|SignedHeaders)=/);
    if (out.decision.op === 'GetObject') {
      assert.equal(plan.path, '/prod-archive-2024/dir/a%20b%2B%C3%BC');
      assert.match(plan.wireQuery, /(^|&)x-id=GetObject(&|$)/);
      assert.match(plan.wireQuery, /(^|&)response-content-type=text%2Fplain(&|$)/);
    }
    if (out.decision.op === 'CopyObject') {
      assert.equal(plan.headersToSign['x-amz-copy-source'], '/prod-archive-2024/dir/a%20b%2B%C3%BC');
    }
  }
});
