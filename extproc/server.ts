// Binds the ext_proc message loop to one bidi gRPC call per HTTP request: messages answered in
// order, the call ended as soon as Envoy half-closes (graceful close, see envoy/).
import type { BidiCall } from '../wire/grpc/transport.ts';
import type { ExtProcDeps } from './plan.ts';
import { ExtProcStream } from './stream.ts';

/**
 * A request body streaming through us that stalls this long is ended with S3's RequestTimeout.
 * S3 itself cuts idle uploads after about 20 s; and Envoy 1.40 has crashed when its own stream
 * idle timeout ended such a request minutes later (graceful gRPC close), so we end it first.
 */
export const BODY_IDLE_MS = 20_000;

export function processHandler(deps: ExtProcDeps, bodyIdleMs = BODY_IDLE_MS) {
  return (call: BidiCall) => {
    const stream = new ExtProcStream(deps);
    let idle: NodeJS.Timeout | undefined;
    // Handling is synchronous, so answers leave in the order the messages came.
    call.onMessage((msg) => {
      clearTimeout(idle);
      call.write(stream.handle(msg));
      if (stream.awaitingBody()) idle = setTimeout(() => call.write(stream.bodyTimedOut()), bodyIdleMs);
    });
    call.onEnd(() => {
      clearTimeout(idle);
      call.end();
    });
    call.onCancel(() => clearTimeout(idle));
  };
}
