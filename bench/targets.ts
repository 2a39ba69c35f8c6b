// The three things measured, all in front of one versitygw and one bucket (made by the load process):
// the backend direct, Envoy alone (a static route to the backend, no filters: the physical limit of the
// design) and the real `bucketgate start`. Started with the e2e harness, so every child dies with this
// process at the latest.
import { mkdtempSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { locateEnvoy } from '../envoy/locate.ts';
import { startVersitygw, type Backend } from '../test/e2e/harness/backends.ts';
import { startGateway } from '../test/e2e/harness/gateway.ts';
import { freePorts } from '../test/e2e/harness/ports.ts';
import { registerExitCleanup, startProcess, tcpProbe, trackTempDir, waitUntil } from '../test/e2e/harness/process.ts';
import type { Endpoint } from './load.ts';
import { gatewayProcesses, running, type GatewayProcesses } from './measure.ts';

export const TARGET_NAMES = ['backend direct', 'Envoy alone', 'Bucketgate'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface Target {
  name: TargetName;
  endpoint: Endpoint;
  /** The Node and Envoy processes serving this target now (none for the backend direct). */
  processes(): GatewayProcesses;
}

export interface Bench {
  targets: Target[];
  /** Where the backend keeps its objects, said in the results. */
  backendDir: string;
  stop(): Promise<void>;
}

const BUCKET = 'bench';
const BACKEND = { accessKey: 'benchbackendkey', secretKey: 'bench-backend-secret-0123456789' };
const USER = { accessKey: 'benchuser', secretKey: 'bench-user-secret-0123456789abc' };
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const TMPFS_MAGIC = 0x01021994;

/** tmpfs keeps the disk out of the figures; the disk is the fallback when /dev/shm cannot hold the big object twice. */
function backendRoot(bigBytes: number): string {
  const shm = '/dev/shm';
  try {
    const fs = statfsSync(shm);
    if (fs.bavail * fs.bsize > 2 * bigBytes + (512 << 20)) return shm;
  } catch { /* no /dev/shm */ }
  return os.tmpdir();
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

/**
 * Stops the gateway from an exit handler, where nothing asynchronous runs any more: SIGTERM lets the
 * launcher stop its Envoy and worker and remove its run dir, so wait for that (≤ 5 s) before the
 * harness's own cleanup SIGKILLs the launcher, then SIGKILL any child still running.
 */
function stopGatewaySync(launcher: number | undefined, children: Iterable<number>): void {
  const signal = (pid: number, sig: NodeJS.Signals): void => {
    try { process.kill(pid, sig); } catch { /* exited meanwhile */ }
  };
  const tick = new Int32Array(new SharedArrayBuffer(4));
  if (launcher !== undefined && running(launcher)) {
    signal(launcher, 'SIGTERM');
    for (const until = Date.now() + 5000; running(launcher) && Date.now() < until;) Atomics.wait(tick, 0, 0, 50);
  }
  for (const pid of children) if (running(pid)) signal(pid, 'SIGKILL');
}

async function startBucketgate(backend: Backend): Promise<Target & { stop(): Promise<void> }> {
  let launcher: number | undefined;
  const seen = new Set<number>();
  // Registered before the harness registers its SIGKILL of the launcher, so that this runs first.
  const unregister = registerExitCleanup(() => stopGatewaySync(launcher, seen));
  const gw = await startGateway(({ port, adminPort }) => `
listen: { address: 127.0.0.1, port: ${port} }
backends:
  - name: bench
    type: s3
    endpoint: ${backend.endpoint}
    credentials: { access_key_id: ${BACKEND.accessKey}, secret_access_key: \${env:BENCH_BACKEND_SECRET} }
buckets:
  ${BUCKET}: { backend: bench }
users:
  - name: bench
    access_keys: [ { access_key_id: ${USER.accessKey}, secret_access_key: \${env:BENCH_USER_SECRET} } ]
    buckets: [ ${BUCKET} ]
envoy: { admin_port: ${adminPort} }
services: { workers: ${process.env.BENCH_WORKERS ?? 1} }
`, { BENCH_BACKEND_SECRET: BACKEND.secretKey, BENCH_USER_SECRET: USER.secretKey }).catch((e: unknown) => { unregister(); throw e; });
  launcher = gw.proc.pid;
  // Every child ever seen (the worker may be restarted), for the exit handler.
  const processes = (): GatewayProcesses => {
    const p = gatewayProcesses(gw.proc.pid);
    for (const pid of [...p.node, ...p.envoy]) if (pid !== launcher) seen.add(pid);
    return p;
  };
  processes();
  return {
    name: 'Bucketgate',
    endpoint: { url: gw.endpoint, accessKey: USER.accessKey, secretKey: USER.secretKey, bucket: BUCKET },
    processes,
    async stop() { await gw.stop(); unregister(); },
  };
}

/** Starts the backend, Envoy alone and Bucketgate; on any failure stops what was started. */
export async function startBench(bigBytes: number): Promise<Bench> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => { for (const s of stops.reverse()) await s().catch(() => {}); };
  try {
    const root = backendRoot(bigBytes);
    const backend = await startBackend(root);
    stops.push(backend.stop);
    const direct: Target = {
      name: 'backend direct',
      endpoint: { url: backend.endpoint, accessKey: BACKEND.accessKey, secretKey: BACKEND.secretKey, bucket: BUCKET },
      processes: () => ({ node: [], envoy: [] }),
    };
    const envoyAlone = await startEnvoyAlone(backend);
    stops.push(envoyAlone.stop);
    const bucketgate = await startBucketgate(backend);
    stops.push(bucketgate.stop);
    const fsType = statfsSync(root).type === TMPFS_MAGIC ? 'tmpfs' : 'disk';
    return { targets: [direct, envoyAlone, bucketgate], backendDir: `${root} (${fsType})`, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
