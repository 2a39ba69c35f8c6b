// access/policy-tool/: cases files read with every problem at its line, the probe's questions checked
// field by field and answered by AccessControl (admission first), and the explanation's wording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '../../../../core/config/load.ts';
import { parseCases } from '../../../../access/policy-tool/cases.ts';
import { decidingName, explainJson, explainText, outcomeOf } from '../../../../access/policy-tool/explain.ts';
import { methodOf, PolicyProbe } from '../../../../access/policy-tool/probe.ts';
import { casesReport, runCases } from '../../../../access/policy-tool/run-cases.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const config = loadConfigFile(path.join(ROOT, 'examples', 'policy', 'bucketgate.yaml'));
const probe = new PolicyProbe(config);
const NOW = new Date('2026-12-02T10:00:00Z');

test('methodOf: each operation with the method S3 sends it with', () => {
  const table: Array<[string, string]> = [
    ['GetObject', 'GET'], ['HeadObject', 'HEAD'], ['HeadBucket', 'HEAD'], ['ListObjectsV2', 'GET'], ['PutObject', 'PUT'],
    ['CopyObject', 'PUT'], ['UploadPart', 'PUT'], ['CreateBucket', 'PUT'], ['PutBucketCors', 'PUT'], ['CreateMultipartUpload', 'POST'],
    ['CompleteMultipartUpload', 'POST'], ['DeleteObjects', 'POST'], ['PostObject', 'POST'], ['SelectObjectContent', 'POST'],
    ['DeleteObject', 'DELETE'], ['AbortMultipartUpload', 'DELETE'], ['DeleteBucketCors', 'DELETE'], ['GET bucket?frobnicate', 'GET'],
  ];
  for (const [op, method] of table) assert.equal(methodOf(op), method, op);
});

test('a cases file: problems with their lines, times checked, defaults filled in', () => {
  const bad = parseCases('cases:\n  - principal: alice\n    request: { operation: GetObject, time: "2026-02-30T25:00:00Z" }\n    expect: yes\n');
  assert.equal(bad.ok, false);
  // The schema's problems come first: times are checked once the file has the right shape.
  assert.deepEqual(!bad.ok && bad.problems.map((p) => [p.path, p.line]), [['/cases/0/expect', 4]]);
  const month13 = parseCases('cases:\n  - { principal: alice, request: { operation: GetObject, time: "2026-13-01T00:00:00Z" }, expect: allow }\n');
  assert.deepEqual(!month13.ok && month13.problems, [{ path: '/cases/0/request/time', message: 'is not a valid date and time', line: 2 }]);
  const yaml = parseCases('cases: [\n');
  assert.equal(yaml.ok, false);
  assert.match(!yaml.ok ? yaml.problems[0]!.message : '', /^YAML: /);
  const empty = parseCases('cases: []\n');
  assert.equal(empty.ok, false, 'a file with no case tests nothing');
  const good = parseCases('time: "2026-01-01T00:00:00Z"\ncases:\n  - { principal: anonymous, request: { operation: GetObject, bucket: b, key: k }, expect: deny }\n  - { name: n, principal: { user: alice, groups: [team-b] }, request: { operation: GetObject, time: "2026-06-01T00:00:00+02:00" }, expect: allow, rule: none }\n');
  assert.ok(good.ok);
  const [anon, named] = good.file.cases;
  assert.deepEqual(anon!.principal, {});
  assert.equal(anon!.name, 'case 1');
  assert.equal(anon!.time!.toISOString(), '2026-01-01T00:00:00.000Z');
  assert.equal(named!.time!.toISOString(), '2026-05-31T22:00:00.000Z');
  assert.deepEqual(named!.principal, { user: 'alice', groups: ['team-b'] });
  assert.equal(good.file.lineOf('/cases/1'), 4);
});

test('the probe refuses what the config cannot answer, naming the field', () => {
  const problems = (principal: Parameters<PolicyProbe['ask']>[0], req: Parameters<PolicyProbe['ask']>[1]) => {
    const r = probe.ask(principal, req, NOW);
    return r.ok ? [] : r.problems.map((p) => p.field);
  };
  assert.deepEqual(problems({ user: 'dave' }, { operation: 'GetObject' }), ['user']);
  assert.deepEqual(problems({ groups: ['team-a'], keyId: 'AKIAX' }, { operation: 'GetObject' }), ['groups', 'key_id']);
  assert.deepEqual(problems({ user: 'alice', keyId: 'AKIABOB00000000000001' }, { operation: 'GetObject' }), ['key_id']);
  assert.deepEqual(problems({ user: 'alice', authMethod: 'sigv4' }, { operation: 'GetObject', presigned: true }), ['auth_method']);
  assert.deepEqual(problems({ user: 'alice' }, { operation: 'GetObjekt', method: 'GE T', sourceIp: '10.0.0.300' }), ['operation', 'method', 'source_ip']);
  assert.deepEqual(problems({ user: 'alice' }, { operation: 'GET bucket?frobnicate', sourceIp: '2001:db8::1' }), []);
});

test('the probe answers as the gateway: admission first, then the policies; groups and keys as asked', () => {
  const ask = (principal: Parameters<PolicyProbe['ask']>[0], req: Parameters<PolicyProbe['ask']>[1], now = NOW) => {
    const r = probe.ask(principal, req, now);
    assert.ok(r.ok);
    return r.probed;
  };
  const blocked = ask({ user: 'alice' }, { operation: 'GetObject', bucket: 'builds', key: 'team-a/x', sourceIp: '203.0.113.1' });
  assert.equal(blocked.decision.allowed, false);
  assert.equal(decidingName(blocked), 'admission:block-net');
  assert.match(explainText(blocked), /not consulted/);
  const own = ask({ user: 'alice' }, { operation: 'GetObject', bucket: 'builds', key: 'team-a/x' });
  assert.equal(decidingName(own), 'team-a-rw[0]');
  assert.equal(own.identity.accessKeyId, 'AKIAALICE0000000001');
  const asB = ask({ user: 'alice', groups: ['team-b'] }, { operation: 'PutObject', bucket: 'builds', key: 'team-b/x' });
  assert.equal(decidingName(asB), 'team-b-rw[0]');
  // The override is per question: alice herself is still in team-a.
  assert.equal(ask({ user: 'alice' }, { operation: 'PutObject', bucket: 'builds', key: 'team-b/x' }).decision.allowed, false);
  const second = ask({ user: 'alice', keyId: 'AKIAALICE0000000002', authMethod: 'presigned' }, { operation: 'GetObject', bucket: 'home', key: 'alice/a', sourceIp: '127.0.0.1', headers: { 'X-Custom': 'v' } });
  assert.deepEqual([second.identity.accessKeyId, second.identity.presigned, second.request.headers], ['AKIAALICE0000000002', true, { 'x-custom': 'v' }]);
  const anonymous = ask({}, { operation: 'GetObject', bucket: 'builds', key: 'releases/a' });
  assert.equal(decidingName(anonymous), '(public of builds)[0]');
  assert.match(explainText(anonymous), /^ALLOW GetObject on builds\/releases\/a by anonymous$/m);
  const night = ask({ user: 'bob' }, { operation: 'PutBucketCors', bucket: 'builds', sourceIp: '10.20.0.1' }, new Date('2026-12-02T23:00:00Z'));
  assert.equal(night.decision.allowed, false);
  assert.match(explainText(night), /office-hours-admin\[0\]\s+allow\s+no match: condition/);
});

test('a run: a mismatch of decision or of deciding rule, each with its line and explanation', () => {
  const parsed = parseCases([
    'cases:',
    '  - { name: ok, principal: alice, request: { operation: GetObject, bucket: builds, key: team-a/x }, expect: allow, rule: "team-a-rw[0]" }',
    '  - { name: wrong verdict, principal: alice, request: { operation: PutObject, bucket: builds, key: team-b/x }, expect: allow }',
    '  - { name: wrong rule, principal: alice, request: { operation: GetObject, bucket: builds, key: team-b/x }, expect: allow, rule: "team-a-rw[0]" }',
    '',
  ].join('\n'));
  assert.ok(parsed.ok);
  const run = runCases(parsed.file, probe, NOW);
  assert.ok(run.ok);
  assert.deepEqual(run.results.map((r) => r.mismatch), [
    undefined,
    'expected allow, got deny (deciding rule: none)',
    'expected deciding rule team-a-rw[0], got shared-read[0] (allow as expected)',
  ]);
  const report = casesReport('c.yaml', parsed.file.lineOf, run.results);
  assert.equal(report.failed, 2);
  assert.match(report.text, /^FAIL c\.yaml:3 "wrong verdict": /m);
  assert.match(report.text, /^FAIL c\.yaml:4 "wrong rule": /m);
  assert.match(report.text, /^    deciding rule: none: no rule allows it \(denied by default\)$/m);
  assert.match(report.text, /3 cases: 1 passed, 2 failed$/);
  const unknown = parseCases('cases:\n  - { principal: zed, request: { operation: GetObject }, expect: allow }\n');
  assert.ok(unknown.ok);
  const refused = runCases(unknown.file, probe, NOW);
  assert.deepEqual(!refused.ok && refused.problems.map((p) => [p.path, p.line]), [['/cases/0/principal', 2]]);
});

test('a listing broader than the grant is answered as the gateway serves it: filtered, whole, or denied', () => {
  const ask = (principal: Parameters<PolicyProbe['ask']>[0], req: Parameters<PolicyProbe['ask']>[1]) => {
    const r = probe.ask(principal, req, NOW);
    assert.ok(r.ok);
    return r.probed;
  };
  const all = ask({ user: 'alice' }, { operation: 'ListObjectsV2', bucket: 'builds', delimiter: '/' });
  assert.equal(outcomeOf(all), 'filtered');
  assert.equal(all.decision.allowed, false, 'the whole listing alone is not allowed');
  assert.match(explainText(all), /^FILTERED ListObjectsV2 on builds by alice/);
  assert.match(explainText(all), /served filtered/);
  assert.equal((explainJson(all) as { decision: string }).decision, 'filtered');
  assert.equal(outcomeOf(ask({ user: 'alice' }, { operation: 'ListObjects', bucket: 'builds', prefix: 'team-a/' })), 'allow');
  const admin = ask({ user: 'alice' }, { operation: 'ListObjectVersions', bucket: 'builds', prefix: 'admin/' });
  assert.deepEqual([outcomeOf(admin), decidingName(admin)], ['deny', 'shared-read[1]']);
  // Not filtered: multipart upload listings, and anonymous listings (they stay inside a public prefix).
  assert.equal(outcomeOf(ask({ user: 'alice' }, { operation: 'ListMultipartUploads', bucket: 'builds' })), 'deny');
  assert.equal(outcomeOf(ask({}, { operation: 'ListObjectsV2', bucket: 'builds' })), 'deny');
  const batch = ask({ user: 'alice' }, { operation: 'DeleteObjects', bucket: 'builds' });
  assert.equal(outcomeOf(batch), 'filtered');
  assert.match(explainText(batch), /served key by key/);
  assert.equal(outcomeOf(ask({ user: 'alice' }, { operation: 'DeleteObjects', bucket: 'releases' })), 'deny');
  // A cases file may expect it.
  const parsed = parseCases('cases:\n  - { principal: alice, request: { operation: ListObjectsV2, bucket: builds }, expect: filtered }\n  - { principal: alice, request: { operation: ListObjectsV2, bucket: builds }, expect: allow }\n');
  assert.ok(parsed.ok);
  const run = runCases(parsed.file, probe, NOW);
  assert.ok(run.ok);
  assert.deepEqual(run.results.map((r) => r.mismatch), [undefined, 'expected allow, got filtered (deciding rule: team-a-rw[0])']);
});
