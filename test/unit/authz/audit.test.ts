// The audit line of a decision (access/audit.ts through authz/server.ts outcomeLine), from a table of
// requests through the real authorize(): who, what, the deciding rule, the answer to a refusal. And what
// never reaches it: the signature, the credential scope, the Authorization header, a session token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditSink } from '../../../access/audit.ts';
import { authorize } from '../../../authz/decide.ts';
import { checkHandler, outcomeLine } from '../../../authz/server.ts';
import type { AuthzRequest } from '../../../authz/upstream.ts';
import { ALICE, anonymous, authzDeps, encPath, gatewayConfig, NOW, presigned, signed } from '../fixtures/unit-helpers/gateway.ts';

const config = gatewayConfig({
  buckets: [{ name: 'releases', backend: 'versity', realName: 'releases', publicPrefixes: ['pub/'] }],
  users: [{ name: 'alice', accessKeys: [ALICE], policies: ['team'] }],
  policies: [{ name: 'team', rules: [
    { effect: 'allow', actions: ['read'], resources: ['releases/*'] },
    { effect: 'deny', actions: ['*'], resources: ['releases/secret/*'] },
  ] }],
  admission: [{ name: 'block-net', match: { sourceIpList: ['203.0.113.0/24'] }, action: 'deny' }],
});
const deps = authzDeps(config);
const REQUEST_ID = 'f3a1c0de-0000-4000-8000-000000000001';
const headers = { 'x-request-id': REQUEST_ID };
const lineOf = (req: AuthzRequest) => outcomeLine(authorize(req, { ...deps, now: NOW }), req, NOW);

const BASE = { time: NOW.toISOString(), requestId: REQUEST_ID, bucket: 'releases', status: null, error: null };
const ALICE_SIGV4 = { principal: 'alice', authMethod: 'sigv4', keyId: ALICE.accessKeyId };

const CASES: [string, () => Promise<AuthzRequest>, Record<string, unknown>][] = [
  ['allowed, with the rule that allowed', () => signed(ALICE, { path: encPath('releases', 'a.txt'), headers, sourceIp: '127.0.0.1' }),
    { ...BASE, ...ALICE_SIGV4, sourceIp: '127.0.0.1', operation: 'GetObject', key: 'a.txt', decision: 'allow', rule: 'team[0]' }],
  ['denied by a deny rule', () => signed(ALICE, { path: encPath('releases', 'secret/k'), headers }),
    { ...BASE, ...ALICE_SIGV4, sourceIp: null, operation: 'GetObject', key: 'secret/k', decision: 'deny', rule: 'team[1]', status: 403, error: 'AccessDenied' }],
  ['denied by default: no rule', () => signed(ALICE, { method: 'PUT', path: encPath('releases', 'a.txt'), headers }),
    { ...BASE, ...ALICE_SIGV4, sourceIp: null, operation: 'PutObject', key: 'a.txt', decision: 'deny', rule: null, status: 403, error: 'AccessDenied' }],
  ['anonymous, under a public prefix', async () => anonymous({ path: encPath('releases', 'pub/app.tgz'), headers }),
    { ...BASE, principal: null, authMethod: 'anonymous', keyId: null, sourceIp: null, operation: 'GetObject', key: 'pub/app.tgz', decision: 'allow', rule: '(public of releases)[0]' }],
  ['refused by admission, before anyone is known', () => signed(ALICE, { path: encPath('releases', 'a.txt'), headers, sourceIp: '203.0.113.9' }),
    { ...BASE, principal: null, authMethod: null, keyId: null, sourceIp: '203.0.113.9', operation: 'GetObject', key: 'a.txt', decision: 'deny', rule: 'admission:block-net', status: 403, error: 'AccessDenied' }],
  ['presigned', () => presigned(ALICE, { path: encPath('releases', 'a.txt'), headers }),
    { ...BASE, ...ALICE_SIGV4, authMethod: 'presigned', sourceIp: null, operation: 'GetObject', key: 'a.txt', decision: 'allow', rule: 'team[0]' }],
];

for (const [name, make, expected] of CASES) {
  test(`audit line: ${name}`, async () => {
    const line = lineOf(await make());
    assert.ok(line.endsWith('}\n') && !line.slice(0, -1).includes('\n'), 'one line');
    assert.deepEqual(JSON.parse(line), expected);
  });
}

test('no secret, signature, credential, Authorization header, token or presigned query in the line', async () => {
  const token = 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN';
  const query = await presigned(ALICE, { path: encPath('releases', 'a.txt'), query: { 'x-id': 'GetObject' }, headers });
  const header = await signed(ALICE, { path: encPath('releases', 'a.txt'), headers: { ...headers, 'x-amz-security-token': token } });
  const params = new URLSearchParams(query.rawQuery);
  const leaks = [
    ALICE.secretAccessKey, token, header.header('authorization')!, /Signature=([0-9a-f]+)/.exec(header.header('authorization')!)![1]!,
    params.get('X-Amz-Signature')!, params.get('X-Amz-Credential')!, query.rawQuery, 'X-Amz-', 'x-amz-', 'Signature', 'Credential',
  ];
  for (const req of [query, header]) {
    const line = lineOf(req);
    for (const leak of leaks) assert.ok(!line.includes(leak), `${leak} in ${line}`);
  }
});

test('the check writes one line per decision through the sink it was given', async () => {
  const lines: string[] = [];
  const sink: AuditSink = { write: (l) => void lines.push(l) };
  const check = checkHandler(deps, { now: () => NOW, audit: sink });
  const req = await signed(ALICE, { path: encPath('releases', 'a.txt'), headers });
  const http = { method: req.method, path: req.rawPath, headers: req.headers };
  check({ attributes: { request: { http } } });
  check({ attributes: { request: { http: { ...http, path: encPath('releases', 'secret/k') } } } });
  assert.deepEqual(lines.map((l) => JSON.parse(l).decision), ['allow', 'deny']);
  assert.deepEqual(lines.map((l) => JSON.parse(l).requestId), [REQUEST_ID, REQUEST_ID]);
});

test('a decision the audit log cannot record is refused (fail closed): shown on the gRPC check, the HTTP check decides through the same function', async () => {
  const sink: AuditSink = { write: () => { throw new Error('ENOSPC: no space left on device'); } };
  const req = await signed(ALICE, { path: encPath('releases', 'a.txt'), headers });
  const http = { method: req.method, path: req.rawPath, headers: req.headers };
  const grpc = checkHandler(deps, { now: () => NOW, audit: sink })({ attributes: { request: { http } } }) as any;
  assert.equal(grpc.status.code, 7, 'PERMISSION_DENIED');
  assert.equal(grpc.denied_response.status.code, 500);
  assert.match(grpc.denied_response.body, /<Code>InternalError<\/Code>/);
  // Without the sink the same request is allowed: the refusal is the log's.
  assert.equal((checkHandler(deps, { now: () => NOW })({ attributes: { request: { http } } }) as any).status.code, 0);
});
