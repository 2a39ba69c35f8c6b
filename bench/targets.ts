// What is measured. The main table: the backend direct, Envoy alone (a static route to the backend, no
// filters: the physical limit of the design) and the real `bucketgate start`, all in front of one
// versitygw and one bucket (made by the load process). The filesystem table: `bucketgate start` on a
// `type: filesystem` backend (its own managed versitygw) beside a standalone versitygw on the same
// kind of storage. The gRPC stack table: `bucketgate start` once per gRPC stack (BUCKETGATE_GRPC) in
// front of the main table's versitygw, beside its Envoy alone. Started with the test kit (testkit/), so
// every child dies with this process at the latest.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateEnvoy } from '../launcher/tools.ts';
import { startVersitygw, type Backend } from '../testkit/backends.ts';
import { freePorts } from '../testkit/ports.ts';
import { startProcess, tcpProbe, trackTempDir, waitUntil } from '../testkit/process.ts';
import { BUCKET, startGatewayTarget } from './gateway-target.ts';
import type { Endpoint } from './load.ts';
import type { GatewayProcesses } from './measure.ts';
import type { TransportName } from '../wire/grpc/transport.ts';

export const MAIN_TARGETS = ['backend direct', 'Envoy alone', 'Bucketgate'] as const;
export const FS_TARGETS = ['versitygw alone (filesystem)', 'Bucketgate (filesystem)'] as const;
export type MainTarget = (typeof MAIN_TARGETS)[number];
export type FsTarget = (typeof FS_TARGETS)[number];
/** The gRPC stacks compared in their own table, in the order measured. */
export const GRPC_STACKS = ['grpc-js', 'http2', 'connect'] as const satisfies readonly TransportName[];
export type GrpcStack = (typeof GRPC_STACKS)[number];
export type GrpcTarget = `Bucketgate (${GrpcStack})`;
export const stackTarget = (stack: GrpcStack): GrpcTarget => `Bucketgate (${stack})`;
export const POLICY_TARGET = 'Bucketgate (policy set)';
export type TargetName = MainTarget | FsTarget | GrpcTarget | typeof POLICY_TARGET;

export interface Target {
  name: TargetName;
  endpoint: Endpoint;
  /** The Node and Envoy processes serving this target now (none for a bare versitygw). */
  processes(): GatewayProcesses;
  /** The bucket exists before populating (the gateway's managed backend makes its configured buckets). */
  bucketExists?: boolean;
}

export interface Bench {
  targets: Target[];
  /** One target per distinct bucket: the objects the GET rows read are written through each one's endpoint. */
  stores: Target[];
  /** Where the backend(s) keep their objects, said in the results. */
  backendDir: string;
  /** The main bench only: one more `bucketgate start` per gRPC stack in front of the same backend. */
  startGrpcStacks?(): Promise<{ targets: Target[]; stop(): Promise<void> }>;
  /** The main bench only: one more `bucketgate start` in front of the same backend, with the policy set. */
  startPolicyTarget?(): Promise<Target & { stop(): Promise<void> }>;
  stop(): Promise<void>;
}

const BACKEND = { accessKey: 'benchbackendkey', secretKey: 'bench-backend-secret-0123456789' };
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const TMPFS_MAGIC = 0x01021994;
const noProcesses = (): GatewayProcesses => ({ node: [], envoy: [] });

/** /dev/shm room for the main bench: the big object twice (old + the overwrite in flight), plus slack. */
const mainBytes = (bigBytes: number): number => 2 * bigBytes + (512 << 20);

/** tmpfs keeps the disk out of the figures; the disk is the fallback when /dev/shm cannot hold `bytes`. */
function storageRoot(bytes: number): string {
  const shm = '/dev/shm';
  try {
    const fs = statfsSync(shm);
    if (fs.bavail * fs.bsize > bytes) return shm;
  } catch { /* no /dev/shm */ }
  return os.tmpdir();
}

const describeRoot = (root: string): string => `${root} (${statfsSync(root).type === TMPFS_MAGIC ? 'tmpfs' : 'disk'})`;

/** Runs `start`, which records how to stop each thing it starts; on failure, stops those in reverse. */
async function startStack(root: string, start: (stops: Array<() => Promise<void>>) => Promise<Omit<Bench, 'backendDir' | 'stop'>>): Promise<Bench> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => { for (const s of stops.reverse()) await s().catch(() => {}); };
  try {
    return { ...(await start(stops)), backendDir: describeRoot(root), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * The harness's versitygw, with two changes made through the environment it passes on: its temp dir
 * under `root` (os.tmpdir() follows TMPDIR), and keep-alive on (VGW_KEEP_ALIVE; versitygw closes every
 * connection after one response by default, which would make the figures about TCP handshakes).
 */
async function startBackend(root: string): Promise<Backend> {
  const overrides = { TMPDIR: root, VGW_KEEP_ALIVE: 'true' };
  const saved = Object.fromEntries(Object.keys(overrides).map((k) => [k, process.env[k]]));
  Object.assign(process.env, overrides);
  try {
    return await startVersitygw(BACKEND);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Envoy with the gateway's listener settings and nothing else: one route, one cluster, the router. */
function envoyAloneBootstrap(port: number, adminPort: number, backend: URL) {
  const ip = (p: number) => ({ socket_address: { address: '127.0.0.1', port_value: p } });
  return {
    admin: { address: ip(adminPort) },
    static_resources: {
      listeners: [{
        name: 'bench',
        address: ip(port),
        filter_chains: [{ filters: [{
          name: 'envoy.filters.network.http_connection_manager',
          typed_config: {
            '@type': HCM, stat_prefix: 'bench', codec_type: 'AUTO',
            normalize_path: false, merge_slashes: false, path_with_escaped_slashes_action: 'KEEP_UNCHANGED',
            request_timeout: '0s', stream_idle_timeout: '300s',
            route_config: { virtual_hosts: [{ name: 'backend', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'backend', timeout: '0s' } }] }] },
            http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
          },
        }] }],
      }],
      clusters: [{
        name: 'backend', type: 'STATIC', connect_timeout: '5s',
        load_assignment: { cluster_name: 'backend', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: backend.hostname, port_value: Number(backend.port) } } } }] }] },
      }],
    },
  };
}

async function startEnvoyAlone(backend: Backend): Promise<Target & { stop(): Promise<void> }> {
  const envoy = locateEnvoy();
  if (!envoy) throw new Error('Envoy not found: run `bash scripts/install-tools.sh`');
  const [port, adminPort] = await freePorts(2);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-bench-envoy-'));
  const tmp = trackTempDir(dir);
  const config = path.join(dir, 'envoy.json');
  writeFileSync(config, JSON.stringify(envoyAloneBootstrap(port!, adminPort!, new URL(backend.endpoint))));
  // No hot restart: nothing in /dev/shm to leave behind if the harness has to SIGKILL it.
  const proc = startProcess({ name: 'envoy-alone', command: envoy, args: ['-c', config, '--log-level', 'warn', '--disable-hot-restart'] });
  const stop = async (): Promise<void> => { await proc.stop(5000); tmp.remove(); };
  try {
    await waitUntil('Envoy alone listener', tcpProbe('127.0.0.1', port!), { timeoutMs: 30_000, proc });
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    name: 'Envoy alone',
    // Envoy passes Host through, so a request signed for Envoy's address verifies at the backend.
    endpoint: { url: `http://127.0.0.1:${port}`, accessKey: BACKEND.accessKey, secretKey: BACKEND.secretKey, bucket: BUCKET },
    processes: () => ({ node: [], envoy: [proc.pid] }),
    stop,
  };
}

/** Starts the backend, Envoy alone and Bucketgate; on any failure stops what was started. */
export function startBench(bigBytes: number): Promise<Bench> {
  const root = storageRoot(mainBytes(bigBytes));
  return startStack(root, async (stops) => {
    const backend = await startBackend(root);
    stops.push(backend.stop);
    const direct: Target = {
      name: 'backend direct',
      endpoint: { url: backend.endpoint, accessKey: BACKEND.accessKey, secretKey: BACKEND.secretKey, bucket: BUCKET },
      processes: noProcesses,
    };
    const envoyAlone = await startEnvoyAlone(backend);
    stops.push(envoyAlone.stop);
    const s3Backend = {
      name: 'bench',
      fields: `type: s3, endpoint: ${JSON.stringify(backend.endpoint)}, credentials: { access_key_id: ${BACKEND.accessKey}, secret_access_key: \${env:BENCH_BACKEND_SECRET} }`,
      env: { BENCH_BACKEND_SECRET: BACKEND.secretKey },
    };
    const bucketgate = await startGatewayTarget('Bucketgate', s3Backend);
    stops.push(bucketgate.stop);
    // One bucket behind all of them: written once, straight to the backend.
    return {
      targets: [direct, envoyAlone, bucketgate],
      stores: [direct],
      startGrpcStacks: () => startGrpcStacks(s3Backend),
      startPolicyTarget: () => startGatewayTarget(POLICY_TARGET, s3Backend, { access: 'policy set' }),
    };
  });
}

/**
 * Starts versitygw alone and Bucketgate on a filesystem backend, both on the same kind of storage:
 * /dev/shm if it has room for both big objects on top of what the main bench needs there (counted
 * although the main bench has stopped by then: headroom for whatever else uses /dev/shm), else the disk.
 */
export function startFilesystemBench(bigBytes: number): Promise<Bench> {
  const root = storageRoot(2 * bigBytes + mainBytes(bigBytes));
  return startStack(root, async (stops) => {
    const alone = await startBackend(root);
    stops.push(alone.stop);
    const dir = mkdtempSync(path.join(root, 'bg-bench-fs-'));
    const tmp = trackTempDir(dir);
    stops.push(async () => tmp.remove());
    // The managed versitygw keeps its state beside the data dir (dir/.bucketgate), so all of it goes with dir.
    const gateway = await startGatewayTarget('Bucketgate (filesystem)', { name: 'local', fields: `type: filesystem, path: ${JSON.stringify(path.join(dir, 'data'))}` });
    stops.push(gateway.stop);
    const versitygwAlone: Target = {
      name: 'versitygw alone (filesystem)',
      endpoint: { url: alone.endpoint, accessKey: BACKEND.accessKey, secretKey: BACKEND.secretKey, bucket: BUCKET },
      processes: noProcesses,
    };
    // The managed versitygw's credentials are never shown: the gateway target writes its own objects.
    const targets = [versitygwAlone, { ...gateway, bucketExists: true }];
    return { targets, stores: targets };
  });
}

/** `bucketgate start` once per gRPC stack, all at once (their rows measure them back to back); on failure stops those started. */
async function startGrpcStacks(backend: Parameters<typeof startGatewayTarget>[1]): Promise<{ targets: Target[]; stop(): Promise<void> }> {
  // The connect stack's code is generated from Envoy's protos, not committed (quick when up to date).
  execFileSync('bash', [fileURLToPath(new URL('../scripts/gen-connect.sh', import.meta.url))], { stdio: ['ignore', 'inherit', 'inherit'] });
  const started: Array<Target & { stop(): Promise<void> }> = [];
  const stop = async (): Promise<void> => { for (const t of started.reverse()) await t.stop().catch(() => {}); };
  try {
    for (const stack of GRPC_STACKS) started.push(await startGatewayTarget(stackTarget(stack), backend, { env: { BUCKETGATE_GRPC: stack }, extAuthz: 'grpc' }));
  } catch (e) {
    await stop();
    throw e;
  }
  return { targets: [...started], stop };
}
