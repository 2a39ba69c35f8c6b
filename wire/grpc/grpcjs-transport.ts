// The @grpc/grpc-js stack behind GrpcTransport (what cli/services.ts ran before the transport layer).
import type http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { errorMessage, logHandlerError, Status } from './status.ts';
import type { BidiCall, BidiHandler, BoundMethod, GrpcTransport, TransportOptions, UnaryHandler } from './types.ts';

const notUsedByServer = () => {
  throw new Error('client-side serializer not available in a server transport');
};

export function createGrpcJsTransport(methods: ReadonlyMap<string, BoundMethod>, options: TransportOptions): GrpcTransport {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxReceiveBytes,
    'grpc.max_send_message_length': options.maxSendBytes,
    // Channelz (grpc's introspection service, which we never serve) tracks every call: +1-2% req/s off.
    'grpc.enable_channelz': 0,
  });
  // One synthetic service whose method names are the paths (grpc-js registers by `path` anyway).
  const definition: Record<string, grpc.MethodDefinition<any, any>> = {};
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const [path, m] of methods) {
    const streaming = m.kind === 'bidi';
    definition[path] = {
      path,
      requestStream: streaming,
      responseStream: streaming,
      requestDeserialize: m.codec.decode,
      responseSerialize: m.codec.encode,
      requestSerialize: notUsedByServer,
      responseDeserialize: notUsedByServer,
    };
    implementation[path] = m.kind === 'unary' ? unary(path, m.handler) : bidi(path, m.handler);
  }
  server.addService(definition as grpc.ServiceDefinition, implementation);

  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: options.tls.cert, private_key: options.tls.key }], false)
    : grpc.ServerCredentials.createInsecure();
  return {
    listen(target) {
      const address = 'socket' in target ? `unix:${target.socket}` : `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
      return new Promise((resolve, reject) =>
        server.bindAsync(address, credentials, (err) => (err ? reject(err) : resolve())),
      );
    },
    close(graceMs = 0) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => forceShutdown(server), graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/**
 * server.forceShutdown(), plus what it misses: grpc-js 1.14 records sessions where forceShutdown looks
 * for them only with channelz on, so with channelz off it leaves them open (and tryShutdown waiting).
 */
function forceShutdown(server: grpc.Server): void {
  const internals = (server as unknown as { http2Servers?: Map<unknown, { sessions?: Set<http2.ServerHttp2Session> }> }).http2Servers;
  const sessions = [...(internals?.values() ?? [])].flatMap((info) => [...(info.sessions ?? [])]);
  server.forceShutdown();
  for (const session of sessions) session.destroy();
}

function internal(err: unknown): Partial<grpc.StatusObject> {
  return { code: Status.INTERNAL, details: errorMessage(err) };
}

function unary(path: string, handler: UnaryHandler): grpc.handleUnaryCall<any, any> {
  return (call, callback) => {
    const fail = (err: unknown) => {
      logHandlerError(path, err);
      callback(internal(err));
    };
    try {
      const result = handler(call.request);
      if (result instanceof Promise) result.then((res) => callback(null, res), fail);
      else callback(null, result);
    } catch (err) {
      fail(err);
    }
  };
}

function bidi(path: string, handler: BidiHandler): grpc.handleBidiStreamingCall<any, any> {
  return (call) => {
    let closed = false;
    let onCancel: (() => void) | undefined;
    const cancel = () => {
      if (closed) return;
      closed = true;
      onCancel?.();
    };
    const fail = (err: unknown) => {
      if (closed) return;
      logHandlerError(path, err);
      // grpc-js's duplex stream turns an 'error' into the call's status.
      call.emit('error', internal(err));
      cancel();
    };
    let onMessage: ((req: any) => void) | undefined;
    let onEnd: (() => void) | undefined;
    const run = (cb: ((arg?: any) => void) | undefined, arg?: unknown) => {
      if (closed || !cb) return;
      try {
        cb(arg);
      } catch (err) {
        fail(err);
      }
    };
    const adapter: BidiCall = {
      onMessage: (cb) => void (onMessage = cb),
      onEnd: (cb) => void (onEnd = cb),
      onCancel: (cb) => void (onCancel = cb),
      write(res) {
        if (!closed && !call.cancelled && !call.writableEnded) call.write(res);
      },
      end() {
        if (closed) return;
        closed = true;
        call.end();
      },
      get closed() {
        return closed || call.cancelled;
      },
    };
    call.on('cancelled', cancel);
    // An 'error' is grpc-js failing the call (e.g. an oversize message) or our own fail(): the call is over.
    call.on('error', cancel);
    try {
      handler(adapter);
    } catch (err) {
      fail(err);
    }
    call.on('data', (req) => run(onMessage, req));
    // node:http2 ends a stream's readable side when the peer resets it, and grpc-js passes that on as a
    // half-close before 'cancelled': wait one turn so a reset reaches onCancel, not onEnd.
    call.on('end', () => setImmediate(() => run(onEnd)));
  };
}
