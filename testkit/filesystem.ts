// A gateway on a `type: filesystem` backend: the real `bucketgate start` runs its own managed
// versitygw on a data dir in a temp root the test owns (with a sibling dir outside the data dir for
// containment checks). Gives the managed versitygw's pid and port (found from the process table,
// since its credentials are never shown), a canary for it, SIGKILL, and a paced raw PUT.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startGateway, type RunningGateway } from './gateway.ts';
import { after, before } from 'node:test';
import { dumpLogsOnFailure, trackTempDir, waitUntil } from './process.ts';
import { errorCode, send, signedRequest, type Creds, type RawRequest, type RawResponse } from './raw-request.ts';
import { BACKEND_CAPS, type Target } from './target.ts';

const run = promisify(execFile);

export const FS_BUCKET = 'files';
export const FS_USER: Creds = { accessKeyId: 'AKIAFSUSER0000000001', secretAccessKey: 'fs-user-secret-0123456789abcdef' };

export interface ManagedVersitygw {
  pid: number;
  port: number;
}

export interface FsGateway {
  gateway: RunningGateway;
  endpoint: string;
  /** The backend's configured path. */
  dataDir: string;
  /** <dataDir>/files */
  bucketDir: string;
  /** A directory beside (not under) the data dir, for things that must never be reached. */
  outsideDir: string;
  /** The managed versitygw that is running now (waits for one, bounded, e.g. while it restarts). */
  versitygw(timeoutMs?: number): Promise<ManagedVersitygw>;
  /** SIGKILLs the managed versitygw; returns the pid killed. */
  killVersitygw(): Promise<number>;
  /** Polls a signed ListObjectsV2 of the bucket until it answers 200. */
  waitServing(timeoutMs: number): Promise<void>;
  /** A signed request for `rawPath` sent as is (nothing resolved or encoded). */
  request(method: string, rawPath: string, opts?: { headers?: Record<string, string>; body?: Buffer }): Promise<RawResponse>;
  /** The scenario target for the bucket, with versitygw's caps less what the gateway makes up for. */
  target(): Target;
  stop(): Promise<void>;
}

// versitygw v1.7.0 behind the gateway: as found straight against it, except that the gateway applies
// encoding-type=url itself (see gateway-clients.test.ts).
const CAPS = { ...BACKEND_CAPS.versitygw, listEncodingTypeUrl: true };

function configYaml(dataDir: string, ports: { port: number; adminPort: number }): string {
  return `listen: { address: 127.0.0.1, port: ${ports.port} }
backends:
  - { name: local, type: filesystem, path: ${JSON.stringify(dataDir)} }
buckets:
  ${FS_BUCKET}: { backend: local }
default_backend: local
users:
  - name: fsuser
    access_keys: [ { access_key_id: ${FS_USER.accessKeyId}, secret_access_key: ${FS_USER.secretAccessKey} } ]
    buckets: "*"
envoy: { admin_port: ${ports.adminPort} }
services: { workers: 1 }
`;
}

/** The versitygw children of the launcher `pid` (none while one restarts). */
async function versitygwChildren(launcherPid: number): Promise<ManagedVersitygw[]> {
  const { stdout } = await run('pgrep', ['-P', String(launcherPid), '-f', 'versitygw']).catch(() => ({ stdout: '' }));
  const found: ManagedVersitygw[] = [];
  for (const pid of stdout.split('\n').filter(Boolean).map(Number)) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const port = /^127\.0\.0\.1:(\d+)$/.exec(argv[argv.indexOf('--port') + 1] ?? '')?.[1];
      if (port) found.push({ pid, port: Number(port) });
    } catch {
      // exited between pgrep and the read
    }
  }
  return found;
}

/**
 * The canary for a backend whose credentials are never shown: straight to its port, an unknown access
 * key and the real access key name (`bg-<backend>`) with a made-up secret must both get 403.
 */
export async function assertManagedCanary(vgw: ManagedVersitygw): Promise<void> {
  const direct = `http://127.0.0.1:${vgw.port}`;
  const cases: Array<[Creds, string]> = [
    [{ accessKeyId: 'AKIAMADEUP000000001', secretAccessKey: 'made-up-secret' }, 'InvalidAccessKeyId'],
    [{ accessKeyId: 'bg-local', secretAccessKey: 'made-up-secret' }, 'SignatureDoesNotMatch'],
  ];
  for (const [creds, code] of cases) {
    for (const p of ['/', `/${FS_BUCKET}?list-type=2`]) {
      const res = await send(direct, await signedRequest(direct, creds, 'GET', p));
      assert.equal(res.status, 403, `canary: GET ${p} straight to the managed versitygw as ${creds.accessKeyId}: ${res.body}`);
      assert.equal(errorCode(res.body), code, res.body);
    }
  }
}

export async function startFilesystemGateway(): Promise<FsGateway> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'bg-fs-'));
  const tmp = trackTempDir(root);
  const dataDir = path.join(root, 'data');
  const outsideDir = path.join(root, 'outside');
  mkdirSync(outsideDir);
  let gateway: RunningGateway;
  try {
    gateway = await startGateway((p) => configYaml(dataDir, p));
  } catch (e) {
    tmp.remove();
    throw e;
  }
  const endpoint = gateway.endpoint;
  const request: FsGateway['request'] = async (method, rawPath, opts = {}) => {
    const req: RawRequest = await signedRequest(endpoint, FS_USER, method, rawPath, { headers: opts.headers ?? {} });
    return send(endpoint, { ...req, body: opts.body });
  };
  const versitygw = async (timeoutMs = 30_000): Promise<ManagedVersitygw> => {
    let found: ManagedVersitygw[] = [];
    await waitUntil('a managed versitygw child of the gateway', async () => {
      found = await versitygwChildren(gateway.proc.pid);
      return found.length > 0;
    }, { timeoutMs, proc: gateway.proc });
    assert.equal(found.length, 1, `one managed versitygw expected, found ${JSON.stringify(found)}`);
    return found[0]!;
  };
  const fs: FsGateway = {
    gateway,
    endpoint,
    dataDir,
    bucketDir: path.join(dataDir, FS_BUCKET),
    outsideDir,
    versitygw,
    async killVersitygw() {
      const { pid } = await versitygw();
      process.kill(pid, 'SIGKILL');
      return pid;
    },
    waitServing: (timeoutMs) =>
      waitUntil('the gateway to serve the filesystem bucket again', async () => {
        return (await request('GET', `/${FS_BUCKET}?list-type=2&max-keys=1`)).status === 200;
      }, { timeoutMs, proc: gateway.proc }),
    request,
    target: () => ({
      endpoint,
      accessKeyId: FS_USER.accessKeyId,
      secretAccessKey: FS_USER.secretAccessKey,
      region: 'us-east-1',
      bucket: FS_BUCKET,
      forcePathStyle: true,
      caps: CAPS,
    }),
    async stop() {
      await gateway.stop();
      tmp.remove();
    },
  };
  try {
    await assertManagedCanary(await versitygw());
  } catch (e) {
    await fs.stop();
    throw e;
  }
  return fs;
}

export interface PacedResult {
  /** 0: no HTTP answer (connection error or timeout, see `error`). */
  status: number;
  body: string;
  error?: string;
}

/**
 * A signed PUT whose body is written in `chunk`-byte pieces `delayMs` apart, so that it is still in
 * flight when something else happens. Never rejects; never waits longer than `timeoutMs`.
 */
export async function pacedPut(
  endpoint: string,
  creds: Creds,
  rawPath: string,
  body: Buffer,
  headers: Record<string, string>,
  o: { chunk: number; delayMs: number; timeoutMs: number },
): Promise<PacedResult> {
  const req = await signedRequest(endpoint, creds, 'PUT', rawPath, { headers: { ...headers, 'content-length': String(body.length) } });
  const url = new URL(endpoint);
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: PacedResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const r = http.request({ host: url.hostname, port: url.port, method: 'PUT', path: rawPath, headers: req.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => finish({ status: 0, body: '', error: `response: ${e.message}` }));
    });
    const timer = setTimeout(() => r.destroy(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
    r.on('error', (e) => finish({ status: 0, body: '', error: e.message }));
    void (async () => {
      for (let off = 0; off < body.length && !done && !r.destroyed; off += o.chunk) {
        r.write(body.subarray(off, off + o.chunk));
        await new Promise((res) => setTimeout(res, o.delayMs));
      }
      if (!r.destroyed) r.end();
    })();
  });
}

/**
 * A filesystem gateway for the enclosing describe(): started before its tests, stopped after them,
 * the gateway's recent logs printed if a test failed. Returns it for the tests to use.
 */
export function useFilesystemGateway(): () => FsGateway {
  let fs: FsGateway | undefined;
  before(async () => {
    fs = await startFilesystemGateway();
  }, { timeout: 120_000 });
  after(async () => {
    await fs?.stop();
  });
  dumpLogsOnFailure(() => (fs ? [fs.gateway.proc] : []));
  return () => fs ?? assert.fail('the gateway did not start');
}
