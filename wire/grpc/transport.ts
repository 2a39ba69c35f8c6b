// The gRPC server transport both services run on, chosen at start: node:http2 (our own minimal gRPC
// server, cheaper per call), @grpc/grpc-js, or @connectrpc/connect-node (with code generated from
// Envoy's protos by scripts/gen-connect.sh). Handlers are written once against the types below.
import { loadEnvoyMethods } from '../protos.ts';
import { createConnectTransport } from './connect-transport.ts';
import { createGrpcJsTransport } from './grpcjs-transport.ts';
import { createHttp2Transport } from './http2-transport.ts';
import type { MethodCodec, ServiceBinding, TransportOptions, GrpcTransport, TransportName, BoundMethod } from './types.ts';

export type { MethodCodec, UnaryHandler, BidiCall, BidiHandler, ServiceBinding, TransportOptions, GrpcTransport, TransportName, BoundMethod } from './types.ts';

/** A codec from a @grpc/proto-loader method definition (both stacks then decode to the same objects). */
export function methodCodec<Req = any, Res = any>(def: {
  path: string;
  requestDeserialize(buf: Buffer): Req;
  responseSerialize(res: Res): Buffer;
}): MethodCodec<Req, Res> {
  return { path: def.path, decode: (buf) => def.requestDeserialize(buf), encode: (res) => def.responseSerialize(res) };
}

/** Codecs of Envoy's ext_authz Check and ext_proc Process (protos/load.ts's loader options). */
export function envoyCodecs(): { check: MethodCodec<any, any>; process: MethodCodec<any, any> } {
  const methods = loadEnvoyMethods();
  return { check: methodCodec(methods.check), process: methodCodec(methods.process) };
}

/** Pairs each bound handler with its codec; throws for a path without one or bound twice. */
export function bindMethods(binding: ServiceBinding): Map<string, BoundMethod> {
  const codecs = new Map((binding.codecs ?? Object.values(envoyCodecs())).map((c) => [c.path, c]));
  const methods = new Map<string, BoundMethod>();
  const codecFor = (path: string) => {
    const codec = codecs.get(path);
    if (!codec) throw new Error(`no codec for gRPC method ${path}`);
    if (methods.has(path)) throw new Error(`gRPC method ${path} bound twice`);
    return codec;
  };
  for (const [path, handler] of Object.entries(binding.unary ?? {})) methods.set(path, { kind: 'unary', codec: codecFor(path), handler });
  for (const [path, handler] of Object.entries(binding.bidi ?? {})) methods.set(path, { kind: 'bidi', codec: codecFor(path), handler });
  return methods;
}

export function createTransport(name: TransportName, binding: ServiceBinding, options: TransportOptions): GrpcTransport {
  const methods = bindMethods(binding);
  switch (name) {
    case 'http2':
      return createHttp2Transport(methods, options);
    case 'grpc-js':
      return createGrpcJsTransport(methods, options);
    case 'connect':
      return createConnectTransport(methods, options);
    default:
      throw new Error(`unknown gRPC transport ${String(name)} (http2, grpc-js or connect)`);
  }
}
