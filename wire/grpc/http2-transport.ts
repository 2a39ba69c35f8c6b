// A minimal gRPC server on node:http2 (h2c with prior knowledge, what Envoy's envoy_grpc speaks on a
// Unix socket): unary and bidi calls, length-prefixed messages, grpc-timeout, size limits, backpressure.
// Only node built-ins; no compression (we advertise no grpc-encoding, so peers send none).
import http2 from 'node:http2';
import { createH2cServer } from './h2c-server.ts';
import { encodeFrame, FrameDecoder, FrameTooLarge } from './framing.ts';
import { encodeGrpcMessage, errorMessage, logHandlerError, Status } from './status.ts';
import type { BidiCall, BoundMethod, GrpcTransport, TransportOptions } from './types.ts';

const { NGHTTP2_NO_ERROR } = http2.constants;
const TIMEOUT_UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };
const MAX_TIMER_MS = 2 ** 31 - 1;

/** grpc-timeout ("1S", "250m", at most 8 digits) in ms; undefined if malformed. */
export function parseGrpcTimeout(value: string): number | undefined {
  const m = /^(\d{1,8})([HMSmun])$/.exec(value);
  return m ? Number(m[1]) * TIMEOUT_UNIT_MS[m[2]!]! : undefined;
}

export function createHttp2Transport(methods: ReadonlyMap<string, BoundMethod>, options: TransportOptions): GrpcTransport {
  const { server, listen, close } = createH2cServer('http2', options.tls);
  server.on('stream', (stream, headers) => startCall(stream, headers, methods, options));
  return { listen, close };
}

function startCall(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, methods: ReadonlyMap<string, BoundMethod>, options: TransportOptions) {
  stream.on('error', () => {}); // a reset or lost connection; 'close' tells the call
  const contentType = headers['content-type'] ?? '';
  if (headers[':method'] !== 'POST' || !contentType.startsWith('application/grpc')) {
    stream.respond({ ':status': 415, 'content-type': 'text/plain' }, { endStream: true });
    if (!stream.readableEnded) closeAfterHeaders(stream);
    return;
  }
  const method = methods.get(headers[':path'] ?? '');
  const timeout = headers['grpc-timeout'];
  const timeoutMs = typeof timeout === 'string' ? parseGrpcTimeout(timeout) : undefined;
  const encoding = headers['grpc-encoding'];
  const call = new Http2Call(stream, method, options);
  if (!method) call.fail(Status.UNIMPLEMENTED, `method ${headers[':path']} not implemented`);
  else if (timeout !== undefined && timeoutMs === undefined) call.fail(Status.INTERNAL, `invalid grpc-timeout ${timeout}`);
  else if (encoding !== undefined && encoding !== 'identity') call.fail(Status.UNIMPLEMENTED, `grpc-encoding ${encoding} not supported`);
  else call.start(timeoutMs);
}

/**
 * RST_STREAM(NO_ERROR) once the response HEADERS (with END_STREAM) are on the wire, not before.
 * respond() only queues the HEADERS in nghttp2; they are serialized on the session's next write. An
 * RST_STREAM submitted before then is sent on its own: nghttp2 1.69 (Node 22) drops the stream's
 * queued HEADERS, so the peer sees a reset and no response (1.61, Node 20, still sent them first).
 * nghttp2 shuts the stream's local side (stream.state.localClose) when it sends END_STREAM, so we
 * wait for that: the next turns first (the session writes in a native immediate), then a short timer
 * for a session whose socket is not writable.
 */
function closeAfterHeaders(stream: http2.ServerHttp2Stream, turns = 0): void {
  if (stream.closed || stream.destroyed) return;
  if (stream.state.localClose) return void stream.close(NGHTTP2_NO_ERROR);
  const next = () => closeAfterHeaders(stream, turns + 1);
  if (turns < 4) setImmediate(next);
  else setTimeout(next, 5).unref();
}

/** One call's state: reading messages, the handler's answers, how it ends. */
class Http2Call implements BidiCall {
  closed = false;
  private headersSent = false;
  private trailers: http2.OutgoingHttpHeaders = {};
  private readonly decoder: FrameDecoder;
  private deadline: NodeJS.Timeout | undefined;
  /** Frames written while the stream was over its buffer, sent on 'drain'; the end waits for them. */
  private queue: Buffer[] | undefined;
  private endQueued = false;
  private unaryRequests: unknown[] = [];
  private messageCb: ((req: unknown) => void) | undefined;
  private endCb: (() => void) | undefined;
  private cancelCb: (() => void) | undefined;

  constructor(private readonly stream: http2.ServerHttp2Stream, private readonly method: BoundMethod | undefined, private readonly options: TransportOptions) {
    this.decoder = new FrameDecoder(options.maxReceiveBytes);
    stream.on('close', () => this.cancel());
    stream.on('wantTrailers', () => stream.sendTrailers(this.trailers));
  }

  start(timeoutMs: number | undefined): void {
    const method = this.method!;
    if (timeoutMs !== undefined && timeoutMs <= MAX_TIMER_MS) {
      this.deadline = setTimeout(() => this.fail(Status.DEADLINE_EXCEEDED, 'Deadline exceeded'), timeoutMs);
    }
    this.stream.on('data', (chunk: Buffer) => this.onData(chunk));
    this.stream.on('end', () => this.onClientEnd());
    if (method.kind === 'bidi') this.guard(() => method.handler(this));
  }

  // BidiCall
  onMessage(cb: (req: unknown) => void): void {
    this.messageCb = cb;
  }
  onEnd(cb: () => void): void {
    this.endCb = cb;
  }
  onCancel(cb: () => void): void {
    this.cancelCb = cb;
  }
  write(res: unknown): void {
    // A reset stream is closed before its 'close' event (which cancels the call) comes round.
    if (this.closed || this.stream.closed || this.stream.destroyed) return;
    let payload: Buffer;
    try {
      payload = this.method!.codec.encode(res);
    } catch (err) {
      return this.handlerFailed(err);
    }
    if (payload.length > this.options.maxSendBytes) {
      return this.fail(Status.RESOURCE_EXHAUSTED, `Sent message larger than max (${payload.length} vs. ${this.options.maxSendBytes})`);
    }
    this.sendHeaders();
    const frame = encodeFrame(payload);
    if (this.queue) this.queue.push(frame);
    else if (!this.stream.write(frame)) this.waitForDrain([]);
  }
  end(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.deadline);
    if (this.queue) this.endQueued = true;
    else this.sendStatus(Status.OK);
  }

  /** Ends the call with an error status and cancels it (the handler hears onCancel). */
  fail(code: number, message: string): void {
    if (this.closed) return;
    this.queue = undefined;
    this.sendStatus(code, message);
    this.cancel();
  }

  private handlerFailed(err: unknown): void {
    if (this.closed) return;
    logHandlerError(this.method!.codec.path, err);
    this.fail(Status.INTERNAL, errorMessage(err));
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.handlerFailed(err);
    }
  }

  private cancel(): void {
    clearTimeout(this.deadline);
    if (this.closed) return;
    this.closed = true;
    this.queue = undefined;
    const cb = this.cancelCb;
    if (cb) this.guard(cb);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames;
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      return this.fail(err instanceof FrameTooLarge ? Status.RESOURCE_EXHAUSTED : Status.INTERNAL, errorMessage(err));
    }
    const method = this.method!;
    for (const frame of frames) {
      if (this.closed) return;
      if (frame.compressed) return this.fail(Status.INTERNAL, 'compressed message received, but no grpc-encoding was negotiated');
      let req: unknown;
      try {
        req = method.codec.decode(frame.payload);
      } catch (err) {
        return this.fail(Status.INTERNAL, `could not parse request: ${errorMessage(err)}`);
      }
      if (method.kind === 'unary') this.unaryRequests.push(req);
      else if (this.messageCb) this.guard(() => this.messageCb!(req));
    }
  }

  private onClientEnd(): void {
    // node:http2 also ends the readable side when the peer resets the stream: that is a cancel.
    if (this.stream.closed) return this.cancel();
    if (this.closed) return;
    if (this.decoder.pending > 0) return this.fail(Status.INTERNAL, 'stream ended inside a message');
    const method = this.method!;
    if (method.kind === 'bidi') {
      if (this.endCb) this.guard(this.endCb);
      return;
    }
    if (this.unaryRequests.length !== 1) return this.fail(Status.INTERNAL, `unary call with ${this.unaryRequests.length} request messages`);
    try {
      const result = method.handler(this.unaryRequests[0]);
      if (result instanceof Promise) result.then((res) => this.answer(res), (err) => this.handlerFailed(err));
      else this.answer(result);
    } catch (err) {
      this.handlerFailed(err);
    }
  }

  private answer(res: unknown): void {
    this.write(res);
    this.end();
  }

  private sendHeaders(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  }

  /** Trailers (or trailers-only headers when nothing was sent); a client still sending gets RST_STREAM(NO_ERROR). */
  private sendStatus(code: number, message?: string): void {
    const stream = this.stream;
    if (stream.closed || stream.destroyed) return;
    const status: http2.OutgoingHttpHeaders = { 'grpc-status': String(code) };
    if (message) status['grpc-message'] = encodeGrpcMessage(message);
    if (this.headersSent) {
      this.trailers = status; // sent on 'wantTrailers', after the data written so far
      stream.end();
      // Like grpc-js: what the client still sends is read and dropped until it half-closes or resets.
      // (An RST_STREAM here would overtake the trailers: node:http2 sends it first.)
      if (!stream.readableEnded) stream.resume();
    } else {
      this.headersSent = true;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...status }, { endStream: true });
      // A client still sending (e.g. an oversize message) is told to stop: RST_STREAM(NO_ERROR), RFC 9113 §8.1.
      if (!stream.readableEnded) closeAfterHeaders(stream);
    }
  }

  /** The stream buffers more than its high-water mark: hold further frames, and stop reading the client. */
  private waitForDrain(queue: Buffer[]): void {
    this.queue = queue;
    this.stream.pause();
    this.stream.once('drain', () => this.flush());
  }

  private flush(): void {
    const queue = this.queue;
    if (!queue || this.stream.destroyed) return;
    this.queue = undefined;
    while (queue.length > 0) {
      if (!this.stream.write(queue.shift()!)) return this.waitForDrain(queue);
    }
    if (this.endQueued) this.sendStatus(Status.OK);
    else this.stream.resume();
  }
}
