// core/config/sections/{admission,buckets,listen}.ts: admission rules, public prefixes and trusted proxy
// hops as issue 17 writes them load into the model; a bad CIDR, a reject without status or message,
// a status on another action, a glob in a public prefix and an out-of-range hop count are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, doc, lint, onlyProblem } from '../../fixtures/config/helpers.ts';

test('the issue 17 example: admission rules and public prefixes in the model', () => {
  const { problems, config } = lint(readFileSync(join(FIXTURES, 'access.yaml'), 'utf8'));
  assert.deepEqual(problems, []);
  assert.deepEqual(config!.buckets.find((b) => b.name === 'builds')!.publicPrefixes, ['releases/']);
  assert.deepEqual(config!.admission, [
    { name: 'block-net', match: { sourceIpList: ['203.0.113.0/24'] }, action: 'deny' },
    { name: 'maintenance', match: { bucket: 'frozen', methods: ['PUT', 'POST', 'DELETE'] }, action: 'reject', status: 503, message: 'frozen for maintenance' },
  ]);
  assert.equal(config!.listen.xffNumTrustedHops, undefined);
});

const admission = (...rules: string[]) => doc({}, ['admission:', ...rules.map((r) => `  - ${r}`)]);

test('admission: every match kind, a method as a string, an empty match, continue and allow-anonymous', () => {
  const { problems, config } = lint(admission(
    '{ match: { method: get, source_ip_list: ["10.0.0.0/8", "2001:db8::/32", "::1"], bucket: "logs-*", path: "/logs-*/x/*", authenticated: false }, action: allow-anonymous }',
    '{ action: continue }',
  ));
  assert.deepEqual(problems, []);
  assert.deepEqual(config!.admission, [
    { match: { methods: ['GET'], sourceIpList: ['10.0.0.0/8', '2001:db8::/32', '::1'], bucket: 'logs-*', path: '/logs-*/x/*', authenticated: false }, action: 'allow-anonymous' },
    { match: {}, action: 'continue' },
  ]);
});

test('admission: what the schema and the checks refuse, with its place', () => {
  const at = 13; // the first rule's line
  assert.match(onlyProblem(admission('{ match: { source_ip_list: ["10.0.0.0/33"] }, action: deny }'), '/admission/0/match/source_ip_list/0', at).message, /not a CIDR/);
  assert.match(onlyProblem(admission('{ name: m, action: reject, status: 503 }'), '/admission/0', at).message, /admission rule m: reject needs message/);
  assert.match(onlyProblem(admission('{ action: deny, status: 503 }'), '/admission/0/status', at).message, /status belongs to reject only/);
  onlyProblem(admission('{ action: reject, status: 418, message: teapot }'), '/admission/0/status', at);
  onlyProblem(admission('{ action: block }'), '/admission/0/action', at);
  onlyProblem(admission('{ match: { path: "logs/*" }, action: deny }'), '/admission/0/match/path', at);
  onlyProblem(admission('{ match: { host: x }, action: deny }'), '/admission/0/match/host', at);
  assert.match(onlyProblem(admission('{ name: a, action: deny }', '{ name: a, action: continue }'), '/admission/1/name', at + 1).message, /duplicate/);
});

test('buckets: public and public_prefixes; a prefix is literal (no *) and not empty', () => {
  const bucket = (line: string) => lint(doc({ 7: line }));
  const model = bucket('  releases: { backend: minio, public: true, public_prefixes: ["a/", "b"] }').config!.buckets[0]!;
  assert.deepEqual([model.public, model.publicPrefixes], [true, ['a/', 'b']]);
  const plain = bucket('  releases: { backend: minio, public: false, public_prefixes: [] }').config!.buckets[0]!;
  assert.deepEqual([plain.public, plain.publicPrefixes], [undefined, undefined]);
  onlyProblem(doc({ 7: '  releases: { backend: minio, public_prefixes: ["logs/*"] }' }), '/buckets/releases/public_prefixes/0', 7);
  onlyProblem(doc({ 7: '  releases: { backend: minio, public_prefixes: [""] }' }), '/buckets/releases/public_prefixes/0', 7);
});

test('listen.xff_num_trusted_hops: 0 (the default) to 16', () => {
  const hops = (n: string) => doc({}, [`listen: { xff_num_trusted_hops: ${n} }`]);
  assert.equal(lint(hops('1')).config!.listen.xffNumTrustedHops, 1);
  assert.equal(lint(hops('0')).config!.listen.xffNumTrustedHops, undefined);
  onlyProblem(hops('17'), '/listen/xff_num_trusted_hops', 12);
  onlyProblem(hops('-1'), '/listen/xff_num_trusted_hops', 12);
});
