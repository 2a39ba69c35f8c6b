// `bucketgate start` as an operator meets it: the quickstart with no config (aws-cli against it),
// a clear message when Envoy is missing or the config has no users, a clean stop on SIGTERM, and
// the whole gateway going down when Envoy dies rather than half-working.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { toolsDir } from '../../testkit/backends.ts';
import { freePorts } from '../../testkit/ports.ts';
import { envWithoutAws, formatLogs, startProcess, tcpProbe, trackTempDir, waitUntil, type ManagedProcess } from '../../testkit/process.ts';

const run = promisify(execFile);
const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'bucketgate.js');
const AWS = path.join(toolsDir, 'venv', 'bin', 'aws');

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-launch-'));
  const t = trackTempDir(dir);
  after(() => t.remove());
  return dir;
}

function exitOf(proc: ManagedProcess, timeoutMs: number): Promise<string> {
  return waitUntil(`${proc.name} to exit`, async () => proc.exitStatus() !== null, { timeoutMs }).then(() => proc.exitStatus()!);
}

function gatewayConfig(port: number, backendPort: number, users = true): string {
  return `listen: { address: 127.0.0.1, port: ${port} }
backends:
  - { name: b, type: s3, endpoint: http://127.0.0.1:${backendPort}, credentials: { access_key_id: K, secret_access_key: S } }
buckets: { things: { backend: b } }
${users ? 'users: [ { name: u, access_keys: [ { access_key_id: AKIAUSER000001, secret_access_key: s } ], buckets: "*" } ]' : ''}
`;
}

describe('bucketgate start', () => {
  it('with no config: the quickstart serves ./data with generated credentials, printed once, reused after', async () => {
    const cwd = tempDir();
    const [port] = await freePorts(1);
    const start = () =>
      startProcess({ name: 'quickstart', command: process.execPath, args: [BIN, 'start'], cwd, env: envWithoutAws({ BUCKETGATE_PORT: String(port) }) });
    const gw = start();
    try {
      await waitUntil('quickstart listener', tcpProbe('127.0.0.1', port!), { timeoutMs: 60_000, proc: gw });
      const line = gw.logs().find((l) => l.includes('AWS_ACCESS_KEY_ID='));
      assert.ok(line, `no credentials printed:\n${formatLogs(gw)}`);
      const env = Object.fromEntries([...line.matchAll(/(AWS_\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
      const creds = path.join(cwd, '.bucketgate', 'credentials.json');
      assert.equal(statSync(creds).mode & 0o777, 0o600);
      const file = path.join(cwd, 'hello.txt');
      writeFileSync(file, 'hello quickstart\n');
      const awsEnv = envWithoutAws({ ...env, AWS_DEFAULT_REGION: 'us-east-1' });
      const endpoint = `http://127.0.0.1:${port}`;
      await run(AWS, ['--endpoint-url', endpoint, 's3', 'cp', file, 's3://default/dir/hello.txt'], { env: awsEnv });
      assert.equal(readFileSync(path.join(cwd, 'data', 'default', 'dir', 'hello.txt'), 'utf8'), 'hello quickstart\n');
      const { stdout } = await run(AWS, ['--endpoint-url', endpoint, 's3', 'cp', 's3://default/dir/hello.txt', '-'], { env: awsEnv });
      assert.equal(stdout, 'hello quickstart\n');
      await assert.rejects(run(AWS, ['--endpoint-url', endpoint, 's3', 'ls', 's3://default/'], { env: envWithoutAws({ ...awsEnv, AWS_SECRET_ACCESS_KEY: 'wrong' }) }));
      assert.equal(await (gw.stop(), exitOf(gw, 15_000)), 'exit code 0');

      const again = start();
      try {
        await waitUntil('second quickstart', tcpProbe('127.0.0.1', port!), { timeoutMs: 60_000, proc: again });
        assert.ok(!again.logs().some((l) => l.includes('AWS_SECRET_ACCESS_KEY=')), 'the secret was printed again');
        const { stdout: again2 } = await run(AWS, ['--endpoint-url', endpoint, 's3', 'cp', 's3://default/dir/hello.txt', '-'], { env: awsEnv });
        assert.equal(again2, 'hello quickstart\n');
      } finally {
        await again.stop();
      }
    } finally {
      await gw.stop();
    }
  });

  it('when Envoy cannot be found, says exactly how to install it and exits non-zero', async () => {
    const dir = tempDir();
    const [port, bport] = await freePorts(2);
    writeFileSync(path.join(dir, 'c.yaml'), gatewayConfig(port!, bport!));
    const err = await run(process.execPath, [BIN, 'start', '--config', path.join(dir, 'c.yaml')], { env: { ...process.env, ENVOY_BIN: '/nonexistent/envoy' } }).catch((e) => e);
    assert.equal(err.code, 2);
    assert.match(err.stderr, /Envoy was not found\. Install it with `bash scripts\/install-tools\.sh`/);
  });

  it('config lint: every problem with its line and path, non-zero exit; a good config is ok', async () => {
    const dir = tempDir();
    const [port, bport] = await freePorts(2);
    writeFileSync(path.join(dir, 'good.yaml'), gatewayConfig(port!, bport!));
    const ok = await run(process.execPath, [BIN, 'config', 'lint', path.join(dir, 'good.yaml')]);
    assert.match(ok.stdout, /good\.yaml: ok/);
    writeFileSync(path.join(dir, 'bad.yaml'), `${gatewayConfig(port!, bport!).replace('type: s3', 'type: s4')}default_backend: nope\nextra: 1\n`);
    const err = await run(process.execPath, [BIN, 'config', 'lint', path.join(dir, 'bad.yaml')]).catch((e) => e);
    assert.equal(err.code, 1);
    assert.match(err.stderr, /bad\.yaml:3 \/backends\/0\/type: /);
    assert.match(err.stderr, /bad\.yaml:7 \/extra: /);
  });

  it('refuses to start with no users unless open_access is set', async () => {
    const dir = tempDir();
    const [port, bport] = await freePorts(2);
    writeFileSync(path.join(dir, 'c.yaml'), gatewayConfig(port!, bport!, false));
    const err = await run(process.execPath, [BIN, 'start', '--config', path.join(dir, 'c.yaml')]).catch((e) => e);
    assert.equal(err.code, 1);
    assert.match(err.stderr, /open_access/);
  });

  it('stops cleanly on SIGTERM, and goes down with a clear message when Envoy dies', async () => {
    const dir = tempDir();
    for (const scenario of ['sigterm', 'envoy-dies'] as const) {
      const [port, bport] = await freePorts(2);
      writeFileSync(path.join(dir, `${scenario}.yaml`), gatewayConfig(port!, bport!));
      const gw = startProcess({ name: scenario, command: process.execPath, args: [BIN, 'start', '--config', path.join(dir, `${scenario}.yaml`)] });
      try {
        await waitUntil('listener', tcpProbe('127.0.0.1', port!), { timeoutMs: 60_000, proc: gw });
        if (scenario === 'sigterm') {
          void gw.stop(15_000);
          assert.equal(await exitOf(gw, 15_000), 'exit code 0');
        } else {
          const { stdout } = await run('pgrep', ['-P', String(gw.pid), '-f', 'envoy']);
          process.kill(Number(stdout.trim().split('\n')[0]), 'SIGKILL');
          assert.equal(await exitOf(gw, 15_000), 'exit code 1');
          assert.ok(gw.logs().some((l) => /envoy exited unexpectedly .*stopping the gateway/.test(l)), formatLogs(gw));
        }
        // Nothing is left listening.
        assert.equal(await tcpProbe('127.0.0.1', port!)(), false);
      } finally {
        await gw.stop();
      }
    }
  });
});
