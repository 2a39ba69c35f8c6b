// One test per kind of config problem: exact path and line, and the message where it matters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, ENV, doc, lint, onlyProblem } from '../../fixtures/config/helpers.ts';

test('YAML syntax error is a problem with its line', () => {
  const p = onlyProblem(doc({ 7: '  releases: { backend: minio' }), '', 8);
  assert.match(p.message, /^YAML: /);
});

test('unknown top-level key', () => {
  const p = onlyProblem(doc({}, ['bogus: 1']), '/bogus', 12);
  assert.match(p.message, /unknown key; expected one of: listen, backends/);
  // Still reported when its value is a reference that fails (and then that failure is reported too).
  const { problems } = lint(doc({}, ['bogus: ${env:NOPE}']));
  assert.deepEqual(problems.map((q) => q.message), [p.message, 'environment variable NOPE is not set']);
});

test('wrong type', () => {
  const p = onlyProblem(doc({}, ['listen: { port: "9000" }']), '/listen/port', 12);
  assert.equal(p.message, 'must be an integer');
});

test('port out of range', () => {
  onlyProblem(doc({}, ['listen: { port: 70000 }']), '/listen/port', 12);
});

test('bad bucket name (the key)', () => {
  const p = onlyProblem(doc({ 7: '  Releases_2024: { backend: minio }', 11: '    buckets: "*"' }), '/buckets/Releases_2024', 7);
  assert.match(p.message, /must be an S3 bucket name/);
});

test('bad alias', () => {
  onlyProblem(doc({ 7: '  releases: { backend: minio, alias: ab }' }), '/buckets/releases/alias', 7);
  onlyProblem(doc({ 7: '  releases: { backend: minio, alias: -releases }' }), '/buckets/releases/alias', 7);
});

test('bad enum', () => {
  const p = onlyProblem(doc({ 3: '    type: s3\n    addressing: sideways' }), '/backends/0/addressing', 4);
  assert.equal(p.message, 'must be one of: path, virtual');
  onlyProblem(doc({ 3: '    type: gcs' }), '/backends/0/type', 3);
});

test('missing required field points at the enclosing entry', () => {
  const p = onlyProblem(doc({ 4: [] }), '/backends/0/endpoint', 2);
  assert.equal(p.message, 'is required');
});

test('missing environment variable names the variable at the value path', () => {
  const p = onlyProblem(doc(), '/backends/0/credentials/secret_access_key', 5, { ...ENV, MINIO_SECRET: undefined });
  assert.equal(p.message, 'environment variable MINIO_SECRET is not set');
});

test('missing file names the file at the value path', () => {
  const text = doc({ 10: '    access_keys: [ { access_key_id: AKIAALICE0000000001, secret_access_key: ${file:nope/alice} } ]' });
  const p = onlyProblem(text, '/users/0/access_keys/0/secret_access_key', 10);
  assert.equal(p.message, 'cannot read file nope/alice (ENOENT)');
});

test('unsupported reference kind', () => {
  onlyProblem(doc({ 4: '    endpoint: ${ENV:MINIO_URL}' }), '/backends/0/endpoint', 4);
});

test('bucket on an unknown backend', () => {
  const p = onlyProblem(doc({ 7: '  releases: { backend: minoi }' }), '/buckets/releases/backend', 7);
  assert.equal(p.message, 'unknown backend minoi');
});

test('unknown default_backend', () => {
  onlyProblem(doc({}, ['default_backend: versity']), '/default_backend', 12);
});

test('user granted a bucket that is not configured, unless a default_backend may hold it', () => {
  const granted = { 11: '    buckets: [ releases, scratch ]' };
  const p = onlyProblem(doc(granted), '/users/0/buckets/1', 11);
  assert.match(p.message, /bucket scratch is not configured/);
  assert.deepEqual(lint(doc(granted, ['default_backend: minio'])).problems, []);
});

test('duplicate backend name', () => {
  const second = '  - { name: minio, type: s3, endpoint: "http://10.0.0.2:9000", credentials: { access_key_id: k2, secret_access_key: s } }';
  const p = onlyProblem(doc({ 5: [BASE[4]!, second] }), '/backends/1/name', 6);
  assert.equal(p.message, 'duplicate backend name minio');
});

test('duplicate access_key_id across users', () => {
  const bob = '  - { name: bob, access_keys: [ { access_key_id: AKIAALICE0000000001, secret_access_key: t } ], buckets: "*" }';
  const p = onlyProblem(doc({}, [bob]), '/users/1/access_keys/0/access_key_id', 12);
  assert.equal(p.message, 'duplicate access_key_id: already used at /users/0/access_keys/0/access_key_id');
});

test('no users requires open_access: true', () => {
  const noUsers = doc({ 8: 'users: []', 9: [], 10: [], 11: [] });
  const p = onlyProblem(noUsers, '/users', 8);
  assert.equal(p.message, 'the gateway refuses to start with no users unless open_access: true is set');
  onlyProblem(doc({ 8: [], 9: [], 10: [], 11: [] }), '/users', 1); // absent `users`: located at the document
  const open = lint(`${noUsers}\nopen_access: true`);
  assert.deepEqual(open.problems, []);
  assert.equal(open.config?.openAccess, true);
});

test('bad endpoint URL', () => {
  const p = onlyProblem(doc({ 4: '    endpoint: http://127.0.0.1:9100/minio' }), '/backends/0/endpoint', 4);
  assert.match(p.message, /^must be an http\(s\) URL/);
  onlyProblem(doc({ 4: '    endpoint: ftp://127.0.0.1' }), '/backends/0/endpoint', 4);
  const q = onlyProblem(doc({ 4: '    endpoint: http://127.0.0.1:99999' }), '/backends/0/endpoint', 4);
  assert.equal(q.message, 'must be an http(s) URL');
});

test('missing tls file', () => {
  const text = doc({}, ['listen:', '  tls: { cert_file: tls/gateway.crt, key_file: tls/missing.key }']);
  const p = onlyProblem(text, '/listen/tls/key_file', 13);
  assert.equal(p.message, 'cannot read file tls/missing.key (ENOENT)');
});

test('listen address must be an IP address', () => {
  onlyProblem(doc({}, ['listen: { address: localhost }']), '/listen/address', 12);
});

test('two buckets reaching one real bucket is a warning, not an error', () => {
  const { problems, config } = lint(doc({ 7: ['  releases: { backend: minio }', '  rel: { backend: minio, alias: releases }'] }));
  assert.deepEqual(
    problems.map((p) => [p.path, p.line, p.severity]),
    [['/buckets/rel/alias', 8, 'warning']],
  );
  assert.ok(config);
});

test('several problems in one file are all reported, ordered by line', () => {
  const text = doc(
    { 3: '    type: s4', 7: '  Bad: { backend: minio }', 11: '    buckets: [ releases, releases ]' },
    ['bogus: true', 'envoy: { admin_port: -1 }'],
  );
  const { problems } = lint(text, { ...ENV, ALICE_SECRET: undefined });
  assert.deepEqual(
    problems.map((p) => [p.path, p.line]),
    [
      ['/backends/0/type', 3],
      ['/buckets/Bad', 7],
      ['/users/0/access_keys/0/secret_access_key', 10],
      ['/users/0/buckets/1', 11],
      ['/bogus', 12],
      ['/envoy/admin_port', 13],
    ],
  );
});

test('semantic and reference problems are collected together', () => {
  const text = doc({ 7: '  releases: { backend: minoi }', 11: '    buckets: [ releases, scratch ]' }, [
    '  - { name: bob, access_keys: [ { access_key_id: AKIAALICE0000000001, secret_access_key: t } ], buckets: "*" }',
    'listen: { tls: { cert_file: tls/none.crt, key_file: tls/gateway.key } }',
  ]);
  const { problems } = lint(text, { ...ENV, MINIO_SECRET: undefined });
  assert.deepEqual(
    problems.map((p) => [p.path, p.line]),
    [
      ['/backends/0/credentials/secret_access_key', 5],
      ['/buckets/releases/backend', 7],
      ['/users/0/buckets/1', 11],
      ['/users/1/access_keys/0/access_key_id', 12],
      ['/listen/tls/cert_file', 13],
    ],
  );
});

test('a filesystem backend needs a path and takes no endpoint or credentials', () => {
  const fs = (lines: string) => doc({ 2: `  - name: minio\n${lines}`, 3: [], 4: [], 5: [] });
  onlyProblem(fs('    type: filesystem'), '/backends/0/path', 2);
  const p = onlyProblem(fs('    type: filesystem\n    path: ./data\n    endpoint: http://127.0.0.1:9'), '/backends/0/endpoint', 5);
  assert.match(p.message, /unknown key/);
});
