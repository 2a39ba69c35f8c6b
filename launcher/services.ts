// Hosts ext_authz and ext_proc for one worker: both gRPC services (Check and Process) on one Unix
// socket (or, for someone else's Envoy, a TCP address), on the gRPC stack named by BUCKETGATE_GRPC (`http2`, the default: our minimal server on node:http2; `grpc-js`;
// or `connect`: @connectrpc/connect-node, a devDependency, after `bash scripts/gen-connect.sh`). Everything a request needs is built here once, at config load.
import { AccessControl } from '../access/access-control.ts';
import type { AuthzDeps } from '../authz/decide.ts';
import { checkHandler, httpCheckHandler } from '../authz/server.ts';
import { BackendSigner } from '../backends/signer.ts';
import { BucketMap } from '../core/buckets.ts';
import { shownRegion } from '../core/config/model.ts';
import type { GatewayConfig } from '../core/config/types.ts';
import { SigningKeyCache } from '../core/sigv4/signing-key.ts';
import { processHandler } from '../extproc/server.ts';
import { openAuditSink, type ReopenableSink } from './audit-sink.ts';
import { backendProbe, startReadyServer } from './readiness.ts';
import type { ServicesAddress } from '../wire/address.ts';
import { createHttpAuthzServer } from '../wire/http-authz-server.ts';
import { authzHttpSocket, readySocket, sourceIpFromEdge } from '../wire/names.ts';
import { envoyCodecs, createTransport, type TransportName } from '../wire/grpc/transport.ts';
import type { ServerTls } from '../wire/grpc/types.ts';

// Response bodies that ext_proc rewrites arrive in one message; allow more than gRPC's usual 4 MiB.
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export function transportName(env: NodeJS.ProcessEnv = process.env): TransportName {
  const name = env.BUCKETGATE_GRPC ?? 'http2';
  if (name !== 'http2' && name !== 'grpc-js' && name !== 'connect') throw new Error(`BUCKETGATE_GRPC must be http2, grpc-js or connect, not ${JSON.stringify(name)}`);
  return name;
}

/** What both services need of a config, built once at load: the bench measures decisions on the same. */
export function serviceDeps(config: GatewayConfig) {
  const buckets = new BucketMap(config);
  const access = new AccessControl(config, new SigningKeyCache());
  // The backends' derived keys: shared by the header signer (ext_authz) and the body stages (ext_proc).
  const keys = new SigningKeyCache();
  const signers = new Map(config.backends.map((b) => [b.name, new BackendSigner(b, keys)]));
  return { access, buckets, keys, authz: { access, buckets, signers, domain: config.listen.domain } satisfies AuthzDeps };
}

/**
 * Serves until the worker exits (it does on SIGTERM or when the launcher goes). Answers the audit sink
 * (when the config has one), for the worker to reopen on SIGHUP.
 */
export async function startServices(config: GatewayConfig, at: ServicesAddress, tls?: ServerTls): Promise<ReopenableSink | undefined> {
  const { access, buckets, keys, authz: authzDeps } = serviceDeps(config);
  const audit = config.audit && openAuditSink(config.audit);
  const accessLog = config.accessLog !== undefined;
  const sourceIpFrom = sourceIpFromEdge(config.envoy.extAuthz, config.listen.xffNumTrustedHops) ? 'edge' : 'peer';
  const { check, process: processCall } = envoyCodecs();
  const transport = createTransport(
    transportName(),
    {
      unary: { [check.path]: checkHandler(authzDeps, { sourceIpFrom, audit, accessLog }) },
      bidi: { [processCall.path]: processHandler({ access, buckets, keys, region: shownRegion(config.listen), startedAt: new Date(), now: () => new Date(), audit }) },
    },
    { maxReceiveBytes: MAX_MESSAGE_BYTES, maxSendBytes: MAX_MESSAGE_BYTES, ...(tls && { tls }) },
  );
  await transport.listen(at);
  // On a Unix socket, beside the gRPC services: the HTTP check endpoint (our Envoy config picks one of the
  // two) and the readiness endpoint our Envoy routes /_/ready to. Over TCP (someone else's Envoy), gRPC only.
  if ('socket' in at) {
    const httpAuthz = createHttpAuthzServer(httpCheckHandler(authzDeps, { audit, accessLog }));
    await httpAuthz.listen({ socket: authzHttpSocket(at.socket) });
    await startReadyServer(readySocket(at.socket), backendProbe(config.backends));
  }
  return audit;
}
