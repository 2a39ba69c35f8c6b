// aws-cli (v1 from PyPI in the tools venv, v2 from Debian's `awscli`): the high-level `s3` commands
// (mb, ls, cp up and down with a multipart upload, sync both ways, presign, rm --recursive, rb --force)
// and `s3api` (head-object, ranged get-object, copy-object, put-object, list-objects-v2), each checked
// against the backend itself. TLS is trusted through --ca-bundle only; virtual-host names resolve through
// python/sitecustomize.py (botocore has no resolver option).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { toolsDir } from '../../../testkit/backends.ts';
import { SCRATCH_BUCKET, type ClientTarget } from './client-world.ts';
import { mustFail, mustRun } from './cli.ts';
import { ensureFile } from './installed.ts';
import { pythonClientEnv } from './python-env.ts';
import { Steps } from './steps.ts';
import {
  MiB, assertFile, backendKeys, checkPresignedGet, expectOnBackend, md5hex, scratchBucketExists,
  treeDigest, writeRandom,
} from './verify.ts';

export const AWS_CLI = {
  // A preinstalled aws-cli shim comes first on PATH: always call these by path.
  v1: path.join(toolsDir, 'venv', 'bin', 'aws'),
  v2: '/usr/bin/aws',
};

export function ensureAwsCli(version: keyof typeof AWS_CLI): void {
  ensureFile(AWS_CLI[version], `aws-cli ${version}`);
}

function awsConfig(t: ClientTarget): string {
  const file = path.join(t.dir, 'aws-config');
  writeFileSync(file, [
    '[default]',
    `region = ${t.region}`,
    'output = json',
    's3 =',
    `  addressing_style = ${t.spec.style}`,
    '  signature_version = s3v4',
    '  multipart_threshold = 5MB',
    '  multipart_chunksize = 5MB',
    '',
  ].join('\n'));
  return file;
}

function awsEnv(t: ClientTarget): NodeJS.ProcessEnv {
  return pythonClientEnv(t, {
    AWS_ACCESS_KEY_ID: t.accessKeyId,
    AWS_SECRET_ACCESS_KEY: t.secretAccessKey,
    AWS_CONFIG_FILE: awsConfig(t),
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
  });
}

/** `s3 ls` without --ca-bundle: must fail certificate verification. */
export function awsCliWithoutCa(version: keyof typeof AWS_CLI, t: ClientTarget): Promise<string> {
  return mustFail(AWS_CLI[version], ['--endpoint-url', t.endpoint, 's3', 'ls', `s3://${t.bucket}`], { env: awsEnv(t), cwd: t.dir });
}

export async function awsCliScenario(version: keyof typeof AWS_CLI, t: ClientTarget, tc: TestContext): Promise<void> {
  const env = awsEnv(t);
  const common = ['--endpoint-url', t.endpoint, ...(t.caFile ? ['--ca-bundle', t.caFile] : [])];
  const aws = (...args: string[]) => mustRun(AWS_CLI[version], [...common, ...args], { env, cwd: t.dir });
  const json = async (...args: string[]): Promise<Record<string, unknown>> => JSON.parse((await aws(...args)).stdout) as Record<string, unknown>;

  const { bucket: B, prefix: P, dir } = t;
  const s3url = (key = ''): string => `s3://${B}/${P}${key}`;
  const local = (rel: string): string => path.join(dir, rel);
  const small = writeRandom(dir, 'small.txt', 1000);
  const spaced = writeRandom(dir, 'with space+plus.bin', 2048);
  const big = writeRandom(dir, 'big.bin', 12 * MiB);
  const tree = { 'a/1.txt': writeRandom(dir, 'tree/a/1.txt', 100), 'a/2.txt': writeRandom(dir, 'tree/a/2.txt', 200), 'b/3.bin': writeRandom(dir, 'tree/b/3.bin', 300 * 1024) };
  const steps = new Steps(tc);

  await steps.run('s3 mb (on the default backend)', async () => {
    await aws('s3', 'mb', `s3://${SCRATCH_BUCKET}`);
    assert.ok(await scratchBucketExists(t.defaultBackend), `${SCRATCH_BUCKET} not created`);
  });
  await steps.run('s3 ls (ListBuckets)', async () => {
    const out = (await aws('s3', 'ls')).stdout;
    assert.match(out, new RegExp(`\\s${B}\\n`), `bucket ${B} not listed:\n${out}`);
  });
  await steps.run('s3 cp upload (single PUT)', async () => {
    await aws('s3', 'cp', local('small.txt'), s3url('small.txt'));
    await expectOnBackend(t, `${P}small.txt`, small);
  });
  await steps.run('s3 cp upload, key with space and +', async () => {
    await aws('s3', 'cp', local('with space+plus.bin'), s3url('dir/with space+plus.bin'));
    await expectOnBackend(t, `${P}dir/with space+plus.bin`, spaced);
  });
  await steps.run('s3 cp upload 12 MiB (multipart, 3 parts)', async () => {
    await aws('s3', 'cp', local('big.bin'), s3url('big.bin'));
    await expectOnBackend(t, `${P}big.bin`, big);
    const head = await json('s3api', 'head-object', '--bucket', B, '--key', `${P}big.bin`);
    assert.equal(head.ContentLength, big.length);
    assert.match(String(head.ETag), /-3"$/, `not a 3-part multipart ETag: ${String(head.ETag)}`);
  });
  await steps.run('s3 cp download 12 MiB', async () => {
    await aws('s3', 'cp', s3url('big.bin'), local('down/big.bin'));
    assertFile(local('down/big.bin'), big);
  });
  await steps.run('s3 sync up, down, and again (nothing to do)', async () => {
    await aws('s3', 'sync', local('tree'), s3url('tree/'));
    assert.deepEqual(await backendKeys(t, `${P}tree/`), Object.keys(tree).map((k) => `${P}tree/${k}`).sort());
    await aws('s3', 'sync', s3url('tree/'), local('down/tree'));
    assert.deepEqual(treeDigest(local('down/tree')), treeDigest(local('tree')));
    const again = await aws('s3', 'sync', local('tree'), s3url('tree/'));
    assert.equal(again.stdout.trim(), '', `a second sync should transfer nothing:\n${again.stdout}`);
  });
  await steps.run('s3api get-object --range bytes=100-199', async () => {
    const res = await json('s3api', 'get-object', '--bucket', B, '--key', `${P}small.txt`, '--range', 'bytes=100-199', local('range.bin'));
    assert.equal(res.ContentRange, 'bytes 100-199/1000');
    assertFile(local('range.bin'), small.subarray(100, 200));
  });
  await steps.run('s3api copy-object', async () => {
    await json('s3api', 'copy-object', '--bucket', B, '--key', `${P}copy.txt`, '--copy-source', `${B}/${P}small.txt`);
    await expectOnBackend(t, `${P}copy.txt`, small);
  });
  await steps.run('s3api put-object', async () => {
    const res = await json('s3api', 'put-object', '--bucket', B, '--key', `${P}api.bin`, '--body', local('small.txt'));
    assert.equal(res.ETag, `"${md5hex(small)}"`);
    await expectOnBackend(t, `${P}api.bin`, small);
  });
  await steps.run('s3api list-objects-v2 --delimiter /', async () => {
    const res = await json('s3api', 'list-objects-v2', '--bucket', B, '--prefix', P, '--delimiter', '/');
    assert.deepEqual((res.CommonPrefixes as Array<{ Prefix: string }>).map((c) => c.Prefix), [`${P}dir/`, `${P}tree/`]);
    assert.deepEqual((res.Contents as Array<{ Key: string }>).map((c) => c.Key), ['api.bin', 'big.bin', 'copy.txt', 'small.txt'].map((k) => P + k));
  });
  await steps.run('s3 presign (SigV4) → GET', async () => {
    const url = (await aws('s3', 'presign', s3url('small.txt'), '--expires-in', '300')).stdout.trim();
    await checkPresignedGet(t, url, small);
  });
  await steps.run('s3 rb --force (scratch bucket with an object)', async () => {
    await aws('s3', 'cp', local('small.txt'), `s3://${SCRATCH_BUCKET}/x.txt`);
    await aws('s3', 'rb', '--force', `s3://${SCRATCH_BUCKET}`);
    assert.equal(await scratchBucketExists(t.defaultBackend), false, `${SCRATCH_BUCKET} still exists`);
  });
  await steps.run('s3 rm --recursive', async () => {
    await aws('s3', 'rm', '--recursive', s3url());
    assert.deepEqual(await backendKeys(t), []);
  });
  steps.assertAllPassed();
}
