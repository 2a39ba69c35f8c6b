// authz/decide.ts with public prefixes and admission rules (issue 17): anonymous reads under a public
// prefix, listings inside it, never a write; credentials always mean their user; admission before
// authentication; the client's address from each ext_authz transport, never from a client's header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, type AuthzOutcome } from '../../../authz/decide.ts';
import { httpCheckHandler, checkHandler } from '../../../authz/server.ts';
import type { AuthzRequest } from '../../../authz/upstream.ts';
import { SOURCE_IP_HEADER } from '../../../wire/names.ts';
import { ALICE, anonymous, authzDeps, encPath, gatewayConfig, NOW, signed } from '../fixtures/unit-helpers/gateway.ts';

const config = gatewayConfig({
  buckets: [
    { name: 'releases', backend: 'versity', realName: 'releases', publicPrefixes: ['pub/', 'docs/v1/'] },
    { name: 'archive', backend: 'versity', realName: 'prod-archive-2024', public: true },
    { name: 'media', backend: 'weed', realName: 'media' },
    { name: 'frozen', backend: 'versity', realName: 'frozen' },
  ],
  users: [
    { name: 'alice', accessKeys: [ALICE], buckets: ['media'], policies: ['office'] },
  ],
  policies: [{ name: 'office', rules: [{ effect: 'allow', actions: ['read'], resources: ['frozen/*'], when: 'request.sourceIp.startsWith("127.")' }] }],
  admission: [
    { name: 'block-net', match: { sourceIpList: ['203.0.113.0/24'] }, action: 'deny' },
    { name: 'maintenance', match: { bucket: 'frozen', methods: ['PUT', 'POST', 'DELETE'] }, action: 'reject', status: 503, message: 'frozen for maintenance' },
  ],
});
const deps = authzDeps(config);
const run = (req: AuthzRequest): AuthzOutcome => authorize(req, { ...deps, now: NOW });
const status = (out: AuthzOutcome) => (out.ok ? 'ok' : `${out.error.status} ${out.error.code}`);

// [method, bucket, key, query, expected] for a request without credentials
const ANONYMOUS: [string, string, string, Record<string, string>, string][] = [
  ['GET', 'releases', 'pub/app.tgz', {}, 'ok'],
  ['HEAD', 'releases', 'pub/app.tgz', {}, 'ok'],
  ['GET', 'releases', 'pub/deep/er/app.tgz', {}, 'ok'],
  ['GET', 'releases', 'docs/v1/index.html', {}, 'ok'],
  ['GET', 'releases', 'docs/v2/index.html', {}, '403 AccessDenied'],
  ['GET', 'releases', 'pubx/app.tgz', {}, '403 AccessDenied'],
  ['GET', 'releases', 'private.txt', {}, '403 AccessDenied'],
  ['GET', 'releases', 'pub/app.tgz', { acl: '' }, '403 AccessDenied'], // GetObjectAcl is no read of the key
  ['GET', 'releases', 'pub/app.tgz', { tagging: '' }, '403 AccessDenied'],
  ['GET', 'releases', '', { 'list-type': '2', prefix: 'pub/' }, 'ok'],
  ['GET', 'releases', '', { prefix: 'pub/sub/' }, 'ok'], // ListObjects v1
  ['GET', 'releases', '', { 'list-type': '2', prefix: 'pub' }, '403 AccessDenied'], // would reach pubx…
  ['GET', 'releases', '', { 'list-type': '2' }, '403 AccessDenied'],
  ['GET', 'releases', '', { versions: '', prefix: 'pub/' }, '403 AccessDenied'],
  ['GET', 'releases', '', { uploads: '', prefix: 'pub/' }, '403 AccessDenied'],
  ['PUT', 'releases', 'pub/app.tgz', {}, '403 AccessDenied'],
  ['DELETE', 'releases', 'pub/app.tgz', {}, '403 AccessDenied'],
  ['POST', 'releases', 'pub/app.tgz', { uploads: '' }, '403 AccessDenied'],
  ['PUT', 'releases', 'pub/app.tgz', { tagging: '' }, '403 AccessDenied'],
  ['PUT', 'releases', '', { acl: '' }, '403 AccessDenied'],
  ['DELETE', 'releases', '', {}, '403 AccessDenied'],
  ['GET', 'archive', 'any/key', {}, 'ok'], // public: true
  ['GET', 'archive', '', { 'list-type': '2' }, 'ok'],
  ['PUT', 'archive', 'any/key', {}, '403 AccessDenied'],
  ['GET', 'media', 'k', {}, '403 AccessDenied'], // no public prefix: denied as before
];

test('anonymous: GET/HEAD under a public prefix, LIST only inside one, never a write', () => {
  for (const [method, bucket, key, query, expected] of ANONYMOUS) {
    assert.equal(status(run(anonymous({ method, path: encPath(bucket, key), query }))), expected, `${method} ${bucket}/${key} ${JSON.stringify(query)}`);
  }
});

test('anonymous ListBuckets stays refused, public prefixes or not', () => {
  assert.equal(status(run(anonymous({ path: '/' }))), '403 AccessDenied');
});

test('the public rules are the anonymous principal\'s, and explanations name them', () => {
  const decision = deps.access.decide({ presigned: false }, { operation: 'GetObject', method: 'GET', bucket: 'releases', key: 'pub/a' }, NOW);
  assert.deepEqual([decision.allowed, decision.deciding], [true, { policy: '(public of releases)', index: 0 }]);
});

test('a request with credentials is its user, never anonymous: no public read without a grant, a bad signature stays an error', async () => {
  assert.equal(status(run(await signed(ALICE, { path: encPath('releases', 'pub/app.tgz') }))), '403 AccessDenied');
  assert.equal(status(run(await signed({ ...ALICE, secretAccessKey: 'wrong' }, { path: encPath('releases', 'pub/app.tgz') }))), '403 SignatureDoesNotMatch');
  assert.equal(status(run(await signed(ALICE, { path: encPath('media', 'k') }))), 'ok');
});

test('SigV2 query signatures are still refused, not taken for anonymous', () => {
  const rawQuery = 'AWSAccessKeyId=AKIAALICE0000000001&Expires=1&Signature=x';
  assert.equal(status(run(anonymous({ path: encPath('releases', 'pub/app.tgz'), rawQuery }))), '400 InvalidRequest');
});

test('admission runs before authentication: a blocked network, a frozen bucket (503, S3 XML), continue otherwise', async () => {
  const blocked = await signed({ ...ALICE, secretAccessKey: 'wrong' }, { path: encPath('media', 'k'), sourceIp: '203.0.113.9' });
  assert.equal(status(run(blocked)), '403 AccessDenied'); // not SignatureDoesNotMatch: nothing was checked
  assert.equal(status(run(anonymous({ path: encPath('releases', 'pub/app.tgz'), sourceIp: '203.0.113.9' }))), '403 AccessDenied');
  const frozen = run(await signed(ALICE, { method: 'PUT', path: encPath('frozen', 'k'), sourceIp: '127.0.0.1' }));
  assert.ok(!frozen.ok);
  assert.deepEqual([frozen.error.status, frozen.error.code, frozen.error.message], [503, 'ServiceUnavailable', 'frozen for maintenance']);
  // A POST form carries its credentials in the body: it counts as authenticated, and the rule still applies.
  assert.equal(status(run(anonymous({ method: 'POST', path: encPath('frozen'), headers: { 'content-type': 'multipart/form-data; boundary=x' } }))), '503 ServiceUnavailable');
  assert.equal(status(run(await signed(ALICE, { path: encPath('media', 'k'), sourceIp: '198.51.100.1' }))), 'ok');
});

test('request.sourceIp reaches conditions', async () => {
  assert.equal(status(run(await signed(ALICE, { path: encPath('frozen', 'k'), sourceIp: '127.0.0.1' }))), 'ok');
  assert.equal(status(run(await signed(ALICE, { path: encPath('frozen', 'k'), sourceIp: '198.51.100.1' }))), '403 AccessDenied');
  assert.equal(status(run(await signed(ALICE, { path: encPath('frozen', 'k') }))), '403 AccessDenied'); // unknown: ''
});

// The source IP as each transport hands it over; 203.0.113.0/24 is denied by admission.
const peer = (address: string) => ({ address: { socket_address: { address, port_value: 40000 } } });
const headersOf = (req: AuthzRequest, extra: Record<string, string>) => ({ ...req.headers, ':method': req.method, ':path': req.rawPath, ...extra });

test('gRPC check: the connection\'s peer, never a client\'s header; behind trusted proxies the edge header', async () => {
  const req = await signed(ALICE, { path: encPath('media', 'k') });
  const http = (extra: Record<string, string>) => ({ method: 'GET', path: req.rawPath, headers: headersOf(req, extra) });
  const grpcStatus = (answer: { status: { code: number } }) => answer.status.code;
  const byPeer = checkHandler(deps, { now: () => NOW, sourceIpFrom: 'peer' });
  assert.equal(grpcStatus(byPeer({ attributes: { source: peer('127.0.0.1'), request: { http: http({}) } } })), 0);
  assert.equal(grpcStatus(byPeer({ attributes: { source: peer('203.0.113.5'), request: { http: http({}) } } })), 7);
  // A client's own header (or X-Forwarded-For) changes nothing.
  const spoof = { [SOURCE_IP_HEADER]: '203.0.113.5', 'x-forwarded-for': '203.0.113.5' };
  assert.equal(grpcStatus(byPeer({ attributes: { source: peer('127.0.0.1'), request: { http: http(spoof) } } })), 0);
  const byEdge = checkHandler(deps, { now: () => NOW, sourceIpFrom: 'edge' });
  assert.equal(grpcStatus(byEdge({ attributes: { source: peer('127.0.0.1'), request: { http: http({ [SOURCE_IP_HEADER]: '203.0.113.5' }) } } })), 7);
  assert.equal(grpcStatus(byEdge({ attributes: { source: peer('203.0.113.5'), request: { http: http({ [SOURCE_IP_HEADER]: '::1' }) } } })), 0);
});

test('HTTP check: the edge header (Envoy sends no peer); a value that is no IP address is no address', async () => {
  const req = await signed(ALICE, { path: encPath('media', 'k') });
  const check = (ip: string) => {
    const rawHeaders = Object.entries({ ...req.headers, [SOURCE_IP_HEADER]: ip }).flat();
    return httpCheckHandler(deps, { now: () => NOW })({ method: 'GET', url: req.rawPath, rawHeaders }).status;
  };
  assert.equal(check('127.0.0.1'), 200);
  assert.equal(check('203.0.113.5'), 403);
  assert.equal(check('::ffff:203.0.113.5'), 403);
  assert.equal(check('203.0.113.5:1234'), 200); // not an address: '' matches no list
});
