// Hosts both gRPC services (ext_authz and ext_proc) in one grpc-js server on a Unix socket.
import * as grpc from '@grpc/grpc-js';
import { authzHandlers } from '../authz/server.ts';
import { GatewayModel } from '../core/gateway-model.ts';
import type { GatewayConfig } from '../core/config/types.ts';
import { extProcHandlers } from '../extproc/server.ts';
import { BackendSigner } from '../backends/signer.ts';
import { loadEnvoyServices } from '../protos/load.ts';
import { SigningKeyCache } from '../core/sigv4/signing-key.ts';

// Response bodies that ext_proc rewrites arrive in one message; allow more than grpc-js's 4 MiB.
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export async function startServices(config: GatewayConfig, socketPath: string): Promise<grpc.Server> {
  const model = new GatewayModel(config);
  const services = loadEnvoyServices();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    // Channelz (grpc's introspection service, which we never serve) tracks every call: +1-2% req/s off.
    'grpc.enable_channelz': 0,
  });
  const keys = new SigningKeyCache();
  const signers = new Map(config.backends.map((b) => [b.name, new BackendSigner(b, keys)]));
  server.addService(services.authorization, authzHandlers(model, keys));
  server.addService(services.externalProcessor, extProcHandlers({ model, signers, keys, startedAt: new Date(), now: () => new Date() }));
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix:${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
  );
  return server;
}
