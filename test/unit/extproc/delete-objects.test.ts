// A DeleteObjects batch broader than the grant, through authorize() and the ext_proc stream as Envoy
// drives them: each key decided, the allowed ones forwarded in a new body with new digests and a new
// signature, the refused ones merged into the backend's answer, and none forwarded when all are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { authorize } from '../../../authz/decide.ts';
import { parseAuthorizationHeader } from '../../../core/sigv4/auth-header.ts';
import { BackendSigner } from '../../../backends/signer.ts';
import { forwardedPlan } from '../../../backends/request-plan.ts';
import { SigningKeyCache } from '../../../core/sigv4/signing-key.ts';
import { headerMapToRecord } from '../../../wire/headers.ts';
import { ALICE, authzDeps, encPath, gatewayConfig, NOW, signed } from '../fixtures/unit-helpers/gateway.ts';
import { extprocStream, requestHeadersMsg } from '../fixtures/unit-helpers/extproc.ts';

const config = gatewayConfig({
  users: [{ name: 'alice', accessKeys: [ALICE], policies: ['team'] }],
  policies: [{
    name: 'team',
    rules: [
      { effect: 'allow', actions: ['read', 'write', 'delete', 'list'], resources: ['releases/team-a/*'] },
      { effect: 'deny', actions: ['delete'], resources: ['releases/team-a/keep/*'] },
    ],
  }],
});
const deps = authzDeps(config);
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('base64');

function batch(keys: string[], quiet = false): string {
  return `<Delete>${quiet ? '<Quiet>true</Quiet>' : ''}${keys.map((k) => `<Object><Key>${k}</Key></Object>`).join('')}</Delete>`;
}

/** The client's signed request: payload hash and Content-MD5 of the body it sends. */
function deleteRequest(body: string, headers: Record<string, string> = {}) {
  return signed(ALICE, {
    method: 'POST', path: encPath('releases'), query: { delete: '' },
    headers: { 'content-md5': md5(body), 'x-amz-content-sha256': sha256(body), 'content-length': String(Buffer.byteLength(body)), ...headers },
  });
}

test('ext_authz: a batch the grant covers whole keeps the fast path; one it reaches goes to ext_proc; one it misses is refused', async () => {
  const run = async (bucket: string) => authorize(await signed(ALICE, { method: 'POST', path: encPath(bucket), query: { delete: '' }, headers: { 'content-length': '10' } }), { ...deps, now: NOW });
  const reached = await run('releases');
  assert.ok(reached.ok);
  assert.deepEqual(reached.upstream.ticket?.stages, ['delete-objects', 'rewrite-errors', 'rewrite-success']);
  assert.equal(reached.upstream.ticket?.requestTime, NOW.toISOString());
  const missed = await run('archive');
  assert.equal(!missed.ok && missed.error.code, 'AccessDenied');
  const whole = authzDeps(gatewayConfig());
  const fast = authorize(await signed(ALICE, { method: 'POST', path: encPath('releases'), query: { delete: '' } }), { ...whole, now: NOW });
  assert.ok(fast.ok);
  assert.equal(fast.upstream.ticket, undefined);
  // Envoy must be able to buffer it whole: a length, within its limit, not aws-chunked.
  const refusal = async (headers: Record<string, string>) => {
    const out = authorize(await signed(ALICE, { method: 'POST', path: encPath('releases'), query: { delete: '' }, headers }), { ...deps, now: NOW });
    return !out.ok && `${out.error.status} ${out.error.code}`;
  };
  assert.equal(await refusal({}), '411 MissingContentLength');
  assert.equal(await refusal({ 'content-length': String(1024 * 1024 + 1) }), '400 MaxMessageLengthExceeded');
  assert.equal(await refusal({ 'content-length': '10', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' }), '400 InvalidRequest');
});

test('ext_proc: only the allowed keys go on, with their own digests and the backend\'s new signature; the refused come back merged', async () => {
  const body = batch(['team-a/x.txt', 'team-b/y.txt', 'team-a/keep/z.txt', 'team-a/a&amp;b'], true);
  const { msg, headers } = requestHeadersMsg(await deleteRequest(body), deps);
  const lines: string[] = [];
  const s = extprocStream(config, NOW, { write: (line) => lines.push(line) });
  assert.equal(s.handle(msg).mode_override.request_body_mode, 'BUFFERED');
  const reply = s.handle({ request: 'request_body', request_body: { body: Buffer.from(body), end_of_stream: true } }).request_body.response;
  const sent: Buffer = reply.body_mutation.body;
  assert.equal(sent.toString(), '<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet><Object><Key>team-a/x.txt</Key></Object><Object><Key>team-a/a&amp;b</Key></Object></Delete>');
  const set = headerMapToRecord({ headers: reply.header_mutation.set_headers.map((h: any) => h.header) });
  assert.equal(set['content-md5'], md5(sent));
  assert.equal(set['x-amz-content-sha256'], sha256(sent));
  assert.equal(set['content-length'], String(sent.length));
  // Signed again over the new digests, with the backend's credentials and the headers ext_authz signed.
  const auth = parseAuthorizationHeader(set['authorization']!);
  assert.equal(auth.accessKeyId, 'versity-admin');
  assert.deepEqual(auth.signedHeaders, parseAuthorizationHeader(headers['authorization']!).signedHeaders);
  const versity = config.backends[0]!;
  const expected = new BackendSigner(versity, new SigningKeyCache()).sign('POST', forwardedPlan({ ...headers, ...set }, {}, []), NOW);
  assert.equal(set['authorization'], expected.authorization);
  assert.notEqual(set['authorization'], headers['authorization']);
  // Each refused key has its audit line (the batch's own is ext_authz's): who, which key, what decided.
  const audited = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(audited.map((a) => [a.operation, a.key, a.decision, a.rule, a.status, a.error]), [
    ['DeleteObject', 'team-b/y.txt', 'deny', null, 403, 'AccessDenied'],
    ['DeleteObject', 'team-a/keep/z.txt', 'deny', 'team[1]', 403, 'AccessDenied'],
  ]);
  assert.equal(audited[0]!.principal, 'alice');
  assert.equal(audited[0]!.requestId, 'req-1');
  // The backend's quiet answer gains the gateway's refusals.
  s.handle({ request: 'response_headers', response_headers: { headers: { headers: [{ key: ':status', raw_value: Buffer.from('200') }, { key: 'content-type', raw_value: Buffer.from('application/xml') }] } } });
  const answer = s.handle({ request: 'response_body', response_body: { body: Buffer.from('<?xml version="1.0"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>') } });
  const xml: string = answer.response_body.response.body_mutation.body.toString();
  assert.deepEqual([...xml.matchAll(/<Error><Key>([^<]+)<\/Key><Code>AccessDenied<\/Code>/g)].map((m) => m[1]), ['team-b/y.txt', 'team-a/keep/z.txt']);
});

test('ext_proc: every key refused is answered without the backend; a body that is not what was signed is refused', async () => {
  const body = batch(['team-b/1', 'team-a/keep/2']);
  const refusedAll = extprocStream(config);
  refusedAll.handle(requestHeadersMsg(await deleteRequest(body), deps).msg);
  const answer = refusedAll.handle({ request: 'request_body', request_body: { body: Buffer.from(body), end_of_stream: true } }).immediate_response;
  assert.equal(answer.status.code, 200);
  assert.equal([...answer.body.toString().matchAll(/<Code>AccessDenied<\/Code>/g)].length, 2);

  const swapped = batch(['team-a/x', 'team-b/y']);
  const cases: [Record<string, string>, string, string][] = [
    [{}, swapped, '400 XAmzContentSHA256Mismatch'], // the signed hash is of `body`
    [{ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, swapped, '400 BadDigest'], // and so is Content-MD5
    [{ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-md5': md5('<Delete>') }, '<Delete>', '400 MalformedXML'],
    [{ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-md5': '' }, body, '400 InvalidDigest'],
  ];
  for (const [headers, sent, expected] of cases) {
    const s = extprocStream(config);
    s.handle(requestHeadersMsg(await deleteRequest(body, headers), deps).msg);
    const r = s.handle({ request: 'request_body', request_body: { body: Buffer.from(sent), end_of_stream: true } }).immediate_response;
    assert.equal(`${r.status.code} ${/<Code>([^<]+)/.exec(r.body.toString())?.[1]}`, expected, JSON.stringify(headers));
  }
  // No digest at all: S3 requires one for a batch.
  const bare = extprocStream(config);
  const req = await signed(ALICE, { method: 'POST', path: encPath('releases'), query: { delete: '' }, headers: { 'content-length': String(body.length) } });
  bare.handle(requestHeadersMsg(req, deps).msg);
  const r = bare.handle({ request: 'request_body', request_body: { body: Buffer.from(body), end_of_stream: true } }).immediate_response;
  assert.equal(r.status.code, 400);
  assert.match(r.body.toString(), /<Code>InvalidRequest<\/Code><Message>Missing required header for this request: Content-MD5/);
});

test('ext_proc decides each key with the client\'s address ext_authz saw (a when on request.sourceIp holds in both)', async () => {
  const office = gatewayConfig({
    users: [{ name: 'alice', accessKeys: [ALICE], policies: ['office'] }],
    policies: [{ name: 'office', rules: [{ effect: 'allow', actions: ['delete'], resources: ['releases/team-a/*'], when: 'request.sourceIp.inCidr("10.0.0.0/8")' }] }],
  });
  const body = batch(['team-a/x', 'team-b/y']);
  const keptFrom = async (sourceIp: string) => {
    const req = await signed(ALICE, {
      method: 'POST', path: encPath('releases'), query: { delete: '' }, sourceIp,
      headers: { 'content-md5': md5(body), 'x-amz-content-sha256': sha256(body), 'content-length': String(body.length) },
    });
    const s = extprocStream(office);
    s.handle(requestHeadersMsg(req, authzDeps(office)).msg);
    const reply = s.handle({ request: 'request_body', request_body: { body: Buffer.from(body), end_of_stream: true } });
    return reply.immediate_response ? [] : [...reply.request_body.response.body_mutation.body.toString().matchAll(/<Key>([^<]+)/g)].map((m) => m[1]);
  };
  assert.deepEqual(await keptFrom('10.1.2.3'), ['team-a/x']);
  // From elsewhere ext_authz refuses the batch outright: no allow reaches the bucket.
  const outside = authorize(await signed(ALICE, { method: 'POST', path: encPath('releases'), query: { delete: '' }, sourceIp: '192.0.2.1', headers: { 'content-length': '10' } }), { ...authzDeps(office), now: NOW });
  assert.equal(!outside.ok && outside.error.code, 'AccessDenied');
});
