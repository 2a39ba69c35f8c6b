// Shared by the wire/grpc tests: transports on Unix sockets in a temp dir, a grpc-js client with
// Envoy's protos, and a raw node:http2 client for what grpc-js cannot send.
import fs from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadEnvoyMethods, loadEnvoyServices } from '../../../../wire/protos.ts';
import { createTransport, type GrpcTransport, type ServiceBinding, type TransportName, type TransportOptions } from '../../../../wire/grpc/transport.ts';

export const CHECK = '/envoy.service.auth.v3.Authorization/Check';
export const PROCESS = '/envoy.service.ext_proc.v3.ExternalProcessor/Process';
export const MiB = 1024 * 1024;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bucketgate-grpc-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
let sockets = 0;

/** Per test: a call that never settles fails its test instead of holding the run. */
export const LIMIT = { timeout: 20_000 };

// Everything the helpers open, so that closeAll() (each test file's after()) ends it even when a test
// failed, or timed out on a promise that never settled, before its own finally could run.
const transports = new Set<Running>();
const closers = new Set<() => void>();
function track<T>(thing: T, close: (t: T) => void): T {
  closers.add(() => close(thing));
  return thing;
}

/** Destroys every client, session and raw peer the helpers opened, then closes every transport (no grace). */
export async function closeAll(): Promise<void> {
  for (const close of closers) {
    try {
      close();
    } catch {
      // already closed
    }
  }
  closers.clear();
  const running = [...transports];
  transports.clear();
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('a transport did not close within 5 s')), 5000);
    timer.unref();
  });
  try {
    await Promise.race([Promise.all(running.map((r) => r.close(0))), stuck]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Running {
  socket: string;
  transport: GrpcTransport;
  close(graceMs?: number): Promise<void>;
}

export async function start(name: TransportName, binding: ServiceBinding, options: Partial<TransportOptions> = {}): Promise<Running> {
  const transport = createTransport(name, binding, { maxReceiveBytes: 16 * MiB, maxSendBytes: 16 * MiB, ...options });
  const socket = path.join(dir, `${name}-${++sockets}.sock`);
  let closing: Promise<void> | undefined;
  const running: Running = { socket, transport, close: (graceMs) => (closing ??= transport.close(graceMs)) };
  // The transport is tracked before listen(): a failed listen still gets closed.
  transports.add(running);
  await transport.listen({ socket });
  return running;
}

// ---- grpc-js client ----

const clientOptions = { 'grpc.max_receive_message_length': 64 * MiB, 'grpc.max_send_message_length': 64 * MiB };

/** `target`: a Unix socket path, or any grpc-js target (`127.0.0.1:7000`) with its credentials. */
export function authzClient(target: string, credentials = grpc.credentials.createInsecure()): any {
  const Client = grpc.makeGenericClientConstructor(loadEnvoyServices().authorization, 'Authorization');
  return track(new Client(target.startsWith('/') ? `unix:${target}` : target, credentials, clientOptions), (c) => c.close());
}

export function extProcClient(socket: string): any {
  const Client = grpc.makeGenericClientConstructor(loadEnvoyServices().externalProcessor, 'ExternalProcessor');
  return track(new Client(`unix:${socket}`, grpc.credentials.createInsecure(), clientOptions), (c) => c.close());
}

/** A client without service definitions, for methods no service has (bytes in, bytes out). */
export function bareClient(socket: string): grpc.Client {
  return track(new grpc.Client(`unix:${socket}`, grpc.credentials.createInsecure()), (c) => c.close());
}

export function check(client: any, request: object, options: grpc.CallOptions = {}): Promise<any> {
  return new Promise((resolve, reject) => client.Check(request, options, (err: any, res: any) => (err ? reject(err) : resolve(res))));
}

/** One Process stream: writes the messages, half-closes, collects answers and the final status. */
export function processAll(client: any, messages: object[]): Promise<{ responses: any[]; status: grpc.StatusObject }> {
  return new Promise((resolve) => {
    const call = client.Process();
    const responses: any[] = [];
    call.on('data', (m: any) => responses.push(m));
    call.on('error', () => {});
    call.on('status', (status: grpc.StatusObject) => resolve({ responses, status }));
    for (const m of messages) call.write(m);
    call.end();
  });
}

export function checkRequest(path: string): object {
  return { attributes: { request: { http: { method: 'GET', path, headers: { host: 'bucket.example' } } } } };
}

export function headersMessage(path: string): object {
  return { request_headers: { headers: { headers: [{ key: ':path', raw_value: Buffer.from(path) }] }, end_of_stream: true } };
}

// ---- raw node:http2 client ----

export function rawSession(socket: string): http2.ClientHttp2Session {
  const session = http2.connect('http://localhost', { createConnection: () => net.connect(socket), maxSessionMemory: 1024 });
  session.on('error', () => {});
  return track(session, (s) => s.destroy());
}

const methods = loadEnvoyMethods();
export const encodeCheck = (req: object): Buffer => methods.check.requestSerialize(req);
export const decodeCheck = (buf: Buffer): any => methods.check.responseDeserialize(buf);
export const encodeProcess = (req: object): Buffer => methods.process.requestSerialize(req);
export const decodeProcess = (buf: Buffer): any => methods.process.responseDeserialize(buf);

/** A length-prefixed message (compressed flag as given, not compressed for real). */
export function frame(payload: Buffer, compressed = false): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = compressed ? 1 : 0;
  prefix.writeUInt32BE(payload.length, 1);
  return Buffer.concat([prefix, payload]);
}

export function splitFrames(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < body.length; ) {
    const len = body.readUInt32BE(at + 1);
    out.push(body.subarray(at + 5, at + 5 + len));
    at += 5 + len;
  }
  return out;
}

export interface RawResult {
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders | undefined;
  body: Buffer;
  /** grpc-status from trailers, or from the headers of a trailers-only response. */
  status: number | undefined;
  message: string | undefined;
  rstCode: number | undefined;
}

/** Opens a stream with gRPC request headers; `result` settles when the stream closes. */
export function rawRequest(session: http2.ClientHttp2Session, path: string, extraHeaders: http2.OutgoingHttpHeaders = {}) {
  const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...extraHeaders });
  stream.on('error', () => {});
  const result = new Promise<RawResult>((resolve) => {
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (headers = h));
    stream.on('trailers', (t) => {
      trailers = t;
      // The call is over: a client still open half-closes, as grpc-js and Envoy do (the server drops what comes after).
      if (!stream.writableEnded) stream.end();
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('close', () => {
      const source = trailers ?? headers;
      const status = source['grpc-status'];
      const message = source['grpc-message'];
      resolve({
        headers,
        trailers,
        body: Buffer.concat(chunks),
        status: status === undefined ? undefined : Number(status),
        message: typeof message === 'string' ? decodeURIComponent(message) : undefined,
        rstCode: stream.rstCode,
      });
    });
  });
  return { stream, result };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until cond() holds (polling), or fails after ms. */
export async function until(cond: () => boolean, ms = 2000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** Captures console.error while fn runs. */
export async function capturingStderr<T>(fn: () => Promise<T>): Promise<{ value: T; logged: unknown[][] }> {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    return { value: await fn(), logged };
  } finally {
    console.error = original;
  }
}

// ---- hand-written HTTP/2 frames: a peer that resets a stream without half-closing it first ----
// (node:http2's client stream.close() sends END_STREAM before RST_STREAM, as Envoy does not.)

function h2Frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId, 5);
  return Buffer.concat([head, payload]);
}

/** HPACK literal header fields without indexing, no Huffman (names and values under 127 bytes). */
function hpack(headers: [string, string][]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of headers) parts.push(Buffer.from([0, name.length]), Buffer.from(name), Buffer.from([value.length]), Buffer.from(value));
  return Buffer.concat(parts);
}

export class WirePeer {
  readonly socket: net.Socket;
  /** Settles once the server's SETTINGS arrived (and were acknowledged). */
  readonly ready: Promise<void>;
  constructor(path: string) {
    this.socket = track(net.connect(path), (s) => s.destroy());
    this.socket.on('error', () => {});
    this.ready = new Promise((resolve) =>
      this.socket.once('data', () => {
        this.socket.write(h2Frame(0x4, 0x1, 0, Buffer.alloc(0))); // ACK the server's SETTINGS
        resolve();
      }),
    );
    this.socket.resume();
    this.socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), h2Frame(0x4, 0, 0, Buffer.alloc(0))]));
  }
  /** HEADERS (END_HEADERS) for a gRPC call on stream id, then one DATA frame with the messages. */
  open(id: number, path: string, body: Buffer, extra: [string, string][] = []): void {
    const headers: [string, string][] = [[':method', 'POST'], [':scheme', 'http'], [':path', path], [':authority', 'localhost'], ['content-type', 'application/grpc'], ['te', 'trailers'], ...extra];
    this.socket.write(Buffer.concat([h2Frame(0x1, 0x4, id, hpack(headers)), h2Frame(0x0, 0, id, body)]));
  }
  reset(id: number, code = http2.constants.NGHTTP2_CANCEL): void {
    const payload = Buffer.alloc(4);
    payload.writeUInt32BE(code);
    this.socket.write(h2Frame(0x3, 0, id, payload));
  }
}
