// authz/decide.ts with policies (issue 17): the request's operation, key, prefix and copy source reach
// the policy engine; key rotation, disabled and expired keys; everything denied is AccessDenied 403.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, type AuthzOutcome } from '../../../authz/decide.ts';
import type { AuthzRequest } from '../../../authz/upstream.ts';
import { errorXml } from '../../../core/errors.ts';
import { authzDeps, encPath, gatewayConfig, NOW, presigned, signed } from '../fixtures/unit-helpers/gateway.ts';

const K1 = { accessKeyId: 'AKIATEAM000000000001', secretAccessKey: 'team-secret-one' };
const K2 = { accessKeyId: 'AKIATEAM000000000002', secretAccessKey: 'team-secret-two' };
const OLD = { accessKeyId: 'AKIATEAM000000000003', secretAccessKey: 'team-secret-old' };
const OFF = { accessKeyId: 'AKIATEAM000000000004', secretAccessKey: 'team-secret-off' };

const deps = authzDeps(
  gatewayConfig({
    users: [
      {
        name: 'tara',
        groups: ['team-a'],
        accessKeys: [K1, { ...K2, expires: new Date(NOW.getTime() + 60_000).toISOString() }, { ...OLD, expires: NOW.toISOString() }, { ...OFF, disabled: true }],
      },
    ],
    groups: [{ name: 'team-a', policies: ['team'] }],
    policies: [
      {
        name: 'team',
        rules: [
          { effect: 'allow', actions: ['read', 'write', 'delete', 'list'], resources: ['releases/${principal.groups}/*'] },
          { effect: 'allow', actions: ['read', 'list'], resources: ['archive/shared/*'] },
          { effect: 'deny', actions: ['*'], resources: ['releases/team-a/locked/*'] },
        ],
      },
    ],
  }),
);

const run = (req: AuthzRequest, now = NOW): AuthzOutcome => authorize(req, { ...deps, now });

function status(out: AuthzOutcome): string {
  return out.ok ? 'ok' : `${out.error.status} ${out.error.code}`;
}

// [method, path, query, headers, expected]
const TABLE: [string, string, Record<string, string>, Record<string, string>, string][] = [
  ['GET', encPath('releases', 'team-a/app.tgz'), {}, {}, 'ok'],
  ['PUT', encPath('releases', 'team-a/app.tgz'), {}, {}, 'ok'],
  ['DELETE', encPath('releases', 'team-a/app.tgz'), {}, {}, 'ok'],
  ['PUT', encPath('releases', 'team-b/app.tgz'), {}, {}, '403 AccessDenied'],
  ['GET', encPath('releases', 'team-a/locked/k'), {}, {}, '403 AccessDenied'],
  ['PUT', encPath('releases', 'team-a/app.tgz'), { acl: '' }, {}, '403 AccessDenied'], // PutObjectAcl is admin
  ['GET', encPath('releases', 'team-a/app.tgz'), { tagging: '' }, {}, 'ok'], // GetObjectTagging is read
  ['PUT', encPath('releases'), { versioning: '' }, {}, '403 AccessDenied'],
  ['GET', encPath('releases', 'team-a/x'), { frobnicate: '' }, {}, '403 AccessDenied'], // unknown operation
  ['GET', encPath('releases'), { 'list-type': '2', prefix: 'team-a/sub/' }, {}, 'ok'],
  // A listing that reaches a denied key, or is broader than the grant, is forwarded filtered; one the deny covers is refused.
  ['GET', encPath('releases'), { 'list-type': '2', prefix: 'team-a/' }, {}, 'ok'],
  ['GET', encPath('releases'), { 'list-type': '2', prefix: 'team-a/locked/' }, {}, '403 AccessDenied'],
  ['GET', encPath('releases'), { 'list-type': '2', prefix: 'team-' }, {}, 'ok'],
  ['GET', encPath('releases'), {}, {}, 'ok'],
  ['GET', encPath('releases'), { 'list-type': '2', prefix: 'team-b/' }, {}, '403 AccessDenied'],
  ['GET', encPath('media'), { 'list-type': '2' }, {}, '403 AccessDenied'],
  ['HEAD', encPath('releases'), {}, {}, 'ok'],
  ['GET', encPath('media', 'x'), {}, {}, '403 AccessDenied'],
  // the copy source needs read: archive/shared is readable, archive/private is not
  ['PUT', encPath('releases', 'team-a/copy'), {}, { 'x-amz-copy-source': '/archive/shared/a%20b' }, 'ok'],
  ['PUT', encPath('releases', 'team-a/copy'), {}, { 'x-amz-copy-source': '/archive/private/a' }, '403 AccessDenied'],
  ['PUT', encPath('releases', 'team-a/copy'), { partNumber: '1', uploadId: 'u' }, { 'x-amz-copy-source': '/archive/private/a' }, '403 AccessDenied'],
  ['PUT', encPath('releases', 'team-a/copy'), { partNumber: '1', uploadId: 'u' }, { 'x-amz-copy-source': '/releases/team-a/src' }, 'ok'],
  ['PUT', encPath('archive', 'shared/copy'), {}, { 'x-amz-copy-source': '/releases/team-a/src' }, '403 AccessDenied'], // no write there
];

test('the request as the policy sees it: operation, key, listing prefix, copy source', async () => {
  for (const [method, path, query, headers, want] of TABLE) {
    assert.equal(status(run(await signed(K1, { method, path, query, headers }))), want, `${method} ${path} ${JSON.stringify(query)} ${JSON.stringify(headers)}`);
  }
});

test('a filtered listing (V1, V2, versions) goes through ext_proc with the policy filter; a whole one keeps the fast path', async () => {
  const ticketOf = async (query: Record<string, string>) => {
    const out = run(await signed(K1, { path: encPath('releases'), query }));
    assert.ok(out.ok, JSON.stringify(query));
    return out.upstream.ticket;
  };
  const filtered: Record<string, string>[] = [{ 'list-type': '2' }, {}, { versions: '' }, { 'list-type': '2', prefix: 'team-a/' }, { delimiter: '/', prefix: 'team-' }];
  for (const query of filtered) {
    const ticket = await ticketOf(query);
    if (!ticket) assert.fail(`no ticket for ${JSON.stringify(query)}`);
    assert.ok(ticket.stages.includes('listing-policy-filter'), JSON.stringify(query));
    assert.ok(ticket.stages.includes('rewrite-success'), JSON.stringify(query));
    // ext_proc asks about each entry at the instant ext_authz decided the listing.
    assert.equal(ticket.requestTime, NOW.toISOString(), JSON.stringify(query));
  }
  // ListObjectsV2 without fetch-owner streams untouched when whole, and carries no time.
  assert.equal(await ticketOf({ 'list-type': '2', prefix: 'team-a/sub/' }), undefined);
  // A whole V1 listing is rewritten (it names the owner) but not filtered.
  assert.deepEqual((await ticketOf({ prefix: 'team-a/sub/' }))?.stages, ['rewrite-errors', 'rewrite-success']);
  // Multipart uploads are not filtered: broader than the grant stays refused.
  assert.equal(status(run(await signed(K1, { path: encPath('releases'), query: { uploads: '' } }))), '403 AccessDenied');
  assert.equal(status(run(await signed(K1, { path: encPath('releases'), query: { uploads: '', prefix: 'team-a/sub/' } }))), 'ok');
});

test('key rotation: two active keys work side by side, presigned too', async () => {
  for (const key of [K1, K2]) {
    assert.equal(status(run(await signed(key, { path: encPath('releases', 'team-a/x') }))), 'ok');
    assert.equal(status(run(await presigned(key, { path: encPath('releases', 'team-a/x') }))), 'ok');
  }
});

test('an expired or disabled key is InvalidAccessKeyId 403, as AWS answers for an inactive key', async () => {
  for (const key of [OLD, OFF]) {
    for (const req of [await signed(key, { path: encPath('releases', 'team-a/x') }), await presigned(key, { path: encPath('releases', 'team-a/x') })]) {
      const out = run(req);
      assert.equal(status(out), '403 InvalidAccessKeyId');
      if (out.ok) continue;
      assert.match(errorXml(out.error, '/releases/team-a/x', 'r1'), new RegExp(`<Code>InvalidAccessKeyId</Code>.*<AWSAccessKeyId>${key.accessKeyId}</AWSAccessKeyId>`));
    }
  }
  // K2 expires a minute after NOW: signed at its last second it works, a minute later it does not.
  const later = new Date(NOW.getTime() + 60_000);
  assert.equal(status(run(await signed(K2, { path: encPath('releases', 'team-a/x') }, later), later)), '403 InvalidAccessKeyId');
});
