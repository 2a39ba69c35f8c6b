// Access control through the real gateway (issue 17): a team layout — two groups, a prefix per team, a
// shared read-only prefix, a deny over an admin prefix, one user with rotated, expired and disabled keys —
// driven by aws-cli and boto3. Every allowed call succeeds; every forbidden one gets 403 AccessDenied
// (InvalidAccessKeyId for an inactive key) and Envoy's upstream counter proves the backend saw nothing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createBucketDirect, directClient, startVersitygw, toolsDir, type Backend } from '../../testkit/backends.ts';
import { assertCanary } from '../../testkit/canary.ts';
import { startGateway, type RunningGateway } from '../../testkit/gateway.ts';
import { dumpLogsOnFailure, envWithoutAws } from '../../testkit/process.ts';
import { runCli } from './clients/cli.ts';

const KEYS = {
  alice: { key_id: 'AKIAALICE0000000001', secret: 'alice-secret-one-0123456789' },
  aliceNew: { key_id: 'AKIAALICE0000000002', secret: 'alice-secret-two-0123456789' },
  aliceOld: { key_id: 'AKIAALICE0000000003', secret: 'alice-secret-old-0123456789' },
  aliceOff: { key_id: 'AKIAALICE0000000004', secret: 'alice-secret-off-0123456789' },
  bob: { key_id: 'AKIABOB00000000000001', secret: 'bob-secret-0123456789abcdef' },
};
type Key = (typeof KEYS)[keyof typeof KEYS];

function configYaml(versity: Backend, ports: { port: number; adminPort: number }): string {
  const key = (k: Key, extra = '') => `{ access_key_id: ${k.key_id}, secret_access_key: ${k.secret}${extra} }`;
  return `
listen: { address: 127.0.0.1, port: ${ports.port} }
backends:
  - { name: versity, type: s3, endpoint: ${versity.endpoint}, credentials: { access_key_id: ${versity.accessKey}, secret_access_key: ${versity.secretKey} } }
buckets:
  builds: { backend: versity }
groups:
  - { name: team-a, policies: [team-rw, shared-read] }
  - { name: team-b, policies: [team-rw, shared-read] }
users:
  - name: alice
    groups: [team-a]
    access_keys:
      - ${key(KEYS.alice)}
      - ${key(KEYS.aliceNew, ', expires: "2999-01-01T00:00:00Z"')}
      - ${key(KEYS.aliceOld, ', expires: "2020-01-01T00:00:00Z"')}
      - ${key(KEYS.aliceOff, ', disabled: true')}
  - { name: bob, groups: [team-b], access_keys: [ ${key(KEYS.bob)} ] }
policies:
  - name: team-rw
    rules:
      - { effect: allow, actions: [read, write, delete, list], resources: ["builds/\${principal.groups}/*"] }
  - name: shared-read
    rules:
      - { effect: allow, actions: [read, list], resources: ["builds/shared/*", "builds/admin/*"] }
      - { effect: deny, actions: ["*"], resources: ["builds/admin/*"] }
envoy: { admin_port: ${ports.adminPort} }
`;
}

describe('access policies: a team layout with aws-cli and boto3', () => {
  let versity: Backend;
  let gateway: RunningGateway;

  before(async () => {
    versity = await startVersitygw({ accessKey: 'VERSITYROOTKEY', secretKey: 'versity-root-secret-0123456789' });
    // The canary first: the backend must reject a wrong secret, or nothing below proves anything.
    await assertCanary(versity);
    await createBucketDirect(versity, 'builds');
    const direct = directClient(versity);
    for (const key of ['shared/readme.txt', 'admin/secret.txt', 'team-b/b.txt']) {
      await direct.send(new PutObjectCommand({ Bucket: 'builds', Key: key, Body: `seed ${key}` }));
    }
    direct.destroy();
    gateway = await startGateway((p) => configYaml(versity, p));
  }, { timeout: 180_000 });
  after(async () => {
    await gateway?.stop();
    await versity?.stop();
  });
  dumpLogsOnFailure(() => (gateway ? [gateway.proc, { name: 'versitygw', logs: versity.logs }] : []));

  const upstream = () => gateway.upstreamRequests('versity');

  async function boto3(steps: (Record<string, unknown> & { as: Key })[]): Promise<{ ok: boolean; code?: string; status?: number }[]> {
    const python = path.join(toolsDir, 'venv', 'bin', 'python');
    const script = path.join(import.meta.dirname, 'scenarios', 'boto3_steps.py');
    const json = JSON.stringify(steps.map(({ as, ...s }) => ({ ...as, bucket: 'builds', ...s })));
    const { stdout } = await promisify(execFile)(python, [script, gateway.endpoint, json], { env: envWithoutAws() });
    return JSON.parse(stdout) as { ok: boolean; code?: string; status?: number }[];
  }

  /** aws-cli v1 as `who`: exit code and stderr. */
  function aws(who: Key, ...args: string[]) {
    const config = path.join(path.dirname(gateway.configFile), 'aws-config');
    writeFileSync(config, '[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n');
    const env = envWithoutAws({ AWS_ACCESS_KEY_ID: who.key_id, AWS_SECRET_ACCESS_KEY: who.secret, AWS_CONFIG_FILE: config, AWS_MAX_ATTEMPTS: '1', AWS_PAGER: '' });
    return runCli(path.join(toolsDir, 'venv', 'bin', 'aws'), ['--endpoint-url', gateway.endpoint, ...args], { env, cwd: path.dirname(gateway.configFile) });
  }

  const ALLOWED = [
    { as: KEYS.alice, op: 'put', key: 'team-a/app.tgz' },
    { as: KEYS.alice, op: 'get', key: 'team-a/app.tgz' },
    { as: KEYS.alice, op: 'get', key: 'shared/readme.txt' },
    { as: KEYS.alice, op: 'list', prefix: 'team-a/' },
    { as: KEYS.alice, op: 'list', prefix: 'shared/' },
    { as: KEYS.alice, op: 'copy', key: 'team-a/readme-copy.txt', source: 'shared/readme.txt' },
    { as: KEYS.alice, op: 'multipart', key: 'team-a/big.bin' },
    { as: KEYS.alice, op: 'delete', key: 'team-a/app.tgz' },
    { as: KEYS.bob, op: 'get', key: 'team-b/b.txt' },
    { as: KEYS.bob, op: 'put', key: 'team-b/new.txt' },
    { as: KEYS.aliceNew, op: 'put', key: 'team-a/rotated.txt' }, // the new key, beside the first one
  ];

  const FORBIDDEN: [Record<string, unknown> & { as: Key }, string][] = [
    [{ as: KEYS.alice, op: 'put', key: 'team-b/intrusion.txt' }, 'AccessDenied'],
    [{ as: KEYS.alice, op: 'delete', key: 'team-b/b.txt' }, 'AccessDenied'],
    [{ as: KEYS.alice, op: 'put', key: 'shared/readme.txt' }, 'AccessDenied'], // shared is read-only
    [{ as: KEYS.alice, op: 'get', key: 'admin/secret.txt' }, 'AccessDenied'], // deny wins over shared-read
    [{ as: KEYS.alice, op: 'list', prefix: 'admin/' }, 'AccessDenied'],
    [{ as: KEYS.alice, op: 'list', prefix: '' }, 'AccessDenied'], // the whole bucket is not granted
    [{ as: KEYS.alice, op: 'copy', key: 'team-a/stolen.txt', source: 'admin/secret.txt' }, 'AccessDenied'], // read on the source
    [{ as: KEYS.alice, op: 'copy', key: 'team-b/x.txt', source: 'shared/readme.txt' }, 'AccessDenied'], // write on the target
    [{ as: KEYS.alice, op: 'multipart', key: 'team-b/big.bin' }, 'AccessDenied'],
    [{ as: KEYS.alice, op: 'delete_objects', keys: ['team-a/rotated.txt', 'team-b/b.txt'] }, 'AccessDenied'],
    [{ as: KEYS.bob, op: 'get', key: 'team-a/rotated.txt' }, 'AccessDenied'],
    [{ as: KEYS.aliceOld, op: 'get', key: 'team-a/rotated.txt' }, 'InvalidAccessKeyId'], // expired
    [{ as: KEYS.aliceOff, op: 'get', key: 'team-a/rotated.txt' }, 'InvalidAccessKeyId'], // disabled
  ];

  it('boto3: every allowed call succeeds and reaches the backend', async () => {
    const before = await upstream();
    const results = await boto3(ALLOWED);
    results.forEach((r, i) => assert.deepEqual(r, { ok: true }, JSON.stringify(ALLOWED[i])));
    assert.ok((await upstream()) > before);
  });

  it('boto3: every forbidden call is a 403 with AWS\'s code, and the backend sees none of them', async () => {
    const before = await upstream();
    const results = await boto3(FORBIDDEN.map(([step]) => step));
    results.forEach((r, i) => assert.deepEqual(r, { ok: false, code: FORBIDDEN[i]![1], status: 403 }, JSON.stringify(FORBIDDEN[i]![0])));
    assert.equal(await upstream(), before, 'the backend saw a denied request');
  });

  it('aws-cli: cp, ls and s3api within the grant; AccessDenied outside it, unseen by the backend', async () => {
    const src = path.join(path.dirname(gateway.configFile), 'local.txt');
    writeFileSync(src, 'from aws-cli\n');
    for (const args of [
      ['s3', 'cp', src, 's3://builds/team-a/cli.txt'],
      ['s3', 'ls', 's3://builds/team-a/'],
      ['s3', 'cp', 's3://builds/shared/readme.txt', '-'],
      ['s3api', 'head-object', '--bucket', 'builds', '--key', 'team-a/cli.txt'],
    ]) {
      const r = await aws(KEYS.alice, ...args);
      assert.equal(r.code, 0, `aws ${args.join(' ')}: ${r.stderr}`);
    }
    const before = await upstream();
    for (const args of [
      ['s3', 'cp', src, 's3://builds/team-b/cli.txt'],
      ['s3', 'ls', 's3://builds/'],
      ['s3api', 'get-object', '--bucket', 'builds', '--key', 'admin/secret.txt', path.join(path.dirname(gateway.configFile), 'out')],
      ['s3', 'rm', 's3://builds/shared/readme.txt'],
    ]) {
      const r = await aws(KEYS.alice, ...args);
      assert.notEqual(r.code, 0, `aws ${args.join(' ')} should fail`);
      assert.match(r.stderr, /AccessDenied/, `aws ${args.join(' ')}`);
    }
    const expired = await aws(KEYS.aliceOld, 's3', 'ls', 's3://builds/team-a/');
    assert.match(expired.stderr, /InvalidAccessKeyId/);
    assert.equal(await upstream(), before, 'the backend saw a denied request');
  });
});
