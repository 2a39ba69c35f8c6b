// Real S3 backends for end-to-end tests (see shared TEST-STACK.md): versitygw (posix) and SeaweedFS
// (`weed mini`) and MinIO, each on free loopback ports, with authentication on, in a temp dir removed on stop.
import { mkdtempSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { freePort, freePorts, freePortPair } from './ports.ts';
import { startProcess, trackTempDir, waitUntil, httpProbe, envWithoutAws } from './process.ts';

export const toolsDir = process.env.BUCKETGATE_TOOLS ?? path.join(os.homedir(), '.cache', 'bucketgate', 'tools');

export interface BackendCreds {
  accessKey: string;
  secretKey: string;
}

export interface Backend extends BackendCreds {
  name: string;
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** Where the backend keeps its objects (versitygw: plain files DATA/<bucket>/<key>). */
  dataDir: string;
  /** The backend's recent log lines (for failure reports). */
  logs(): string[];
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

function tool(rel: string): string {
  const p = path.join(toolsDir, rel);
  if (!existsSync(p)) throw new Error(`${p} is missing: run scripts/install-tools.sh --test (tools dir: ${toolsDir})`);
  return p;
}

/** A fresh temp dir (under os.tmpdir()) removed by `remove()`, or at process exit at the latest. */
function tempRoot(name: string): { root: string; remove(): void } {
  const root = mkdtempSync(path.join(os.tmpdir(), `bg-${name}-`));
  return { root, ...trackTempDir(root) };
}

interface LaunchSpec {
  name: string;
  bin: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  tmp: { root: string; remove(): void };
  dataDir: string;
  /** The S3 port. */
  port: number;
  stopGraceMs: number;
}

/** Starts the server, waits until its S3 port answers any HTTP request, and wraps it as a Backend. */
async function launch(spec: LaunchSpec, creds: BackendCreds): Promise<Backend> {
  const proc = startProcess({ name: spec.name, command: spec.bin, args: spec.args, env: spec.env, cwd: spec.tmp.root });
  const endpoint = `http://127.0.0.1:${spec.port}`;
  const stop = async (): Promise<void> => { await proc.stop(spec.stopGraceMs); spec.tmp.remove(); };
  try {
    // Unsigned GET / → 403 AccessDenied once the S3 API is up; any status proves it answers.
    await waitUntil(`${spec.name} on ${endpoint}`, httpProbe(`${endpoint}/`), { timeoutMs: READY_TIMEOUT_MS, proc });
  } catch (err) {
    await stop();
    throw err;
  }
  return { name: spec.name, endpoint, ...creds, dataDir: spec.dataDir, logs: () => proc.logs(), stop };
}

/** versitygw v1.7 with the posix backend and an internal IAM dir (without it, unknown keys get 404). */
export async function startVersitygw(creds: BackendCreds): Promise<Backend> {
  const bin = tool('bin/versitygw');
  const tmp = tempRoot('versitygw');
  const dataDir = path.join(tmp.root, 'data');
  const iamDir = path.join(tmp.root, 'iam');
  mkdirSync(dataDir);
  mkdirSync(iamDir);
  const port = await freePort();
  return launch({
    name: 'versitygw',
    bin,
    // Global flags must come before the `posix` subcommand.
    args: ['-q', '--port', `127.0.0.1:${port}`, '--iam-dir', iamDir, 'posix', dataDir],
    env: envWithoutAws({ ROOT_ACCESS_KEY: creds.accessKey, ROOT_SECRET_KEY: creds.secretKey }),
    tmp, dataDir, port, stopGraceMs: 5000,
  }, creds);
}

/**
 * SeaweedFS `weed mini` (master + volume + filer + S3 in one process). Every listening port is chosen
 * here, so two instances never collide: master, volume, filer and S3 each get an HTTP and a gRPC port.
 * The admin server gets P and P+10000 because its built-in worker dials admin HTTP port + 10000
 * whatever -admin.port.grpc says (weed 4.48). WebDAV, admin UI, Iceberg, Lance and telemetry are off.
 * Without -s3.config there would be no authentication at all.
 */
export async function startSeaweedfs(creds: BackendCreds): Promise<Backend> {
  const bin = tool('venv/bin/weed');
  const tmp = tempRoot('seaweedfs');
  const root = tmp.root;
  const dataDir = path.join(root, 'data');
  mkdirSync(dataDir);
  const idsFile = path.join(root, 'ids.json');
  writeFileSync(idsFile, JSON.stringify({
    identities: [{
      name: 'admin',
      credentials: [{ accessKey: creds.accessKey, secretKey: creds.secretKey }],
      actions: ['Admin', 'Read', 'List', 'Tagging', 'Write'],
    }],
  }));
  const [s3, s3Grpc, master, masterGrpc, volume, volumeGrpc, filer, filerGrpc] = await freePorts(8);
  const [admin, adminGrpc] = await freePortPair(10000);
  const flags: Record<string, string | number> = {
    dir: dataDir,
    ip: '127.0.0.1',
    'ip.bind': '127.0.0.1',
    's3.port': s3!, 's3.port.grpc': s3Grpc!,
    's3.config': idsFile,
    'master.port': master!, 'master.port.grpc': masterGrpc!,
    'volume.port': volume!, 'volume.port.grpc': volumeGrpc!,
    'filer.port': filer!, 'filer.port.grpc': filerGrpc!,
    'admin.port': admin, 'admin.port.grpc': adminGrpc,
    // Unix sockets default to /tmp/seaweedfs-*-<port>.sock; keep them in our temp dir.
    'filer.localSocket': path.join(root, 'filer.sock'),
    's3.localSocket': path.join(root, 's3.sock'),
    webdav: 'false',
    'admin.ui': 'false',
    's3.port.iceberg': 0,
    's3.port.lance': 0,
    'master.telemetry': 'false',
  };
  return launch({
    name: 'seaweedfs',
    bin,
    args: ['mini', ...Object.entries(flags).map(([k, v]) => `-${k}=${v}`)],
    env: envWithoutAws(), // it silently creates an identity from AWS_ACCESS_KEY_ID/SECRET
    tmp, dataDir, port: s3!, stopGraceMs: 10_000,
  }, creds);
}

/**
 * MinIO (`minio server`, one drive) with the root user as the test's credentials; the console on a port
 * of its own (it cannot be turned off), update checks off.
 */
export async function startMinio(creds: BackendCreds): Promise<Backend> {
  const bin = tool('bin/minio');
  const tmp = tempRoot('minio');
  const dataDir = path.join(tmp.root, 'data');
  mkdirSync(dataDir);
  const [port, consolePort] = await freePorts(2);
  return launch({
    name: 'minio',
    bin,
    args: ['server', dataDir, '--quiet', '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`],
    env: envWithoutAws({
      MINIO_ROOT_USER: creds.accessKey, MINIO_ROOT_PASSWORD: creds.secretKey,
      MINIO_UPDATE: 'off', MINIO_BROWSER: 'off', HOME: tmp.root,
    }),
    tmp, dataDir, port: port!, stopGraceMs: 5000,
  }, creds);
}

/** An S3 client talking straight to the backend with its own credentials (never ambient ones). */
export function directClient(backend: Pick<Backend, 'endpoint' | 'accessKey' | 'secretKey'>): S3Client {
  return new S3Client({
    endpoint: backend.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: backend.accessKey, secretAccessKey: backend.secretKey },
    maxAttempts: 1,
  });
}

export async function createBucketDirect(backend: Backend, bucket: string): Promise<void> {
  const client = directClient(backend);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}
