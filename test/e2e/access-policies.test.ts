// Access control through the real gateway (issue 17): a team layout — two groups, a prefix per team, a
// shared read-only prefix, a deny over an admin prefix, one user with rotated, expired and disabled keys —
// driven by aws-cli and boto3. Every allowed call succeeds; every forbidden one gets 403 AccessDenied
// (InvalidAccessKeyId for an inactive key) and Envoy's upstream counter proves the backend saw nothing.
// A listing broader than the grant is served filtered: each user sees exactly the keys and prefixes
// they may list, page by page, and nothing of the rest; a DeleteObjects batch across the grant deletes
// the keys the user may delete and reports AccessDenied for the others, as S3 reports a key's error.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createBucketDirect, directClient, startVersitygw, toolsDir, type Backend } from '../../testkit/backends.ts';
import { assertCanary } from '../../testkit/canary.ts';
import { startGateway, type RunningGateway } from '../../testkit/gateway.ts';
import { errorCode, send, signedRequest } from '../../testkit/raw-request.ts';
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
  let direct: ReturnType<typeof directClient>;
  /** Every key in the bucket, as the backend lists it to its own root key. */
  let directList: () => Promise<string[]>;

  before(async () => {
    versity = await startVersitygw({ accessKey: 'VERSITYROOTKEY', secretKey: 'versity-root-secret-0123456789' });
    // The canary first: the backend must reject a wrong secret, or nothing below proves anything.
    await assertCanary(versity);
    await createBucketDirect(versity, 'builds');
    direct = directClient(versity);
    // Hidden keys on every side of the visible ones, so that pages of two start, end and consist of them.
    const seeds = ['root.txt', 'shared/readme.txt', 'shared/z.txt', 'admin/secret.txt', 'team-b/b.txt', 'team-b/c.txt', 'team-c/x.txt'];
    for (let i = 0; i < 5; i++) seeds.push(`team-a/seed-${i}.txt`, `team-b/seed-${i}.txt`, `team-a0/seed-${i}.txt`);
    for (const key of seeds) {
      await direct.send(new PutObjectCommand({ Bucket: 'builds', Key: key, Body: `seed ${key}` }));
    }
    directList = async () => {
      const out = await direct.send(new ListObjectsV2Command({ Bucket: 'builds' }));
      return (out.Contents ?? []).map((o) => o.Key!);
    };
    gateway = await startGateway((p) => configYaml(versity, p));
  }, { timeout: 180_000 });
  after(async () => {
    direct?.destroy();
    await gateway?.stop();
    await versity?.stop();
  });
  dumpLogsOnFailure(() => (gateway ? [gateway.proc, { name: 'versitygw', logs: versity.logs }] : []));

  const upstream = () => gateway.upstreamRequests('versity');

  type Result = { ok: boolean; code?: string; status?: number; keys?: string[]; prefixes?: string[]; pages?: number; deleted?: string[]; errors?: [string, string][] };
  async function boto3(steps: (Record<string, unknown> & { as: Key })[], endpoint = gateway.endpoint): Promise<Result[]> {
    const python = path.join(toolsDir, 'venv', 'bin', 'python');
    const script = path.join(import.meta.dirname, 'scenarios', 'boto3_steps.py');
    const json = JSON.stringify(steps.map(({ as, ...s }) => ({ ...as, bucket: 'builds', ...s })));
    const { stdout } = await promisify(execFile)(python, [script, endpoint, json], { env: envWithoutAws() });
    return JSON.parse(stdout) as Result[];
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
    [{ as: KEYS.alice, op: 'list', prefix: 'team-b/' }, 'AccessDenied'], // another team's prefix
    [{ as: KEYS.alice, op: 'walk', api: 'v2', page_size: 2, prefix: 'team-b' }, 'AccessDenied'], // nothing under team-b* is granted
    [{ as: KEYS.alice, op: 'copy', key: 'team-a/stolen.txt', source: 'admin/secret.txt' }, 'AccessDenied'], // read on the source
    [{ as: KEYS.alice, op: 'copy', key: 'team-b/x.txt', source: 'shared/readme.txt' }, 'AccessDenied'], // write on the target
    [{ as: KEYS.alice, op: 'multipart', key: 'team-b/big.bin' }, 'AccessDenied'],
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
      ['s3', 'ls', 's3://builds/team-b/'],
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

  /** What `who`'s policy lets them list: the backend's keys under the visible prefixes. */
  async function visible(prefixes: string[]): Promise<string[]> {
    return (await directList()).filter((k) => prefixes.some((p) => k.startsWith(p))).sort();
  }

  it('boto3: a listing of the whole bucket walks exactly the visible keys, in pages of two (V1, V2, versions)', async () => {
    const root = { key_id: versity.accessKey, secret: versity.secretKey };
    for (const api of ['v2', 'v1', 'versions']) {
      // The backend's own walk, seen by its root key (versitygw repeats a page's last version in the
      // next page of an unversioned bucket; the gateway passes on what the backend lists, minus what is hidden).
      const [all] = await boto3([{ as: root, op: 'walk', api, page_size: 2 }], versity.endpoint);
      for (const [who, key, prefixes] of [['alice', KEYS.alice, ['shared/', 'team-a/']], ['bob', KEYS.bob, ['shared/', 'team-b/']]] as const) {
        const expected = all!.keys!.filter((k) => prefixes.some((p) => k.startsWith(p)));
        assert.ok(expected.length >= 7, `${api} ${who}: the seed is in place`);
        const [r] = await boto3([{ as: key, op: 'walk', api, page_size: 2 }]);
        assert.equal(r!.ok, true, `${api} ${who}: ${JSON.stringify(r)}`);
        assert.deepEqual(r!.keys, expected, `${api} ${who}`);
        // Pages follow the backend's, hidden keys included.
        assert.equal(r!.pages, all!.pages, `${api} ${who}`);
      }
      if (api !== 'versions') assert.deepEqual(all!.keys, await directList(), `${api}: each key once`);
    }
  });

  it('boto3: a delimited listing at the root shows only the prefixes the user may list', async () => {
    const [alice, bob, narrowed] = await boto3([
      { as: KEYS.alice, op: 'walk', api: 'v2', page_size: 1000, delimiter: '/' },
      { as: KEYS.bob, op: 'walk', api: 'v1', page_size: 2, delimiter: '/' },
      { as: KEYS.alice, op: 'walk', api: 'v2', page_size: 1000, delimiter: '/', prefix: 'team-' },
    ]);
    assert.deepEqual(alice, { ok: true, keys: [], prefixes: ['shared/', 'team-a/'], pages: 1 });
    assert.deepEqual({ ...bob, pages: 0 }, { ok: true, keys: [], prefixes: ['shared/', 'team-b/'], pages: 0 });
    // team-a0/ shares team-a's first letters but is not granted.
    assert.deepEqual(narrowed, { ok: true, keys: [], prefixes: ['team-a/'], pages: 1 });
  });

  it('aws-cli: ls of the bucket and ls --recursive show what the user may list, nothing else', async () => {
    const root = await aws(KEYS.alice, 's3', 'ls', 's3://builds/');
    assert.equal(root.code, 0, root.stderr);
    assert.deepEqual(root.stdout.trim().split('\n').map((l) => l.trim()), ['PRE shared/', 'PRE team-a/']);
    const all = await aws(KEYS.alice, 's3', 'ls', '--recursive', '--page-size', '3', 's3://builds/');
    assert.equal(all.code, 0, all.stderr);
    const keys = all.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).at(-1));
    assert.deepEqual(keys, await visible(['shared/', 'team-a/']));
    assert.doesNotMatch(all.stdout, /admin|team-b|team-c|team-a0|root\.txt/);
  });

  const seed = async (...keys: string[]) => {
    for (const key of keys) await direct.send(new PutObjectCommand({ Bucket: 'builds', Key: key, Body: `seed ${key}` }));
  };
  const gatewayS3 = (k: Key) => directClient({ endpoint: gateway.endpoint, accessKey: k.key_id, secretKey: k.secret });

  it('DeleteObjects across the grant: boto3 and the JS SDK delete the allowed keys, get AccessDenied for the rest, Quiet too', async () => {
    await seed('team-a/del-1', 'team-a/del-2', 'team-a/del-3', 'team-b/del-4', 'shared/del-5', 'team-a/q-1');
    const [mixed, quiet] = await boto3([
      { as: KEYS.alice, op: 'delete_objects', keys: ['team-a/del-1', 'team-b/del-4', 'shared/del-5', 'team-a/del-2'] },
      { as: KEYS.alice, op: 'delete_objects', keys: ['team-a/q-1', 'team-b/del-4'], quiet: true },
    ]);
    assert.deepEqual(mixed, { ok: true, deleted: ['team-a/del-1', 'team-a/del-2'], errors: [['team-b/del-4', 'AccessDenied'], ['shared/del-5', 'AccessDenied']] });
    // Quiet: the refusals are reported still (as S3 does); versitygw lists its deletions in Quiet mode too.
    assert.deepEqual({ ...quiet, deleted: [] }, { ok: true, deleted: [], errors: [['team-b/del-4', 'AccessDenied']] });
    assert.ok(quiet!.deleted!.every((k) => k === 'team-a/q-1'), JSON.stringify(quiet));
    // The JS SDK sends a CRC32 checksum, not Content-MD5: checked, then replaced for the backend.
    const js = gatewayS3(KEYS.alice);
    try {
      const out = await js.send(new DeleteObjectsCommand({ Bucket: 'builds', Delete: { Objects: [{ Key: 'team-b/del-4' }, { Key: 'team-a/del-3' }] } }));
      assert.deepEqual(out.Deleted?.map((d) => d.Key), ['team-a/del-3']);
      assert.deepEqual(out.Errors?.map((e) => [e.Key, e.Code]), [['team-b/del-4', 'AccessDenied']]);
    } finally {
      js.destroy();
    }
    const left = await directList();
    for (const gone of ['team-a/del-1', 'team-a/del-2', 'team-a/del-3', 'team-a/q-1']) assert.ok(!left.includes(gone), `${gone} deleted`);
    for (const kept of ['team-b/del-4', 'shared/del-5']) assert.ok(left.includes(kept), `${kept} kept`);
  });

  it('DeleteObjects: a batch of refused keys is answered without the backend; bob\'s batch in team-b works whole', async () => {
    await seed('team-b/del-6');
    const before = await upstream();
    const [refused] = await boto3([{ as: KEYS.alice, op: 'delete_objects', keys: ['team-b/del-6', 'admin/secret.txt'] }]);
    assert.deepEqual(refused, { ok: true, deleted: [], errors: [['team-b/del-6', 'AccessDenied'], ['admin/secret.txt', 'AccessDenied']] });
    assert.equal(await upstream(), before, 'the backend saw a batch with nothing allowed');
    // bob may delete in team-b/ only: also decided key by key, every key allowed.
    const [own] = await boto3([{ as: KEYS.bob, op: 'delete_objects', keys: ['team-b/del-6'] }]);
    assert.deepEqual(own, { ok: true, deleted: ['team-b/del-6'], errors: [] });
    assert.ok(!(await directList()).includes('team-b/del-6'));
  });

  it('DeleteObjects: a body other than the one signed, a wrong Content-MD5 or broken XML is refused and nothing is deleted', async () => {
    await seed('team-a/del-7');
    const body = (key: string) => Buffer.from(`<Delete><Object><Key>${key}</Key></Object></Delete>`);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const md5 = (b: Buffer) => createHash('md5').update(b).digest('base64');
    const attempt = async (signedBody: Buffer, sentBody: Buffer, headers: Record<string, string>) => {
      const req = await signedRequest(gateway.endpoint, { accessKeyId: KEYS.alice.key_id, secretAccessKey: KEYS.alice.secret }, 'POST', '/builds?delete', {
        headers: { 'content-length': String(sentBody.length), 'content-md5': md5(signedBody), 'x-amz-content-sha256': sha(signedBody), ...headers },
      });
      const res = await send(gateway.endpoint, { ...req, body: sentBody });
      return `${res.status} ${errorCode(res.body)}`;
    };
    const allowed = body('team-a/del-7');
    const other = body('team-a/del-8');
    assert.equal(await attempt(allowed, other, {}), '400 XAmzContentSHA256Mismatch');
    assert.equal(await attempt(allowed, other, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }), '400 BadDigest');
    const broken = Buffer.from('<Delete><Object><Key>team-a/del-7</Key></Object>');
    assert.equal(await attempt(broken, broken, {}), '400 MalformedXML');
    assert.ok((await directList()).includes('team-a/del-7'), 'nothing was deleted');
    // The same request with the body it signed goes through.
    const ok = await signedRequest(gateway.endpoint, { accessKeyId: KEYS.alice.key_id, secretAccessKey: KEYS.alice.secret }, 'POST', '/builds?delete', {
      headers: { 'content-length': String(allowed.length), 'content-md5': md5(allowed), 'x-amz-content-sha256': sha(allowed) },
    });
    const res = await send(gateway.endpoint, { ...ok, body: allowed });
    assert.equal(res.status, 200, res.body);
    assert.match(res.body, /<Deleted><Key>team-a\/del-7<\/Key>/);
    assert.ok(!(await directList()).includes('team-a/del-7'));
  });

  it('aws-cli: s3api delete-objects across the grant reports the refused key and deletes the allowed one', async () => {
    await seed('team-a/del-9', 'shared/del-10');
    const r = await aws(KEYS.alice, 's3api', 'delete-objects', '--bucket', 'builds', '--delete', 'Objects=[{Key=team-a/del-9},{Key=shared/del-10}]');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { Deleted?: { Key: string }[]; Errors?: { Key: string; Code: string }[] };
    assert.deepEqual(out.Deleted?.map((d) => d.Key), ['team-a/del-9']);
    assert.deepEqual(out.Errors?.map((e) => [e.Key, e.Code]), [['shared/del-10', 'AccessDenied']]);
    const left = await directList();
    assert.ok(!left.includes('team-a/del-9') && left.includes('shared/del-10'));
  });
});
