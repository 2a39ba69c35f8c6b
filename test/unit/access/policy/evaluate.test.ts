// access/policy/: decisions from tables — action classes, deny wins, no allow is a deny, templates,
// globs at the edges, listings by prefix, conditions (CIDR v4/v6, globs, headers, fail closed),
// unknown operations, and the explanation each decision carries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyConfig, UserConfig } from '../../../../core/config/types.ts';
import { PolicyEngine } from '../../../../access/policy/engine.ts';
import type { PolicyRequest } from '../../../../access/policy/input.ts';
import type { PrincipalDocument } from '../../../../core/policy/input-document.ts';

const NOW = new Date('2026-12-03T12:00:00Z');
const KEY = { accessKeyId: 'AKIAX000000000000001', secretAccessKey: 's' };

const POLICIES: PolicyConfig[] = [
  { name: 'team-rw', rules: [{ effect: 'allow', actions: ['read', 'write', 'delete', 'list'], resources: ['builds/${principal.groups}/*'] }] },
  {
    name: 'shared-read',
    rules: [
      { effect: 'allow', actions: ['read', 'list'], resources: ['builds/*'] },
      { effect: 'deny', actions: ['*'], resources: ['builds/admin/*'] },
    ],
  },
  { name: 'home', rules: [{ effect: 'allow', actions: ['read', 'write', 'list'], resources: ['home/${principal.name}/*'], when: 'request.sourceIp.inCidr(["127.0.0.0/8", "::1"])' }] },
  { name: 'bucket-admin', rules: [{ effect: 'allow', actions: ['admin'], resources: ['scratch'] }] },
  { name: 'named-op', rules: [{ effect: 'allow', actions: ['GetObjectTagging', 'GET bucket?frobnicate'], resources: ['tags', 'tags/*'] }] },
  { name: 'header-cond', rules: [{ effect: 'allow', actions: ['write'], resources: ['uploads/*'], when: 'request.headers["content-type"] == "text/plain"' }] },
  { name: 'deny-if', rules: [{ effect: 'deny', actions: ['write'], resources: ['uploads/*'], when: 'request.headers["x-amz-acl"] == "public-read"' }] },
  { name: 'glob-cond', rules: [{ effect: 'allow', actions: ['read'], resources: ['logs/*'], when: 'request.key.matchesGlob("*.gz") && principal.authMethod != "presigned"' }] },
];

const USERS: UserConfig[] = [
  { name: 'alice', accessKeys: [KEY], groups: ['team-a'], policies: ['team-rw', 'shared-read', 'home', 'bucket-admin'] },
  { name: 'tina', accessKeys: [], groups: ['team-a', 'team-b'], policies: ['team-rw'] },
  { name: 'tom', accessKeys: [], policies: ['named-op', 'header-cond', 'deny-if', 'glob-cond'] },
  { name: 'legacy', accessKeys: [], buckets: ['releases', 'logs-*'] },
  { name: 'root', accessKeys: [], buckets: '*' },
];

const engine = new PolicyEngine({ users: USERS, policies: POLICIES, groups: [], openAccess: false });

function who(name: string, over: Partial<PrincipalDocument> = {}): PrincipalDocument {
  const groups = USERS.find((u) => u.name === name)?.groups ?? [];
  return { name, groups: [...groups], authMethod: 'sigv4', keyId: KEY.accessKeyId, claims: {}, ...over };
}

function req(operation: string, path: string, over: Partial<PolicyRequest> = {}): PolicyRequest {
  const slash = path.indexOf('/');
  const bucket = slash < 0 ? path : path.slice(0, slash);
  const key = slash < 0 ? '' : path.slice(slash + 1);
  return { operation, method: 'GET', bucket, key, sourceIp: '127.0.0.1', headers: {}, presigned: false, ...over };
}

const allowed = (user: string, r: PolicyRequest, p: Partial<PrincipalDocument> = {}) => engine.decide(who(user, p), r, NOW).allowed;

// [user, operation, bucket/key, allowed, request overrides]
type Row = [string, string, string, boolean, Partial<PolicyRequest>?];

const TABLE: Row[] = [
  // each action class under a prefix grant
  ['alice', 'GetObject', 'builds/team-a/app.tgz', true],
  ['alice', 'PutObject', 'builds/team-a/app.tgz', true],
  ['alice', 'DeleteObject', 'builds/team-a/app.tgz', true],
  ['alice', 'CreateMultipartUpload', 'builds/team-a/big.bin', true],
  ['alice', 'UploadPart', 'builds/team-a/big.bin', true],
  ['alice', 'ListParts', 'builds/team-a/big.bin', true],
  ['alice', 'PutObjectAcl', 'builds/team-a/app.tgz', false], // admin is not granted there
  ['alice', 'PutObject', 'builds/team-b/app.tgz', false], // only read from shared-read
  ['alice', 'GetObject', 'builds/team-b/app.tgz', true],
  ['alice', 'DeleteObject', 'builds/team-b/app.tgz', false],
  // deny wins over both allows (team-rw would not cover it, shared-read does)
  ['alice', 'GetObject', 'builds/admin/secrets', false],
  ['alice', 'GetObject', 'builds/admin', true], // the key "admin" itself is not under admin/
  // bucket-level: a grant on keys is not a grant on the bucket
  ['alice', 'GetBucketVersioning', 'builds', false],
  ['alice', 'CreateBucket', 'scratch', true],
  ['alice', 'DeleteBucket', 'scratch', true],
  ['alice', 'GetObject', 'scratch/k', false],
  // HeadBucket: any grant in the bucket
  ['alice', 'HeadBucket', 'builds', true],
  ['alice', 'HeadBucket', 'home', true],
  ['alice', 'HeadBucket', 'other', false],
  // templates: ${principal.name}, and ${principal.groups} once per group
  ['alice', 'PutObject', 'home/alice/notes.txt', true],
  ['alice', 'PutObject', 'home/bob/notes.txt', false],
  ['alice', 'PutObject', 'home/alice2/notes.txt', false],
  ['tina', 'PutObject', 'builds/team-a/x', true],
  ['tina', 'PutObject', 'builds/team-b/x', true],
  ['tina', 'PutObject', 'builds/team-c/x', false],
  // edges: trailing slash, empty key, a prefix without its slash
  ['alice', 'PutObject', 'builds/team-a/', true], // the folder marker key "team-a/"
  ['alice', 'PutObject', 'builds/team-a', false],
  ['alice', 'PutObject', 'builds/team-ab/x', false],
  // conditions: CIDR v4 and v6
  ['alice', 'GetObject', 'home/alice/a', true, { sourceIp: '127.9.9.9' }],
  ['alice', 'GetObject', 'home/alice/a', true, { sourceIp: '::1' }],
  ['alice', 'GetObject', 'home/alice/a', false, { sourceIp: '10.0.0.1' }],
  ['alice', 'GetObject', 'home/alice/a', false, { sourceIp: '::2' }],
  ['alice', 'GetObject', 'home/alice/a', false, { sourceIp: '' }],
  // the shorthand: names and globs, every known operation, bucket-level included
  ['legacy', 'GetObject', 'releases/v1/app', true],
  ['legacy', 'DeleteBucket', 'releases', true],
  ['legacy', 'PutObject', 'logs-2024/x', true],
  ['legacy', 'PutObject', 'logs/x', false],
  ['legacy', 'PutObject', 'releases2/x', false],
  ['root', 'PutBucketPolicy', 'anything', true],
  // unknown operations: denied even by '*', allowed only when named
  ['root', 'GET bucket?frobnicate', 'anything', false],
  ['tom', 'GET bucket?frobnicate', 'tags', true],
  ['tom', 'GetObjectTagging', 'tags/k', true],
  ['tom', 'GetObject', 'tags/k', false],
  // headers in conditions; a missing header fails closed both ways
  ['tom', 'PutObject', 'uploads/a.txt', true, { headers: { 'content-type': 'text/plain', 'x-amz-acl': 'private' } }],
  ['tom', 'PutObject', 'uploads/a.txt', false, { headers: {} }],
  ['tom', 'PutObject', 'uploads/a.txt', false, { headers: { 'content-type': 'text/plain', 'x-amz-acl': 'public-read' } }],
  ['tom', 'GetObject', 'logs/day.gz', true],
  ['tom', 'GetObject', 'logs/day.txt', false],
  // nobody configured: no rules
  ['nobody', 'GetObject', 'builds/team-a/x', false],
];

test('decisions from the table', () => {
  for (const [user, op, path, want, over] of TABLE) {
    assert.equal(allowed(user, req(op, path, over)), want, `${user} ${op} ${path} ${JSON.stringify(over ?? {})}`);
  }
});

test('the verdict (what requests use: it stops early) is the explained decision\'s, deciding rule included, on every row', () => {
  const rows: Row[] = [...TABLE, ['tom', 'PutObject', 'uploads/a.txt', false, { headers: { 'content-type': 'text/plain' } }]];
  for (const [user, op, path, , over] of rows) {
    const [r, p] = [req(op, path, over), who(user)];
    const { allowed: a, deciding } = engine.decide(p, r, NOW);
    assert.deepEqual(engine.verdict(p, r, NOW), { allowed: a, ...(deciding && { deciding }) }, `${user} ${op} ${path}`);
  }
});

test('a missing header in a deny condition denies (fail closed)', () => {
  // deny-if reads x-amz-acl; without the header its condition errs, so the deny applies.
  const d = engine.decide(who('tom'), req('PutObject', 'uploads/a.txt', { headers: { 'content-type': 'text/plain' } }), NOW);
  assert.equal(d.allowed, false);
  assert.deepEqual(d.deciding, { policy: 'deny-if', index: 0 });
  assert.match(d.rules.find((r) => r.rule.policy === 'deny-if')!.conditionError!, /x-amz-acl/);
});

test('principal.authMethod in a condition', () => {
  assert.equal(allowed('tom', req('GetObject', 'logs/day.gz'), { authMethod: 'presigned' }), false);
});

// [user, prefix, list allowed]
const LISTINGS: [string, string, string, boolean][] = [
  ['tina', 'builds', 'team-a/', true],
  ['tina', 'builds', 'team-a/sub/', true],
  ['tina', 'builds', 'team-a', false], // would include team-ab/
  ['tina', 'builds', '', false],
  ['alice', 'builds', 'team-b/', true], // shared-read lists builds/*
  ['alice', 'builds', '', false], // the listing would reach builds/admin/, which is denied
  ['alice', 'builds', 'admin/', false],
  ['legacy', 'releases', '', true],
];

test('listings: allowed when a list grant covers every key under the prefix and no deny touches it', () => {
  for (const [user, bucket, prefix, want] of LISTINGS) {
    for (const op of ['ListObjects', 'ListObjectsV2', 'ListObjectVersions', 'ListMultipartUploads']) {
      assert.equal(allowed(user, { ...req(op, bucket), prefix }), want, `${user} ${op} ${bucket} prefix=${prefix}`);
    }
  }
});

test('DeleteObjects needs delete on the whole bucket (its keys are in the body)', () => {
  assert.equal(allowed('alice', req('DeleteObjects', 'builds')), false);
  assert.equal(allowed('legacy', req('DeleteObjects', 'releases')), true);
});

test('the explanation: the deciding rule and every rule with what it failed on', () => {
  const d = engine.decide(who('alice'), req('GetObject', 'builds/admin/secrets'), NOW);
  assert.deepEqual(d.deciding, { policy: 'shared-read', index: 1 });
  assert.deepEqual(
    d.rules.map((r) => [`${r.rule.policy}#${r.rule.index}`, r.effect, r.matched ? 'matched' : r.failed]),
    [
      ['team-rw#0', 'allow', 'resource'],
      ['shared-read#0', 'allow', 'matched'],
      ['shared-read#1', 'deny', 'matched'],
      ['home#0', 'allow', 'resource'],
      ['bucket-admin#0', 'allow', 'action'],
    ],
  );
  const none = engine.decide(who('alice'), req('GetObject', 'elsewhere/k'), NOW);
  assert.equal(none.allowed, false);
  assert.equal(none.deciding, undefined);
  const ok = engine.decide(who('alice'), req('PutObject', 'home/alice/x', { sourceIp: '10.1.1.1' }), NOW);
  assert.deepEqual(ok.rules.find((r) => r.rule.policy === 'home'), { rule: { policy: 'home', index: 0 }, effect: 'allow', matched: false, failed: 'condition' });
  assert.equal(engine.decide(who('legacy'), req('GetObject', 'releases/a'), NOW).deciding!.policy, '(buckets of legacy)');
});

test('groups bring their policies; a policy reached twice is evaluated once', () => {
  const e = new PolicyEngine({
    users: [{ name: 'gus', accessKeys: [], groups: ['g1', 'g2'], policies: ['shared-read'] }],
    groups: [{ name: 'g1', policies: ['shared-read', 'bucket-admin'] }, { name: 'g2', policies: [] }],
    policies: POLICIES,
    openAccess: false,
  });
  const d = e.decide({ ...who('gus'), groups: ['g1', 'g2'] }, req('CreateBucket', 'scratch'), NOW);
  assert.equal(d.allowed, true);
  assert.deepEqual(d.rules.map((r) => r.rule.policy), ['shared-read', 'shared-read', 'bucket-admin']);
  assert.deepEqual(e.groupsOf('gus'), ['g1', 'g2']);
});

test('request.time and conditions over it', () => {
  const e = new PolicyEngine({
    users: [{ name: 'night', accessKeys: [], policies: ['p'] }],
    policies: [{ name: 'p', rules: [{ effect: 'allow', actions: ['read'], resources: ['*'], when: 'request.time < timestamp("2027-01-01T00:00:00Z")' }] }],
    openAccess: false,
  });
  assert.equal(e.decide(who('night'), req('GetObject', 'b/k'), NOW).allowed, true);
  assert.equal(e.decide(who('night'), req('GetObject', 'b/k'), new Date('2027-02-01T00:00:00Z')).allowed, false);
});

test('open_access: anonymous may use every known operation, nothing unknown; without it, nothing', () => {
  const anon = { name: '', groups: [], authMethod: 'anonymous', keyId: '', claims: {} };
  const open = new PolicyEngine({ users: [], openAccess: true });
  assert.equal(open.decide(anon, req('PutObject', 'b/k'), NOW).allowed, true);
  assert.equal(open.decide(anon, req('GET bucket?frobnicate', 'b'), NOW).allowed, false);
  assert.equal(engine.decide(anon, req('GetObject', 'b/k'), NOW).allowed, false);
});

test('a policy whose condition does not compile cannot build an engine', () => {
  assert.throws(
    () => new PolicyEngine({ users: [], openAccess: false, policies: [{ name: 'bad', rules: [{ effect: 'allow', actions: ['read'], resources: ['*'], when: 'request.nope' }] }] }),
    /policy bad rule 0: request has no field nope/,
  );
});
