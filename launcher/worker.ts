// A services worker: a child process hosting ext_authz + ext_proc on one Unix socket. It gets its
// resolved config over IPC (never in argv or the environment, where secrets would show in `ps`).
import type { GatewayConfig } from '../core/config/types.ts';
import { startServices } from './services.ts';

export interface WorkerStart {
  config: GatewayConfig;
  socket: string;
}

export function runServicesWorker(): void {
  if (!process.send) {
    process.stderr.write('services-worker is started by `bucketgate start`, not by hand\n');
    process.exit(2);
  }
  // SIGHUP (forwarded by the launcher) reopens the audit file for logrotate; before the services
  // serve there is nothing to reopen, and the signal must not end the worker either.
  let reopenAudit = () => {};
  process.on('SIGHUP', () => reopenAudit());
  process.once('message', (msg: WorkerStart) => {
    startServices(msg.config, { socket: msg.socket }).then(
      (audit) => {
        if (audit) reopenAudit = () => audit.reopen();
        process.send!({ ready: true });
      },
      (err: Error) => {
        process.stderr.write(`cannot start services: ${err.message}\n`);
        process.exit(1);
      },
    );
  });
  // The supervisor is gone: so is our reason to exist. Exiting normally (not by the signal) lets
  // Node flush what it was asked to write at exit, such as a --cpu-prof profile.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}
