// Runs the real `bucketgate start` (services worker + Envoy) on a config written by the test,
// and reads Envoy's own counters to prove whether a request reached a backend.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolsDir } from './backends.ts';
import { freePorts } from './ports.ts';
import { envWithoutAws, startProcess, tcpProbe, trackTempDir, waitUntil, type ManagedProcess } from './process.ts';

export const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'bucketgate.js');

export interface RunningGateway {
  /** http://127.0.0.1:PORT, or https://127.0.0.1:PORT when started with `tls`. */
  endpoint: string;
  port: number;
  adminPort: number;
  proc: ManagedProcess;
  configFile: string;
  /** Requests Envoy has sent to a backend's cluster so far. */
  upstreamRequests(backend: string): Promise<number>;
  /** Calls Envoy has made to the services so far (ext_authz checks over HTTP or gRPC, and ext_proc streams). */
  serviceCalls(): Promise<number>;
  /** The pids of the services workers that have served (from the gateway's log), newest last. */
  workerPids(): number[];
  stop(): Promise<void>;
}

/** upstream_rq_total of one Envoy cluster, from its admin stats. */
export async function clusterRequests(adminPort: number, cluster: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${adminPort}/stats?filter=^cluster\\.${cluster}\\.upstream_rq_total$`);
  const m = /upstream_rq_total: (\d+)/.exec(await res.text());
  return m ? Number(m[1]) : 0;
}

/** Every config a test generates must pass Envoy's own validation of the bootstrap made from it. */
async function assertEnvoyAccepts(configFile: string, env: Record<string, string>): Promise<void> {
  const run = promisify(execFile);
  const bootstrap = `${configFile}.envoy.json`;
  const { stdout } = await run(process.execPath, [BIN, 'envoy-config', '--config', configFile, '--runtime-dir', '/tmp/bucketgate-validate'], { env: envWithoutAws(env) });
  writeFileSync(bootstrap, stdout);
  await run(path.join(toolsDir, 'bin', 'envoy'), ['--mode', 'validate', '-c', bootstrap, '--use-dynamic-base-id']);
}

export interface GatewayStartOptions {
  /** The config has `listen.tls`: the endpoint is https (the listener is still probed over TCP). */
  tls?: boolean;
}

/** `configYaml` receives the listen port and Envoy admin port the harness picked. */
export async function startGateway(
  configYaml: (ports: { port: number; adminPort: number }) => string,
  env: Record<string, string> = {},
  opts: GatewayStartOptions = {},
): Promise<RunningGateway> {
  const [port, adminPort] = await freePorts(2);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-gw-'));
  const tmp = trackTempDir(dir);
  const configFile = path.join(dir, 'bucketgate.yaml');
  writeFileSync(configFile, configYaml({ port: port!, adminPort: adminPort! }));
  await assertEnvoyAccepts(configFile, env);
  const proc = startProcess({
    name: 'gateway',
    command: process.execPath,
    args: [BIN, 'start', '--config', configFile],
    env: envWithoutAws(env),
  });
  const stop = async () => {
    await proc.stop(8000);
    tmp.remove();
  };
  try {
    await waitUntil('gateway listener', tcpProbe('127.0.0.1', port!), { timeoutMs: 60_000, proc });
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    endpoint: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port: port!,
    adminPort: adminPort!,
    proc,
    configFile,
    upstreamRequests: (backend: string) => clusterRequests(adminPort!, `backend_${backend}`),
    // Checks over HTTP and gRPC calls alike.
    serviceCalls: async () => (await clusterRequests(adminPort!, 'bucketgate_services')) + (await clusterRequests(adminPort!, 'bucketgate_authz_http')),
    workerPids() {
      return proc.logs().flatMap((l) => {
        const m = /worker (\d+) serving/.exec(l);
        return m ? [Number(m[1])] : [];
      });
    },
    stop,
  };
}
