// The gRPC server transport both services run on, chosen at start: node:http2 (our own minimal gRPC
// server, cheaper per call), @grpc/grpc-js, or @connectrpc/connect-node (with code generated from
// Envoy's protos by scripts/gen-connect.sh). Handlers are written once against the types below.
import { loadEnvoyMethods } from '../protos.ts';
import { createConnectTransport } from './connect-transport.ts';
import { createGrpcJsTransport } from './grpcjs-transport.ts';
import { createHttp2Transport } from './http2-transport.ts';

/** How one method's messages are turned into JS objects and back (from proto-loader: see methodCodec). */
export interface MethodCodec<Req, Res> {
  path: string;
  decode(buf: Buffer): Req;
  encode(res: Res): Buffer;
}

/** A thrown error (or rejected promise) becomes gRPC status INTERNAL (13), logged once; never a crash. */
export type UnaryHandler<Req = any, Res = any> = (req: Req) => Res | Promise<Res>;

/** One bidi-streaming call. Each on* takes one callback (a second call replaces the first). */
export interface BidiCall<Req = any, Res = any> {
  /** Each client message, in order. */
  onMessage(cb: (req: Req) => void): void;
  /** The client half-closed. */
  onEnd(cb: () => void): void;
  /**
   * The call ended other than by end(): stream reset by peer, deadline passed, connection lost,
   * server closing, or the transport failed it (oversize message, undecodable message, a throwing
   * callback). Fires at most once.
   */
  onCancel(cb: () => void): void;
  /** No-op once ended or cancelled. */
  write(res: Res): void;
  /** Ends the call with grpc-status 0 (after the messages written so far). */
  end(): void;
  readonly closed: boolean;
}

/** Called once per call, synchronously at its start; a throw becomes INTERNAL. */
export type BidiHandler<Req = any, Res = any> = (call: BidiCall<Req, Res>) => void;

export interface ServiceBinding {
  /** Handlers by method path, e.g. '/envoy.service.auth.v3.Authorization/Check'. */
  unary?: Record<string /* method path */, UnaryHandler>;
  bidi?: Record<string, BidiHandler>;
  /** Codecs for the bound paths; default: Envoy's ext_authz Check and ext_proc Process (envoyCodecs()). */
  codecs?: readonly MethodCodec<any, any>[];
}

export interface TransportOptions {
  maxReceiveBytes: number;
  maxSendBytes: number;
}

export interface GrpcTransport {
  listen(target: { socket: string } | { host: string; port: number }): Promise<void>;
  /** Stops accepting, sends GOAWAY, lets calls in flight finish, and cancels what remains after graceMs (default 0). */
  close(graceMs?: number): Promise<void>;
}

export type TransportName = 'http2' | 'grpc-js' | 'connect';

/** A method resolved against its codec, as the implementations receive it. */
export type BoundMethod =
  | { kind: 'unary'; codec: MethodCodec<any, any>; handler: UnaryHandler }
  | { kind: 'bidi'; codec: MethodCodec<any, any>; handler: BidiHandler };

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
