// `bucketgate start` never leaves a half-working endpoint: killed with SIGKILL it takes every child
// (Envoy, the services worker, the managed versitygw) with it and frees the port, and the next start
// removes its runtime directory; a second start on a busy port fails naming who holds the port; a
// reader that closes the launcher's stdout and stderr does not stop it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { assertCanary } from '../../testkit/canary.ts';
import { createBucketDirect, startVersitygw } from '../../testkit/backends.ts';
import { startFilesystemGateway } from '../../testkit/filesystem.ts';
import { descendants, isRunning, type ProcInfo } from '../../testkit/pids.ts';
import { freePorts } from '../../testkit/ports.ts';
import { envWithoutAws, formatLogs, startProcess, tcpProbe, trackTempDir, waitUntil } from '../../testkit/process.ts';
import { send, signedRequest } from '../../testkit/raw-request.ts';

const run = promisify(execFile);
const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'bucketgate.js');

function find(children: ProcInfo[], what: RegExp): ProcInfo {
  const found = children.find((c) => what.test(c.cmdline));
  assert.ok(found, `no child matching ${what} in:\n${children.map((c) => `${c.pid} ${c.cmdline}`).join('\n')}`);
  return found;
}

const ENVOY = /\benvoy -c /;

/** The runtime directories that the launcher `pid` made (their name carries its pid). */
function runtimeDirsOf(pid: number): string[] {
  return readdirSync(os.tmpdir()).filter((n) => n.startsWith(`bucketgate-${pid}-`)).map((n) => path.join(os.tmpdir(), n));
}

describe('the launcher never leaves a half-working endpoint', () => {
  it('SIGKILL of the launcher: every child ends within seconds, the port is free, the next start cleans up', async () => {
    const fs = await startFilesystemGateway(); // its canary: the managed versitygw refuses made-up credentials
    try {
      const launcher = fs.gateway.proc.pid;
      const children = descendants(launcher);
      for (const what of [ENVOY, /bucketgate\.js services-worker/, /versitygw .*posix/]) find(children, what);
      const [runDir] = runtimeDirsOf(launcher);
      assert.ok(runDir, 'the launcher has no runtime directory named after its pid');

      process.kill(launcher, 'SIGKILL');
      await waitUntil('every child of the killed launcher to end', async () => children.every((c) => !isRunning(c.pid)), { timeoutMs: 5000 });
      assert.equal(await tcpProbe('127.0.0.1', fs.gateway.port)(), false, 'something still listens on the port');

      // What an operator does next: start again on the same port; the dead launcher's directory goes.
      const again = startProcess({ name: 'restarted', command: process.execPath, args: [BIN, 'start', '--config', fs.gateway.configFile], env: envWithoutAws() });
      try {
        await waitUntil('the restarted gateway', tcpProbe('127.0.0.1', fs.gateway.port), { timeoutMs: 60_000, proc: again });
        assert.equal(existsSync(runDir), false, `${runDir} of the killed launcher is still there`);
        const listing = async () => (await fs.request('GET', '/files?list-type=2&max-keys=1')).status === 200;
        await waitUntil('the restarted gateway to serve', listing, { timeoutMs: 30_000, proc: again });
      } finally {
        await again.stop(8000);
      }
    } finally {
      await fs.stop();
    }
  });

  it('a second start on a busy port exits non-zero naming the holder; the first keeps serving', async () => {
    const fs = await startFilesystemGateway();
    try {
      const before = descendants(fs.gateway.proc.pid);
      const envoy = find(before, ENVOY);
      // A timeout, so that a second gateway that starts (and would serve forever) fails the test.
      const second = await run(process.execPath, [BIN, 'start', '--config', fs.gateway.configFile], { env: envWithoutAws(), timeout: 60_000 }).then(
        (r) => ({ code: 0, signal: null, ...r }),
        (e: { code: number | null; signal: string | null; stdout: string; stderr: string }) => e,
      );
      assert.equal(second.signal, null, `the second start was still running after 60 s:\n${second.stderr}`);
      assert.notEqual(second.code, 0, second.stderr);
      assert.match(second.stderr, new RegExp(`address 127\\.0\\.0\\.1:${fs.gateway.port} is in use by pid ${envoy.pid} \\(envoy\\)`));
      assert.deepEqual(descendants(fs.gateway.proc.pid).map((c) => c.pid).sort(), before.map((c) => c.pid).sort());
      await fs.waitServing(5000);
    } finally {
      await fs.stop();
    }
  });

  it('with its stdout and stderr closed by the reader, it keeps serving and logging to --log-file', async () => {
    const backend = await startVersitygw({ accessKey: 'lifecycle-admin', secretKey: 'lifecycle-secret-0123456789' });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-lifecycle-'));
    const tmp = trackTempDir(dir);
    try {
      await assertCanary(backend);
      await createBucketDirect(backend, 'things');
      const [port] = await freePorts(1);
      const user = { accessKeyId: 'AKIALIFECYCLE0000001', secretAccessKey: 'lifecycle-user-secret' };
      const configFile = path.join(dir, 'bucketgate.yaml');
      writeFileSync(
        configFile,
        `listen: { address: 127.0.0.1, port: ${port} }
backends:
  - { name: b, type: s3, endpoint: ${backend.endpoint}, credentials: { access_key_id: ${backend.accessKey}, secret_access_key: ${backend.secretKey} } }
buckets: { things: { backend: b } }
users: [ { name: u, access_keys: [ { access_key_id: ${user.accessKeyId}, secret_access_key: ${user.secretAccessKey} } ], buckets: "*" } ]
`,
      );
      const logFile = path.join(dir, 'gateway.log');
      const logged = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
      // As `bucketgate start 2>&1 | head -n 1`: the reader is gone after the first line.
      const gw = startProcess({
        name: 'closed-output',
        command: process.execPath,
        args: [BIN, 'start', '--config', configFile, '--log-file', logFile],
        env: envWithoutAws(),
        closeOutputAfterLines: 1,
      });
      try {
        const endpoint = `http://127.0.0.1:${port}`;
        const listStatus = async () => (await send(endpoint, await signedRequest(endpoint, user, 'GET', '/things?list-type=2'))).status;
        await waitUntil('the gateway to log that it listens', async () => logged().includes(`listening on ${endpoint}`), { timeoutMs: 60_000, proc: gw });
        assert.equal(await listStatus(), 200);
        assert.equal(gw.logs().length, 1, formatLogs(gw));

        // More output after the close: the services worker is killed, and the launcher logs its restart.
        const worker = Number(/worker (\d+) serving/.exec(logged())?.[1]);
        process.kill(worker, 'SIGKILL');
        await waitUntil('a restarted worker', async () => logged().match(/worker \d+ serving/g)!.length === 2, { timeoutMs: 30_000, proc: gw });
        assert.match(logged(), new RegExp(`worker ${worker} exited \\(SIGKILL\\); restarting`));
        await waitUntil('the gateway to serve again', async () => (await listStatus()) === 200, { timeoutMs: 30_000, proc: gw });
        assert.equal(gw.exitStatus(), null, logged());
      } finally {
        await gw.stop(8000);
      }
    } finally {
      tmp.remove();
      await backend.stop();
    }
  });
});
