// The @connectrpc/connect-node stack behind GrpcTransport: connectNodeAdapter (gRPC protocol only) on
// a node:http2 h2c server, with @bufbuild/protobuf code that protoc-gen-es generates from Envoy's
// protos (scripts/gen-connect.sh, into node_modules/.bucketgate-gen/, never committed). It serves
// Envoy's ext_authz Check and ext_proc Process; connect-shape.ts turns connect's messages into the
// proto-loader objects the handlers read and their replies back, so the handlers run unchanged.
// Everything of connect and the generated code is imported when listen() is called: the product and
// the typecheck do not depend on it (connect is a devDependency; the code exists after the script).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import type { DescMessage, DescMethod, DescService } from '@bufbuild/protobuf';
import { createH2cServer } from './h2c-server.ts';
import { fromLoaderShape, toLoaderShape } from './connect-shape.ts';
import { errorMessage, logHandlerError } from './status.ts';
import type { BidiCall, BidiHandler, BoundMethod, GrpcTransport, TransportOptions, UnaryHandler } from './types.ts';

const CHECK = '/envoy.service.auth.v3.Authorization/Check';
const PROCESS = '/envoy.service.ext_proc.v3.ExternalProcessor/Process';

/** Where scripts/gen-connect.sh writes protoc-gen-es's output (the project's node_modules). */
export const GENERATED_DIR = fileURLToPath(new URL('../../node_modules/.bucketgate-gen/es/', import.meta.url));
const GENERATED = {
  [CHECK]: { file: 'envoy/service/auth/v3/external_auth_pb.js', service: 'Authorization', method: 'check' },
  [PROCESS]: { file: 'envoy/service/ext_proc/v3/external_processor_pb.js', service: 'ExternalProcessor', method: 'process' },
} as const;

/** The generated descriptor of one of Envoy's methods; fails with what to run when it was never generated. */
async function generatedMethod(grpcPath: keyof typeof GENERATED): Promise<DescMethod> {
  const { file, service, method } = GENERATED[grpcPath];
  let mod: Record<string, DescService>;
  try {
    // A computed specifier: nothing resolves it before it exists (dependency-cruiser, tsc).
    mod = await import(pathToFileURL(path.join(GENERATED_DIR, file)).href);
  } catch (err) {
    throw new Error(`the connect gRPC stack needs code generated from Envoy's protos: run \`bash scripts/gen-connect.sh\` (${errorMessage(err)})`);
  }
  return mod[service]!.method[method]!;
}

export function createConnectTransport(methods: ReadonlyMap<string, BoundMethod>, options: TransportOptions): GrpcTransport {
  for (const p of methods.keys()) {
    if (p !== CHECK && p !== PROCESS) throw new Error(`the connect gRPC transport serves Envoy's Check and Process only, not ${p}`);
  }
  const { server, listen, close } = createH2cServer('connect', options.tls);

  async function routes(): Promise<(router: ConnectRouter) => void> {
    const bound: Array<(router: ConnectRouter) => void> = [];
    for (const [p, m] of methods) {
      const desc = await generatedMethod(p as keyof typeof GENERATED);
      if (m.kind === 'unary') bound.push((router) => router.rpc(desc as any, unary(p, desc, m.handler) as any));
      else bound.push((router) => router.rpc(desc as any, bidi(p, desc, m.handler) as any));
    }
    return (router) => { for (const b of bound) b(router); };
  }

  return {
    async listen(target) {
      const { connectNodeAdapter } = await import('@connectrpc/connect-node');
      const handler = connectNodeAdapter({
        routes: await routes(),
        grpc: true,
        grpcWeb: false,
        connect: false,
        readMaxBytes: options.maxReceiveBytes,
        writeMaxBytes: options.maxSendBytes,
        // We advertise no compression, as the other stacks (Envoy sends none then).
        acceptCompression: [],
      });
      server.on('request', handler);
      await listen(target);
    },
    close,
  };
}

/** A handler's throw as gRPC INTERNAL (connect would say UNKNOWN), logged once. */
async function internal(grpcPath: string, err: unknown): Promise<never> {
  logHandlerError(grpcPath, err);
  const { ConnectError, Code } = await import('@connectrpc/connect');
  throw new ConnectError(errorMessage(err), Code.Internal);
}

function unary(grpcPath: string, method: DescMethod, handler: UnaryHandler) {
  const input: DescMessage = method.input;
  const output: DescMessage = method.output;
  return async (req: Record<string, any>) => {
    try {
      return fromLoaderShape(output, await handler(toLoaderShape(input, req)));
    } catch (err) {
      return internal(grpcPath, err);
    }
  };
}

function bidi(grpcPath: string, method: DescMethod, handler: BidiHandler) {
  const input: DescMessage = method.input;
  const output: DescMessage = method.output;
  return async function* (requests: AsyncIterable<Record<string, any>>, ctx: HandlerContext) {
    // Replies the handler wrote, not yet taken by connect; `wake` resolves the generator's wait.
    const queue: Record<string, any>[] = [];
    let wake: (() => void) | undefined;
    let ended = false; // end(): finish with status 0 once the queue is drained
    let cancelled = false;
    let failure: { err: unknown } | undefined;
    let onMessage: ((req: any) => void) | undefined;
    let onEnd: (() => void) | undefined;
    let onCancel: (() => void) | undefined;
    const notify = () => { const w = wake; wake = undefined; w?.(); };
    const cancel = () => {
      if (cancelled || ended) return;
      cancelled = true;
      notify();
      try { onCancel?.(); } catch { /* the call is over anyway */ }
    };
    const fail = (err: unknown) => {
      if (cancelled || ended || failure) return;
      failure = { err };
      cancel();
    };
    const run = (cb: ((arg?: any) => void) | undefined, arg?: unknown) => {
      if (cancelled || ended || !cb) return;
      try {
        cb(arg);
      } catch (err) {
        fail(err);
      }
    };
    const call: BidiCall = {
      onMessage: (cb) => void (onMessage = cb),
      onEnd: (cb) => void (onEnd = cb),
      onCancel: (cb) => void (onCancel = cb),
      write(res) {
        if (cancelled || ended) return;
        try {
          queue.push(fromLoaderShape(output, res));
        } catch (err) {
          return fail(err);
        }
        notify();
      },
      end() {
        if (cancelled || ended) return;
        ended = true;
        notify();
      },
      get closed() {
        return cancelled || ended;
      },
    };
    ctx.signal.addEventListener('abort', cancel, { once: true });
    try {
      handler(call);
    } catch (err) {
      fail(err);
    }
    // Reads the client's messages beside the writes below (a bidi call's two directions are independent).
    void (async () => {
      try {
        for await (const req of requests) {
          if (cancelled || ended) return;
          let shaped: unknown;
          try {
            shaped = toLoaderShape(input, req);
          } catch (err) {
            return fail(err);
          }
          run(onMessage, shaped);
        }
        // node:http2 ends the readable side before it reports a reset: wait one turn, as grpcjs-transport.ts.
        setImmediate(() => run(onEnd));
      } catch {
        cancel(); // a reset, lost connection or deadline (connect aborts ctx.signal too)
      }
    })();
    try {
      for (;;) {
        while (queue.length && !cancelled) yield queue.shift()!;
        if (cancelled || ended) break;
        await new Promise<void>((resolve) => { wake = resolve; });
      }
    } finally {
      ctx.signal.removeEventListener('abort', cancel);
      // connect returned from the generator early (the peer went away): the handler hears onCancel.
      if (!ended && !cancelled) cancel();
    }
    if (failure) await internal(grpcPath, failure.err);
  };
}
