import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import {
  ConfigError,
  formatProblems,
  lintConfigFile,
  lintConfigText,
  loadConfigFile,
} from '../../../../core/config/load.ts';
import { configSchema, schemaText } from '../../../../core/config/schema.ts';
import { DEFAULT_LIMITS } from '../../../../core/config/sections/listen.ts';
import { ENV, FIXTURES, doc, lint } from '../../fixtures/config/helpers.ts';

test('the full fixture resolves into the runtime model', () => {
  const config = loadConfigFile(join(FIXTURES, 'full.yaml'), ENV);
  assert.deepEqual(config.listen, {
    address: '0.0.0.0',
    port: 9443,
    tls: { certFile: join(FIXTURES, 'tls/gateway.crt'), keyFile: join(FIXTURES, 'tls/gateway.key') },
    domain: 's3.example.test',
    limits: DEFAULT_LIMITS,
  });
  assert.deepEqual(config.backends, [
    {
      name: 'minio',
      type: 's3',
      endpoint: { scheme: 'http', host: '127.0.0.1', port: 9100 },
      region: 'eu-west-1',
      addressing: 'virtual',
      credentials: { accessKeyId: 'minio-admin', secretAccessKey: 'minio-secret-value' },
    },
    {
      name: 'versity',
      type: 's3',
      endpoint: { scheme: 'https', host: 'versity.example.test', port: 443 },
      region: 'us-east-1',
      addressing: 'path',
      credentials: { accessKeyId: 'versity-admin', secretAccessKey: 'versity-secret-from-file' },
    },
  ]);
  assert.deepEqual(config.buckets, [
    { name: 'releases', backend: 'minio', realName: 'releases' },
    { name: 'archive', backend: 'versity', realName: 'prod-archive-2024' },
  ]);
  assert.equal(config.defaultBackend, 'minio');
  assert.deepEqual(config.users, [
    {
      name: 'alice',
      accessKeys: [{ accessKeyId: 'AKIAALICE0000000001', secretAccessKey: 'alice-secret-value' }],
      buckets: ['releases', 'archive'],
    },
    {
      name: 'ops',
      accessKeys: [{ accessKeyId: 'AKIAOPS000000000001', secretAccessKey: 'ops-suffix-secret' }],
      buckets: '*',
    },
  ]);
  assert.equal(config.openAccess, false);
  assert.deepEqual(config.envoy, { adminPort: 9901, concurrency: 2, extAuthz: 'grpc' });
});

test('defaults are applied to a minimal config', () => {
  const { problems, config } = lint(doc());
  assert.deepEqual(problems, []);
  assert.ok(config);
  assert.deepEqual(config.listen, { address: '127.0.0.1', port: 9000, limits: DEFAULT_LIMITS });
  assert.equal(config.backends[0]!.region, 'us-east-1');
  assert.equal(config.backends[0]!.addressing, 'path');
  assert.equal(config.defaultBackend, undefined);
  assert.equal(config.openAccess, false);
  assert.deepEqual(config.envoy, { adminPort: 0, concurrency: 0, extAuthz: 'http' });
});

test('envoy.reuse_port: off unless set to true', () => {
  assert.equal(lint(doc({}, ['envoy: { reuse_port: true }'])).config?.envoy.reusePort, true);
  assert.equal(lint(doc({}, ['envoy: { reuse_port: false }'])).config?.envoy.reusePort, undefined);
  assert.equal(lint(doc({}, ['envoy: { reuse_port: yes please }'])).problems[0]?.path, '/envoy/reuse_port');
});

test('endpoint ports default from the scheme; IPv6 hosts lose their brackets', () => {
  const https = lint(doc({ 4: '    endpoint: https://s3.example.test/' })).config;
  assert.deepEqual(https?.backends[0]!.endpoint, { scheme: 'https', host: 's3.example.test', port: 443 });
  const http = lint(doc({ 4: '    endpoint: "http://[::1]"' })).config;
  assert.deepEqual(http?.backends[0]!.endpoint, { scheme: 'http', host: '::1', port: 80 });
});

test('${file:} contents lose exactly one trailing newline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bucketgate-config-'));
  writeFileSync(join(dir, 'crlf'), 'secret\r\n');
  writeFileSync(join(dir, 'two'), 'secret\n\n');
  const text = doc({ 5: '    credentials: { access_key_id: a-b, secret_access_key: "${file:crlf}|${file:two}" }' });
  const config = lintConfigText(text, { baseDir: dir, env: ENV }).config;
  assert.equal(config?.backends[0]!.credentials.secretAccessKey, 'secret|secret\n');
});
test('no problem message ever contains a secret value', () => {
  const secret = 'Zq9-SECRET-VALUE-do-not-print';
  const env = { MINIO_KEY: secret, MINIO_SECRET: secret, ALICE_SECRET: secret };
  // Secrets resolved into values that then fail: bad key id patterns, a duplicate key, a bad endpoint.
  const texts = [
    doc({ 5: '    credentials: { access_key_id: "${env:MINIO_KEY} x", secret_access_key: ${env:MINIO_SECRET} }' }),
    doc({ 10: '    access_keys: [ { access_key_id: "${env:ALICE_SECRET}!", secret_access_key: ${env:ALICE_SECRET} } ]' }),
    doc({ 4: '    endpoint: "http://host/${env:MINIO_SECRET}"' }),
    doc({ 4: '    endpoint: "http://${env:MINIO_SECRET}:99999"' }),
    doc({ 5: `    credentials: { access_key_id: ab, secret_access_key: ${secret}, extra: ${secret} }` }),
    doc({ 5: `    credentials: { access_key_id: ab, secret_access_key: "\\q${secret}" }` }),
    doc({ 5: `    credentials: { access_key_id: ab, secret_access_key: ${secret} } "${secret}"` }),
    doc({}, [`open_access: ${secret}`, `bogus: \${env:NOPE}`]),
  ];
  for (const text of texts) {
    const { problems } = lint(text, env);
    assert.ok(problems.length > 0, text);
    const out = formatProblems('config.yaml', problems);
    assert.ok(!out.includes(secret), out);
    assert.ok(!out.includes('SECRET-VALUE'), out);
  }
});

test('lintConfigFile and loadConfigFile report problems with file and line', () => {
  const file = join(FIXTURES, 'full.yaml');
  const { problems } = lintConfigFile(file, { ...ENV, MINIO_SECRET: undefined });
  assert.equal(
    formatProblems(file, problems),
    `${file}:13 /backends/0/credentials/secret_access_key: environment variable MINIO_SECRET is not set`,
  );
  assert.throws(
    () => loadConfigFile(file, {}),
    (err: unknown) => err instanceof ConfigError && err.problems.length === 4 && err.message.includes(`${file}:26 `),
  );
  assert.deepEqual(lintConfigFile(join(FIXTURES, 'absent.yaml'), ENV).problems, [
    { path: '', message: 'cannot read config file (ENOENT)' },
  ]);
});

test('the schema is printable JSON and a valid draft 2020-12 schema', () => {
  assert.deepEqual(JSON.parse(schemaText()), configSchema);
  assert.doesNotThrow(() => new Ajv2020({ strict: true }).compile(JSON.parse(schemaText())));
});

test('a filesystem backend: path resolved against the config file, no endpoint or credentials yet', () => {
  const { problems, config } = lintConfigText(
    'backends:\n  - { name: local, type: filesystem, path: ./data }\nbuckets: { files: { backend: local } }\nopen_access: true\n',
    { baseDir: '/srv/gw', env: {} },
  );
  assert.deepEqual(problems, []);
  const b = config!.backends[0]!;
  assert.equal(b.type, 'filesystem');
  assert.equal(b.filesystem?.path, '/srv/gw/data');
  assert.equal(b.endpoint.port, 0);
});
