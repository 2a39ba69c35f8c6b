// Filesystem backends: a managed versitygw (posix) per backend on loopback, with credentials made
// at start and never shown, restarted if it dies. Objects stay plain files under the backend's path.
// While one restarts, Envoy cannot connect and answers 503 ServiceUnavailable (S3 XML), not a hang.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BackendConfig, GatewayConfig } from '../core/config/types.ts';
import { SigningKeyCache } from '../core/sigv4/signing-key.ts';
import { toolsDir } from './tools.ts';
import { SignedBackendClient } from '../backends/signed-client.ts';
import { startChild, type ManagedChild } from './child.ts';
import { log } from './log.ts';
import { freePort, waitForPort } from './ports.ts';

export const VERSITYGW_HINT = 'Install it with `bash scripts/install-tools.sh` (go install github.com/versity/versitygw/cmd/versitygw@v1.7.0).';

/** versitygw keeps metadata in user xattrs; where the filesystem has none, in a sidecar directory. */
function supportsXattrs(dir: string): boolean {
  const probe = path.join(dir, `.bucketgate-xattr-probe-${process.pid}`);
  writeFileSync(probe, '');
  try {
    const py = spawnSync('python3', ['-c', 'import os,sys; os.setxattr(sys.argv[1], "user.bucketgate", b"1")', probe]);
    return py.status === 0;
  } finally {
    rmSync(probe, { force: true });
  }
}

async function waitForVersitygw(port: number): Promise<void> {
  if (!(await waitForPort('127.0.0.1', port, 30_000))) throw new Error(`versitygw did not listen on 127.0.0.1:${port}`);
}

/** Creates a configured bucket's directory the S3 way (so versitygw records its owner) if missing. */
async function ensureBucket(backend: BackendConfig, bucket: string): Promise<void> {
  if (existsSync(path.join(backend.filesystem!.path, bucket))) return;
  const res = await new SignedBackendClient(backend, new SigningKeyCache()).request({ method: 'PUT', path: `/${bucket}` });
  if (!res.ok) throw new Error(`creating bucket ${bucket} on ${backend.name}: ${res.status} ${(await res.text()).slice(0, 200)}`);
}

interface Supervised {
  stop(): Promise<void>;
}

/** Runs versitygw for one filesystem backend and restarts it whenever it exits unasked. */
async function superviseVersitygw(b: BackendConfig, bin: string): Promise<Supervised> {
  const dataDir = b.filesystem!.path;
  const stateDir = path.join(path.dirname(dataDir), '.bucketgate', 'backends', b.name);
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(path.join(stateDir, 'iam'), { recursive: true, mode: 0o700 });
  const posix = ['posix'];
  if (!supportsXattrs(dataDir)) {
    mkdirSync(path.join(stateDir, 'sidecar'), { recursive: true });
    posix.push('--sidecar', path.join(stateDir, 'sidecar'));
    log('gateway', `${b.name}: ${dataDir} has no user xattrs; object metadata goes to ${path.join(stateDir, 'sidecar')}`);
  }
  // No --keep-alive: with it, versitygw 1.7 once failed to parse a 0-byte aws-chunked PUT (400 BadRequest).
  const args = ['-q', '--port', `127.0.0.1:${b.endpoint.port}`, '--iam-dir', path.join(stateDir, 'iam'), ...posix, dataDir];
  const env = { ...process.env, ROOT_ACCESS_KEY: b.credentials.accessKeyId, ROOT_SECRET_KEY: b.credentials.secretAccessKey };
  let child: ManagedChild;
  let stopping = false;
  let restarts = 0;
  const start = () => {
    child = startChild(`versitygw:${b.name}`, bin, args, { env });
    void child.exited.then((code) => {
      if (stopping) return;
      const delay = Math.min(5000, 100 * 2 ** restarts++);
      log('gateway', `${b.name}: versitygw exited (code ${code}); restarting in ${delay} ms`);
      setTimeout(() => {
        if (stopping) return;
        start();
        void waitForPort('127.0.0.1', b.endpoint.port, 30_000).then((up) => {
          if (up) restarts = 0;
        });
      }, delay);
    });
  };
  start();
  await waitForVersitygw(b.endpoint.port);
  return {
    async stop() {
      stopping = true;
      await child.stop();
    },
  };
}

export interface ManagedBackends {
  /** The config with every filesystem backend's endpoint and credentials filled in. */
  config: GatewayConfig;
  stop(): Promise<void>;
}

export async function startManagedBackends(config: GatewayConfig): Promise<ManagedBackends> {
  const wanted = config.backends.filter((b) => b.type === 'filesystem');
  if (wanted.length === 0) return { config, stop: async () => {} };
  const bin = path.join(toolsDir(), 'bin', 'versitygw');
  if (!existsSync(bin)) throw new Error(`versitygw was not found at ${bin}. ${VERSITYGW_HINT}`);
  const running: Supervised[] = [];
  const backends = await Promise.all(
    config.backends.map(async (b): Promise<BackendConfig> => {
      if (b.type !== 'filesystem') return b;
      const secret = randomBytes(30).toString('base64url');
      return { ...b, endpoint: { ...b.endpoint, port: await freePort() }, credentials: { accessKeyId: `bg-${b.name}`, secretAccessKey: secret } };
    }),
  );
  const stop = async () => {
    await Promise.all(running.map((r) => r.stop()));
  };
  try {
    for (const b of backends.filter((x) => x.type === 'filesystem')) {
      running.push(await superviseVersitygw(b, bin));
      for (const bucket of config.buckets.filter((k) => k.backend === b.name)) await ensureBucket(b, bucket.realName);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { config: { ...config, backends }, stop };
}
