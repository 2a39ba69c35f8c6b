// verdict() skips rules (by operation, by the literal prefixes of their globs) that decide() tries:
// over generated rule sets and requests — every resource scope, templates, globs with `*` anywhere,
// denies before and after allows, conditions that hold, fail or err — both must give the same
// answer and name the same deciding rule. A fixed seed keeps a failure reproducible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BucketConfig, GroupConfig, PolicyConfig, RuleConfig, UserConfig } from '../../../../core/config/types.ts';
import { PolicyEngine } from '../../../../access/policy/engine.ts';
import type { PolicyRequest } from '../../../../access/policy/input.ts';
import type { PrincipalDocument } from '../../../../core/policy/input-document.ts';

const NOW = new Date('2026-12-03T12:00:00Z');

/** mulberry32: a small seeded generator, so that every run tries the same cases. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(17);
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
const some = <T>(items: readonly T[], max: number): T[] => Array.from({ length: 1 + Math.floor(next() * max) }, () => pick(items));

const BUCKETS = ['b', 'bb', 'c'];
const SEGMENTS = ['a', 'ab', 'x', 'team-a', 'ann', ''];
const USERS = ['ann', 'bo'];
const GROUPS = ['team-a', 'team-b'];

/** Glob text over buckets and keys: literal runs, `*` anywhere (in the bucket name too), templates. */
function resource(): string {
  const bucket = pick([...BUCKETS, 'b*', '*', '*b', 'b']);
  if (next() < 0.2) return bucket;
  const parts = some([...SEGMENTS, '*', '${principal.name}', '${principal.groups}', 'a*', '*x'], 3);
  return `${bucket}/${parts.join(pick(['/', '']))}${pick(['', '*', '/*'])}`;
}

const CONDITIONS = [
  undefined,
  undefined,
  'true',
  'false',
  'request.key.startsWith("a")',
  'request.headers["x-flag"] == "on"', // errs without the header: fail closed
  'principal.groups.exists(g, g == "team-a")',
  'request.sourceIp.inCidr("10.0.0.0/8")',
];

function rule(): RuleConfig {
  const when = pick(CONDITIONS);
  return {
    effect: next() < 0.35 ? 'deny' : 'allow',
    actions: some(['read', 'write', 'list', 'delete', 'admin', '*', 'GetObject', 'HeadBucket', 'GET bucket?frob'], 2),
    resources: some([0, 1, 2], 2).map(resource),
    ...(when && { when }),
  };
}

/** Operations of every scope, and what their requests name: a key, a prefix, a bucket only, or nothing. */
const REQUESTS: readonly [operation: string, method: string, names: 'key' | 'prefix' | 'bucket' | 'service'][] = [
  ['GetObject', 'GET', 'key'], ['PutObject', 'PUT', 'key'], ['DeleteObject', 'DELETE', 'key'], ['HeadObject', 'HEAD', 'key'], // object
  ['GetBucketVersioning', 'GET', 'bucket'], ['CreateBucket', 'PUT', 'bucket'], // bucket
  ['HeadBucket', 'HEAD', 'bucket'], // any
  ['ListObjectsV2', 'GET', 'prefix'], ['DeleteObjects', 'POST', 'prefix'], // keys
  ['ListBuckets', 'GET', 'service'], // service
  ['GET bucket?frob', 'GET', 'key'], // not in the table
];

function request(): PolicyRequest {
  const [operation, method, names] = pick(REQUESTS);
  const key = some(SEGMENTS, 3).join(pick(['/', '']));
  return {
    operation,
    method,
    bucket: names === 'service' ? '' : pick(BUCKETS),
    key: names === 'key' ? key : '',
    prefix: names === 'prefix' ? pick(['', 'a', 'a/', 'team-a/', key]) : '',
    sourceIp: pick(['10.1.2.3', '127.0.0.1']),
    headers: next() < 0.5 ? { 'x-flag': pick(['on', 'off']) } : {},
    presigned: false,
  };
}

function engine(): PolicyEngine {
  const policies: PolicyConfig[] = Array.from({ length: 4 }, (_, i) => ({ name: `p${i}`, rules: Array.from({ length: 1 + Math.floor(next() * 8) }, rule) }));
  const groups: GroupConfig[] = GROUPS.map((name, i) => ({ name, policies: [`p${2 + i}`] }));
  const users: UserConfig[] = USERS.map((name, i) => ({
    name,
    accessKeys: [],
    groups: some(GROUPS, 2),
    policies: some(['p0', 'p1'], 2),
    ...(i === 1 && { buckets: [pick(BUCKETS)] }),
  }));
  const buckets: BucketConfig[] = [{ name: 'b', backend: 'x', realName: 'b', publicPrefixes: ['a/'] }];
  return new PolicyEngine({ users, groups, policies, buckets, openAccess: next() < 0.3 });
}

test('verdict() and the explained decide() agree, deciding rule included, over generated rules and requests', () => {
  let decided = 0;
  for (let set = 0; set < 150; set++) {
    const e = engine();
    for (let i = 0; i < 60; i++) {
      const name = pick(['', ...USERS]);
      const principal: PrincipalDocument = { name, groups: e.groupsOf(name), authMethod: name ? 'sigv4' : 'anonymous', keyId: '', claims: {} };
      const r = request();
      const { allowed, deciding } = e.decide(principal, r, NOW);
      if (deciding) decided++;
      assert.deepEqual(e.verdict(principal, r, NOW), { allowed, ...(deciding && { deciding }) }, `set ${set}: ${name} ${JSON.stringify(r)}`);
      // A request over a prefix is whole exactly when it is allowed as any other, by the same rule.
      if (!['ListObjectsV2', 'DeleteObjects'].includes(r.operation)) continue;
      const listing = e.listing(principal, r, NOW);
      if (allowed) assert.deepEqual(listing, { scope: 'whole', deciding }, `set ${set}: ${JSON.stringify(r)}`);
      else assert.notEqual(listing.scope, 'whole', `set ${set}: ${JSON.stringify(r)}`);
    }
  }
  // The generator must reach decisions by rules, not only default denies.
  assert.ok(decided > 2000, `${decided} decisions by a rule`);
});
