// access/policy/listing.ts: a listing's three outcomes from tables — a grant below the prefix filters,
// a grant over it is whole, a deny inside it filters, a deny over all of it refuses; conditions apply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyConfig, UserConfig } from '../../../../core/config/types.ts';
import { PolicyEngine } from '../../../../access/policy/engine.ts';
import type { PrincipalDocument } from '../../../../core/policy/input-document.ts';

const NOW = new Date('2026-12-03T12:00:00Z');

const POLICIES: PolicyConfig[] = [
  { name: 'team', rules: [{ effect: 'allow', actions: ['read', 'list'], resources: ['builds/team-a/*'] }] },
  {
    name: 'shared',
    rules: [
      { effect: 'allow', actions: ['read', 'list'], resources: ['builds/*'] },
      { effect: 'deny', actions: ['*'], resources: ['builds/admin/*'] },
    ],
  },
  { name: 'deny-all', rules: [{ effect: 'allow', actions: ['list'], resources: ['logs/app/*'] }, { effect: 'deny', actions: ['list'], resources: ['logs/*'] }] },
  { name: 'local', rules: [{ effect: 'allow', actions: ['list'], resources: ['home/me/*'], when: 'request.sourceIp.inCidr(["127.0.0.0/8"])' }] },
];

const USERS: UserConfig[] = [
  { name: 'tina', accessKeys: [], policies: ['team'] },
  { name: 'sam', accessKeys: [], policies: ['shared'] },
  { name: 'lou', accessKeys: [], policies: ['deny-all'] },
  { name: 'hal', accessKeys: [], policies: ['local'] },
];

const engine = new PolicyEngine({ users: USERS, policies: POLICIES, groups: [], openAccess: false });

function listing(name: string, bucket: string, prefix: string, sourceIp = '127.0.0.1', operation = 'ListObjectsV2') {
  const principal: PrincipalDocument = { name, groups: [], authMethod: 'sigv4', keyId: 'AK', claims: {} };
  return engine.listing(principal, { operation, method: 'GET', bucket, key: '', prefix, sourceIp, presigned: false }, NOW).scope;
}

test('a grant on builds/team-a/*: whole inside it, filtered above it, none beside it', () => {
  const table: [string, string][] = [['', 'filtered'], ['team-', 'filtered'], ['team-a', 'filtered'], ['team-a/', 'whole'], ['team-a/x/', 'whole'], ['team-b/', 'none'], ['x', 'none']];
  for (const [prefix, expected] of table) assert.equal(listing('tina', 'builds', prefix), expected, `prefix '${prefix}'`);
  for (const op of ['ListObjects', 'ListObjectVersions']) assert.equal(listing('tina', 'builds', '', '127.0.0.1', op), 'filtered', op);
  assert.equal(listing('tina', 'other', ''), 'none');
});

test('a deny on builds/admin/* under a read grant on builds/*: filtered where it reaches, none inside it', () => {
  const table: [string, string][] = [['', 'filtered'], ['adm', 'filtered'], ['admin/', 'none'], ['admin/x', 'none'], ['team-a/', 'whole'], ['adminx', 'whole']];
  for (const [prefix, expected] of table) assert.equal(listing('sam', 'builds', prefix), expected, `prefix '${prefix}'`);
});

test('a deny covering the whole prefix refuses the listing, whatever an allow below it says', () => {
  assert.equal(listing('lou', 'logs', ''), 'none');
  assert.equal(listing('lou', 'logs', 'app/'), 'none');
});

test("conditions still apply: a when that fails allows nothing, so nothing is filtered in", () => {
  assert.equal(listing('hal', 'home', ''), 'filtered');
  assert.equal(listing('hal', 'home', 'me/'), 'whole');
  assert.equal(listing('hal', 'home', '', '10.0.0.1'), 'none');
  assert.equal(listing('hal', 'home', 'me/', '10.0.0.1'), 'none');
});
