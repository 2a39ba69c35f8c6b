// core/config/sections/{users,groups,policies}.ts: the access-control shape of issue 17 loads as
// written; references, actions, templates and CEL conditions are checked at load with their place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, doc, lint, onlyProblem } from '../../fixtures/config/helpers.ts';

const EXAMPLE = readFileSync(join(FIXTURES, 'access.yaml'), 'utf8');

test('the issue 17 example loads: groups, policies, several keys, disabled and expiring keys, templates, when', () => {
  const { problems, config } = lint(EXAMPLE);
  assert.deepEqual(problems, []);
  assert.deepEqual(config!.groups, [{ name: 'team-a', policies: ['team-a-rw', 'shared-read'] }]);
  const [alice, carol] = config!.users;
  assert.deepEqual(alice!.groups, ['team-a']);
  assert.deepEqual(alice!.policies, ['own-home']);
  assert.deepEqual(alice!.accessKeys.map((k) => [k.accessKeyId, k.disabled, k.expires]), [
    ['AKIAALICE0000000001', undefined, undefined],
    ['AKIAALICE0000000002', undefined, '2027-06-01T00:00:00.000Z'],
  ]);
  assert.equal(carol!.accessKeys[0]!.disabled, true);
  assert.equal(carol!.buckets, '*');
  const ownHome = config!.policies!.find((p) => p.name === 'own-home')!;
  assert.deepEqual(ownHome.rules[0]!.resources, ['home/${principal.name}/*']);
  assert.match(ownHome.rules[0]!.when!, /^request\.sourceIp\.startsWith/);
  // The model reaches the services workers as JSON: nothing in it may change on the way (a Date would).
  assert.deepEqual(JSON.parse(JSON.stringify(config)), config);
});

test('buckets shorthand: "*", ["*"], a glob string and a list of names and globs', () => {
  const model = (line: string) => lint(doc({ 11: line })).config!.users[0]!.buckets;
  assert.equal(model('    buckets: "*"'), '*');
  assert.deepEqual(model('    buckets: ["*"]'), ['*']);
  assert.deepEqual(model('    buckets: "logs-*"'), ['logs-*']);
  assert.deepEqual(model('    buckets: [releases, "logs-*"]'), ['releases', 'logs-*']);
  // A user may hold policies only.
  assert.equal(lint(doc({ 11: '    policies: []' })).config!.users[0]!.buckets, undefined);
});

test('a named bucket must be configured (without default_backend); a glob need not match one yet', () => {
  const p = onlyProblem(doc({ 11: '    buckets: nope' }), '/users/0/buckets', 11);
  assert.match(p.message, /bucket nope is not configured/);
  assert.deepEqual(lint(doc({ 11: '    buckets: [ "nope-*" ]' })).problems, []);
});

const POLICY = (rule: string) => ['policies:', '  - name: p1', '    rules:', `      - ${rule}`];

test('unknown group and policy references name the owner and the missing name', () => {
  const g = onlyProblem(doc({ 11: '    groups: [ops]' }), '/users/0/groups/0', 11);
  assert.equal(g.message, 'user alice: unknown group ops');
  const p = onlyProblem(doc({ 11: '    policies: [nope]' }), '/users/0/policies/0', 11);
  assert.equal(p.message, 'user alice: unknown policy nope');
  const gp = onlyProblem(doc({}, ['groups:', '  - { name: ops, policies: [missing] }']), '/groups/0/policies/0', 13);
  assert.equal(gp.message, 'group ops: unknown policy missing');
});

test('duplicate group and policy names', () => {
  onlyProblem(doc({}, ['groups: [ { name: ops }, { name: ops } ]']), '/groups/1/name', 12);
  const twice = ['policies:', '  - { name: p1, rules: [ { effect: allow, actions: [read], resources: ["*"] } ] }'];
  onlyProblem(doc({}, [...twice, twice[1]!]), '/policies/1/name', 14);
});

test('actions: classes, *, operation names and unknown-operation names pass; anything else is an error', () => {
  const ok = '{ effect: deny, actions: [read, write, delete, list, admin, "*", GetObjectTagging, PutBucketVersioning, "GET bucket?foo"], resources: ["*"] }';
  assert.deepEqual(lint(doc({}, POLICY(ok))).problems, []);
  const p = onlyProblem(doc({}, POLICY('{ effect: allow, actions: [reed], resources: ["*"] }')), '/policies/0/rules/0/actions/0', 15);
  assert.match(p.message, /^policy p1 rule 0: unknown action reed; expected read, write/);
});

test('resources: only the principal templates; a resource starts with its bucket part', () => {
  const ok = '{ effect: allow, actions: [read], resources: ["home/${principal.name}/*", "teams/${principal.groups}/*"] }';
  assert.deepEqual(lint(doc({}, POLICY(ok))).problems, []);
  const bad = onlyProblem(doc({}, POLICY('{ effect: allow, actions: [read], resources: ["h/${principal.email}/*"] }')), '/policies/0/rules/0/resources/0', 15);
  assert.match(bad.message, /the only templates are \$\{principal\.name\} and \$\{principal\.groups\}/);
  onlyProblem(doc({}, POLICY('{ effect: allow, actions: [read], resources: ["/b/*"] }')), '/policies/0/rules/0/resources/0', 15);
});

test('a CEL syntax error stops the load with the policy, the rule index and the position', () => {
  const text = doc({}, POLICY(`{ effect: allow, actions: [read], resources: ["*"], when: 'request.method == "GET" &&' }`));
  const p = onlyProblem(text, '/policies/0/rules/0/when', 15);
  assert.match(p.message, /^policy p1 rule 0: when, line 1 column \d+: syntax error: /);
  assert.equal(lint(text).config, undefined);
});

test('unknown names, fields and functions, argument counts and constant CIDRs are errors with positions', () => {
  const cases: [string, RegExp][] = [
    ['reqest.method == "GET"', /line 1 column 1: unknown name reqest; the input document has request and principal/],
    ['request.methd == "GET"', /line 1 column 8: request has no field methd; it has operation, action, method/],
    ['principal.name == "a" && nosuch(1)', /line 1 column 26: unknown function nosuch/],
    ['request.key.startsWith()', /line 1 column 12: startsWith does not take 0 arguments as a method/],
    ['request.sourceIp.inCidr(["10.0.0.0/8", "10.0.0.0/40"])', /line 1 column 40: not a CIDR: "10.0.0.0\/40"/],
  ];
  for (const [when, message] of cases) {
    const p = onlyProblem(doc({}, POLICY(`{ effect: allow, actions: [read], resources: ["*"], when: '${when}' }`)), '/policies/0/rules/0/when', 15);
    assert.match(p.message, message, when);
  }
  // A condition over several lines: the line and column are the expression's own.
  const multi = ['policies:', '  - name: p1', '    rules:', '      - effect: allow', '        actions: [read]', '        resources: ["*"]', '        when: |', '          request.method == "GET"', '            && principal.nme == "x"'];
  assert.match(onlyProblem(doc({}, multi), '/policies/0/rules/0/when', 18).message, /when, line 2 column 15: principal has no field nme/);
});

test('expires must be RFC 3339 with a zone and a real date', () => {
  const key = (expires: string) => doc({ 10: `    access_keys: [ { access_key_id: AKIAALICE0000000001, secret_access_key: x, expires: "${expires}" } ]` });
  assert.deepEqual(lint(key('2027-06-01T00:00:00+02:00')).problems, []);
  onlyProblem(key('2027-06-01'), '/users/0/access_keys/0/expires', 10);
  assert.match(onlyProblem(key('2027-13-45T00:00:00Z'), '/users/0/access_keys/0/expires', 10).message, /not a valid date/);
});
