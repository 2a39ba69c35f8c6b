// `bucketgate services --listen ADDR`: the two gRPC services alone, in the foreground, for an Envoy
// someone else runs (envoy-config --fragment says what it needs). One process; run more of them (replicas)
// and list each in the services cluster to scale. SIGHUP reopens the audit file; SIGTERM/SIGINT end it.
import { existsSync, rmSync } from 'node:fs';
import net from 'node:net';
import { withoutLauncherProblem } from '../core/config/model.ts';
import type { GatewayConfig } from '../core/config/types.ts';
import type { ServerTls } from '../wire/grpc/types.ts';
import { formatServicesAddress, type ServicesAddress } from '../wire/address.ts';
import { log } from './log.ts';
import { assertAddressFree } from './port-check.ts';
import { startServices } from './services.ts';
import { workerSocketFiles as socketFiles } from '../wire/names.ts';

function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(socket);
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

/** Why these services cannot start here, or undefined (the caller exits 2 with it). */
async function startProblem(config: GatewayConfig, at: ServicesAddress): Promise<string | undefined> {
  const backends = withoutLauncherProblem(config.backends);
  if (backends) return backends;
  if ('socket' in at) {
    if (!existsSync(at.socket)) return undefined;
    if (await answers(at.socket)) return `${at.socket} is in use: services already run there; stop them or choose another path`;
    // Left by a process that died without closing it.
    for (const f of socketFiles(at.socket)) rmSync(f, { force: true });
    return undefined;
  }
  try {
    await assertAddressFree(at.host, at.port);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export async function runStandaloneServices(config: GatewayConfig, at: ServicesAddress, tls?: ServerTls): Promise<void> {
  const problem = await startProblem(config, at);
  if (problem) {
    log('services', problem);
    process.exit(2);
  }
  const audit = await startServices(config, at, tls);
  if ('socket' in at) process.on('exit', () => { for (const f of socketFiles(at.socket)) rmSync(f, { force: true }); });
  process.on('SIGHUP', () => audit?.reopen());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
  log('services', `ext_authz and ext_proc (gRPC${tls ? ' over TLS' : ''}) listening on ${formatServicesAddress(at)}`);
}
