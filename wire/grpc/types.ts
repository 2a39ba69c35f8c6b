// The types both services' handlers and every gRPC server transport share (transport.ts builds one).

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
  /** Serve over TLS (HTTP/2 negotiated by ALPN) with this certificate chain and key, PEM; else cleartext h2c. */
  tls?: ServerTls;
}

export interface ServerTls {
  cert: Buffer;
  key: Buffer;
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
