// The real `bucketgate start` as a bench target, on any one backend (an s3 one in front of the bench's
// versitygw, or a `type: filesystem` one that the gateway serves with its own managed versitygw), with
// one bucket and one user. Started with the test kit (testkit/), so it dies with this process at the latest.
import { startGateway } from '../testkit/gateway.ts';
import { registerExitCleanup } from '../testkit/process.ts';
import type { Endpoint } from './load.ts';
import { childrenOf, gatewayProcesses, running, type GatewayProcesses } from './measure.ts';
import { accessYaml, type AccessSet } from './policy-set.ts';
import type { Target, TargetName } from './targets.ts';

export const BUCKET = 'bench';
export const BENCH_USER = { accessKey: 'benchuser', secretKey: 'bench-user-secret-0123456789abc' };

export interface GatewayBackend {
  name: string;
  /** The rest of the backend's YAML flow mapping after `name`, e.g. `type: filesystem, path: "/x"`. */
  fields: string;
  /** Environment the config's `${env:…}` references read (secrets stay out of the config file). */
  env?: Record<string, string>;
}

/**
 * Stops the gateway from an exit handler, where nothing asynchronous runs any more: SIGTERM lets the
 * launcher stop its Envoy, worker and managed versitygw and remove its run dir, so wait for that
 * (≤ 5 s) before the harness's own cleanup SIGKILLs the launcher, then SIGKILL any child still running.
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

export interface GatewayOptions {
  /** More environment for the gateway itself, e.g. BUCKETGATE_GRPC (the rest of the bench's passes through). */
  env?: Record<string, string>;
  /** How Envoy calls ext_authz (the gRPC stack table needs `grpc`, or it would measure the HTTP check). */
  extAuthz?: 'http' | 'grpc';
  /** Who may do what (bench/policy-set.ts): the interim grant unless the policy table asks for the policy set. */
  access?: AccessSet;
}

export async function startGatewayTarget(name: TargetName, backend: GatewayBackend, opts: GatewayOptions = {}): Promise<Target & { stop(): Promise<void> }> {
  const { env = {}, extAuthz = 'http', access = 'interim grant' } = opts;
  let launcher: number | undefined;
  const seen = new Set<number>();
  // Registered before the harness registers its SIGKILL of the launcher, so that this runs first.
  const unregister = registerExitCleanup(() => stopGatewaySync(launcher, seen));
  const gw = await startGateway(({ port, adminPort }) => `
listen: { address: 127.0.0.1, port: ${port} }
backends:
  - { name: ${backend.name}, ${backend.fields} }
buckets:
  ${BUCKET}: { backend: ${backend.name} }
${accessYaml(access, BUCKET, { accessKey: BENCH_USER.accessKey, secretEnv: 'BENCH_USER_SECRET' })}envoy: { admin_port: ${adminPort}, ext_authz: ${extAuthz} }
services: { workers: ${process.env.BENCH_WORKERS ?? 1} }
`, { ...env, ...backend.env, BENCH_USER_SECRET: BENCH_USER.secretKey }).catch((e: unknown) => { unregister(); throw e; });
  launcher = gw.proc.pid;
  // Every child ever seen (the worker may be restarted), for the exit handler.
  const processes = (): GatewayProcesses => {
    const p = gatewayProcesses(gw.proc.pid);
    for (const pid of [...p.node, ...p.envoy]) if (pid !== launcher) seen.add(pid);
    return p;
  };
  processes();
  // The managed versitygw, if any, is neither Node nor Envoy but must not outlive the bench either.
  for (const pid of childrenOf(launcher)) seen.add(pid);
  const endpoint: Endpoint = { url: gw.endpoint, accessKey: BENCH_USER.accessKey, secretKey: BENCH_USER.secretKey, bucket: BUCKET };
  return { name, endpoint, processes, async stop() { await gw.stop(); unregister(); } };
}
