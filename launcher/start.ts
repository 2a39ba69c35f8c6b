// `bucketgate start`: managed filesystem backends, supervised services workers and Envoy as
// children. Workers and managed backends are restarted when they die; if Envoy dies, the gateway
// stops with a clear message rather than leaving a half-working endpoint; a busy port stops it first.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GatewayConfig } from '../core/config/types.ts';
import { envoyBootstrap } from '../envoy/bootstrap.ts';
import { ENVOY_INSTALL_HINT, locateEnvoy } from './tools.ts';
import { startChild } from './child.ts';
import { log } from './log.ts';
import { startManagedBackends, type ManagedBackends } from './managed-backends.ts';
import { assertAddressFree } from './port-check.ts';
import { waitForPort } from './ports.ts';
import { createRunDir } from './runtime-dir.ts';
import { superviseServices } from './supervise.ts';

export function workerSockets(runDir: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => path.join(runDir, `services-${i}.sock`));
}

export async function startGateway(configured: GatewayConfig): Promise<never> {
  const envoyBin = locateEnvoy();
  if (!envoyBin) {
    log('gateway', ENVOY_INSTALL_HINT);
    process.exit(2);
  }
  let managed: ManagedBackends;
  try {
    await assertAddressFree(configured.listen.address, configured.listen.port);
    if (configured.envoy.adminPort > 0) await assertAddressFree('127.0.0.1', configured.envoy.adminPort);
    managed = await startManagedBackends(configured);
  } catch (e) {
    log('gateway', (e as Error).message);
    process.exit(2);
  }
  const config = managed.config;
  const runDir = createRunDir();
  const sockets = workerSockets(runDir, config.services.workers);
  const services = sockets.map((socket) => superviseServices(config, socket));
  // logrotate's signal: the workers reopen the audit file, Envoy its access log (SIGUSR1); both keep running.
  let reopenAccessLog = () => {};
  process.on('SIGHUP', () => {
    for (const s of services) s.signal('SIGHUP');
    reopenAccessLog();
  });
  await Promise.all(services.map((s) => s.ready));
  const bootstrapPath = path.join(runDir, 'envoy.json');
  writeFileSync(bootstrapPath, JSON.stringify(envoyBootstrap(config, { servicesSockets: sockets }), null, 1));
  // No hot restart: it needs shared memory that outlives Envoy (/dev/shm) and a base id per instance.
  // Access log lines reach the file within a second (Envoy's default is ten).
  const args = ['-c', bootstrapPath, '--log-level', process.env.ENVOY_LOG_LEVEL ?? 'warn', '--disable-hot-restart', '--file-flush-interval-msec', '1000'];
  if (config.envoy.concurrency > 0) args.push('--concurrency', String(config.envoy.concurrency));
  // With the access log on stdout, Envoy's stdout carries only its lines (Envoy logs to stderr).
  const envoy = startChild('envoy', envoyBin, args, { rawStdout: config.accessLog?.sink === 'stdout' });
  const children = [envoy];
  reopenAccessLog = () => void envoy.process.kill('SIGUSR1');

  let shuttingDown = false;
  const shutdown = async (code: number, why: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log('gateway', why);
    await Promise.all([...children.map((c) => c.stop()), ...services.map((s) => s.stop()), managed.stop()]);
    rmSync(runDir, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown(0, 'SIGTERM received, stopping'));
  process.on('SIGINT', () => void shutdown(0, 'SIGINT received, stopping'));
  for (const c of children) {
    void c.exited.then((code) => shutdown(1, `${c.name} exited unexpectedly (code ${code}); stopping the gateway`));
  }

  const scheme = config.listen.tls ? 'https' : 'http';
  if (await waitForPort(config.listen.address, config.listen.port, 30_000)) {
    log('gateway', `listening on ${scheme}://${config.listen.address}:${config.listen.port}`);
  } else {
    await shutdown(1, `Envoy did not open ${config.listen.address}:${config.listen.port} within 30 s`);
  }
  return new Promise<never>(() => {});
}
