// Binds the ext_proc state machine to grpc-js: one bidi stream per HTTP request, messages answered
// strictly in order, the stream ended as soon as Envoy half-closes (graceful close, see envoy/).
import type * as grpc from '@grpc/grpc-js';
import { ExtProcStream, type ExtProcDeps } from './processor.ts';

export function extProcHandlers(deps: ExtProcDeps): grpc.UntypedServiceImplementation {
  return {
    Process(call: grpc.ServerDuplexStream<any, any>) {
      const stream = new ExtProcStream(deps);
      let chain = Promise.resolve();
      call.on('data', (msg) => {
        chain = chain.then(async () => {
          const out = await stream.handle(msg);
          if (!call.writableEnded) call.write(out);
        });
      });
      call.on('end', () => {
        chain = chain.then(() => {
          call.end();
        });
      });
      call.on('error', () => {
        // Envoy resets streams it is done with; nothing to clean up.
      });
    },
  };
}
