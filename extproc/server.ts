// Binds the ext_proc state machine to grpc-js: one bidi stream per HTTP request, messages answered
// in order, the stream ended as soon as Envoy half-closes (graceful close, see envoy/).
import type * as grpc from '@grpc/grpc-js';
import { ExtProcStream, type ExtProcDeps } from './processor.ts';

/**
 * A request body streaming through us that stalls this long is ended with S3's RequestTimeout.
 * S3 itself cuts idle uploads after about 20 s; and Envoy 1.40 has crashed when its own stream
 * idle timeout ended such a request minutes later (graceful gRPC close), so we end it first.
 */
export const BODY_IDLE_MS = 20_000;

export function extProcHandlers(deps: ExtProcDeps, bodyIdleMs = BODY_IDLE_MS): grpc.UntypedServiceImplementation {
  return {
    Process(call: grpc.ServerDuplexStream<any, any>) {
      const stream = new ExtProcStream(deps);
      let idle: NodeJS.Timeout | undefined;
      const send = (out: unknown) => {
        if (!call.writableEnded && !call.cancelled) call.write(out);
      };
      // Handling is synchronous, so answers leave in the order the messages came.
      call.on('data', (msg) => {
        clearTimeout(idle);
        send(stream.handle(msg));
        if (stream.awaitingBody()) idle = setTimeout(() => send(stream.bodyTimedOut()), bodyIdleMs);
      });
      call.on('end', () => {
        clearTimeout(idle);
        call.end();
      });
      call.on('cancelled', () => clearTimeout(idle));
      call.on('error', () => {
        // Envoy resets streams it is done with; nothing to clean up.
      });
    },
  };
}
