// authz/http-check.ts through httpCheckHandler(): the check as Envoy's ext_authz http_service sends it
// (every header, content-length 0, the client's value in a copy), and the answer Envoy applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpCheckHandler } from '../../../authz/server.ts';
import { httpCheckHeaders } from '../../../authz/http-check.ts';
import type { AuthzRequest } from '../../../authz/upstream.ts';
import { AUTHORITY_HEADER, CLUSTER_HEADER, CONTENT_LENGTH_HEADER, EXTPROC_HEADER, PATH_HEADER, STATUS_HEADER, WORK_HEADER } from '../../../wire/names.ts';
import { workFromStruct } from '../../../wire/route-decision.ts';
import { ALICE, BOB, authzDeps, encPath, gatewayConfig, NOW, signed } from '../fixtures/unit-helpers/gateway.ts';

const check = httpCheckHandler(authzDeps(gatewayConfig()), { now: () => NOW });

/** What Envoy sends: the client's headers, content-length 0, and (from the edge filter) the copy. */
function asCheck(req: AuthzRequest, copyLength = true) {
  const rawHeaders: string[] = [];
  for (const [k, v] of Object.entries(req.headers)) {
    if (k === 'content-length') {
      if (copyLength) rawHeaders.push(CONTENT_LENGTH_HEADER, v);
      continue;
    }
    rawHeaders.push(k, v);
  }
  rawHeaders.push('content-length', '0');
  return { method: req.method, url: req.rawQuery ? `${req.rawPath}?${req.rawQuery}` : req.rawPath, rawHeaders };
}

test('check headers: lower-case, repeated ones joined, the content-length copy in place of Envoy’s 0', () => {
  assert.deepEqual(httpCheckHeaders(['Host', 'gw', 'X-A', '1', 'x-a', '2', 'content-length', '0', CONTENT_LENGTH_HEADER, '17']), {
    host: 'gw', 'x-a': '1,2', 'content-length': '17',
  });
  // No copy: the client sent no content-length, and Envoy's 0 is not the client's.
  assert.deepEqual(httpCheckHeaders(['host', 'gw', 'content-length', '0']), { host: 'gw' });
});

test('a signed PUT: 200 with the backend request as headers (pseudo-headers under our names), no ticket', async () => {
  const req = await signed(ALICE, { method: 'PUT', path: encPath('releases', 'a b'), headers: { 'content-length': '5' } });
  const answer = check(asCheck(req));
  assert.equal(answer.status, 200);
  assert.equal(answer.body, '');
  assert.equal(answer.headers[CLUSTER_HEADER], 'backend_versity');
  assert.equal(answer.headers[EXTPROC_HEADER], '0');
  assert.equal(answer.headers[PATH_HEADER], '/releases/a%20b');
  assert.equal(answer.headers[AUTHORITY_HEADER], '127.0.0.1:9100');
  assert.match(answer.headers['authorization']!, /^AWS4-HMAC-SHA256 Credential=/);
  assert.ok(answer.headers['x-amz-date'] && answer.headers['x-amz-content-sha256']);
  for (const k of Object.keys(answer.headers)) assert.ok(!k.startsWith(':'), k);
  assert.equal(answer.headers[WORK_HEADER], undefined);
});

test('without the content-length copy a signed content-length cannot verify (the copy is what makes it work)', async () => {
  const req = await signed(ALICE, { method: 'PUT', path: encPath('archive', 'k'), headers: { 'content-length': '5' } });
  const answer = check(asCheck(req, false));
  assert.equal(answer.status, 403);
  assert.match(answer.body, /<Code>SignatureDoesNotMatch<\/Code>/);
});

test('a request ext_proc must see: the ticket travels in one header that decodes as the metadata would', async () => {
  const req = await signed(BOB, { path: '/' });
  const answer = check(asCheck(req));
  assert.equal(answer.status, 200);
  assert.equal(answer.headers[EXTPROC_HEADER], '1');
  const work = workFromStruct({ fields: { [WORK_HEADER]: { stringValue: answer.headers[WORK_HEADER]! } } });
  assert.deepEqual(work?.ticket.stages, ['list-buckets']);
  assert.equal(work?.decision.op, 'ListBuckets');
  assert.equal(work?.decision.principal, 'bob');
  // A malformed or foreign header is no ticket (ext_proc then fails closed).
  for (const bad of ['not base64 json', Buffer.from('[1]').toString('base64url'), Buffer.from('{"op":1}').toString('base64url')]) {
    assert.equal(workFromStruct({ fields: { [WORK_HEADER]: { stringValue: bad } } }), undefined, bad);
  }
});

test('denials: 4xx as they are; a 5xx one as 403 with its status aside (Envoy would take a 5xx for a dead service)', async () => {
  const denied = check(asCheck(await signed(ALICE, { path: encPath('media', 'k') })));
  assert.equal(denied.status, 403);
  assert.equal(denied.headers[STATUS_HEADER], undefined);
  assert.equal(denied.headers['content-type'], 'application/xml');
  assert.match(denied.body, /<Code>AccessDenied<\/Code>/);

  const copy = await signed(BOB, { method: 'PUT', path: encPath('releases', 'x'), headers: { 'x-amz-copy-source': '/media/k' } });
  const crossBackend = check(asCheck(copy));
  assert.equal(crossBackend.status, 403);
  assert.equal(crossBackend.headers[STATUS_HEADER], '501');
  assert.match(crossBackend.body, /<Code>NotImplemented<\/Code>/);

  const head = check(asCheck(await signed(ALICE, { method: 'HEAD', path: encPath('media', 'k') })));
  assert.equal(head.status, 403);
  assert.equal(head.body, '');
});
