// Reads the HTTP/1.1 requests out of the bytes a client sends on one connection, as they come, without
// keeping bodies: request line, headers (names lower-cased, in order), how the body was framed, its
// size on the wire, and the trailer fields of a chunked body. Used by the recorder to find out what each
// client really sends (x-amz-content-sha256, Content-Encoding, Transfer-Encoding, trailers).

export interface RecordedRequest {
  method: string;
  /** The request target in origin form (path and query); an absolute-form target is reduced to it. */
  target: string;
  /** For an absolute-form request line (a client that takes the receiver for its HTTP proxy): its authority. */
  absoluteAuthority?: string;
  headers: Array<[string, string]>;
  /** 'chunked' (Transfer-Encoding), 'length' (Content-Length) or 'none'. */
  framing: 'chunked' | 'length' | 'none';
  /** Body bytes on the wire after HTTP framing is removed (aws-chunked frames are still counted). */
  bodyBytes: number;
  /** Trailer fields after the last chunk of a chunked body (HTTP trailers, not aws-chunked ones). */
  trailers: Array<[string, string]>;
  /** The last bytes of the body (HTTP framing removed): where an aws-chunked body has its final chunk. */
  bodyTail: Buffer;
}

const TAIL_BYTES = 1024;

export function header(req: Pick<RecordedRequest, 'headers'>, name: string): string | undefined {
  return req.headers.find(([k]) => k === name)?.[1];
}

type State =
  | { kind: 'head' }
  | { kind: 'length'; left: number }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; left: number }
  | { kind: 'chunk-end' }
  | { kind: 'trailers' };

const MAX_LINE = 64 * 1024;

export class RequestParser {
  private buf: Buffer = Buffer.alloc(0);
  private state: State = { kind: 'head' };
  private current: RecordedRequest | undefined;

  constructor(private readonly onRequest: (req: RecordedRequest) => void) {}

  push(data: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, data]) : data;
    while (this.step()) { /* consume as much as possible */ }
  }

  /** One transition; false when more bytes are needed. */
  private step(): boolean {
    const s = this.state;
    switch (s.kind) {
      case 'head': {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) return this.keepLine();
        const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n');
        this.buf = this.buf.subarray(end + 4);
        if (lines[0] === '') return true; // stray CRLF between requests
        this.startRequest(lines);
        return true;
      }
      case 'length':
      case 'chunk-data': {
        const n = Math.min(s.left, this.buf.length);
        const req = this.current!;
        req.bodyBytes += n;
        if (n > 0) {
          const tail = Buffer.concat([req.bodyTail, this.buf.subarray(Math.max(0, n - TAIL_BYTES), n)]);
          req.bodyTail = tail.subarray(Math.max(0, tail.length - TAIL_BYTES));
        }
        this.buf = this.buf.subarray(n);
        s.left -= n;
        if (s.left > 0) return false;
        if (s.kind === 'length') this.finish();
        else this.state = { kind: 'chunk-end' };
        return true;
      }
      case 'chunk-size': {
        const line = this.line();
        if (line === undefined) return this.keepLine();
        const size = parseInt(line.split(';')[0]!.trim(), 16);
        if (!Number.isFinite(size)) throw new Error(`bad chunk size line ${JSON.stringify(line)}`);
        this.state = size === 0 ? { kind: 'trailers' } : { kind: 'chunk-data', left: size };
        return true;
      }
      case 'chunk-end': {
        const line = this.line();
        if (line === undefined) return false;
        this.state = { kind: 'chunk-size' };
        return true;
      }
      case 'trailers': {
        const line = this.line();
        if (line === undefined) return this.keepLine();
        if (line === '') this.finish();
        else this.current!.trailers.push(splitField(line));
        return true;
      }
    }
  }

  private startRequest(lines: string[]): void {
    const [method = '', sent = ''] = lines[0]!.split(' ');
    const headers = lines.slice(1).map(splitField);
    const absolute = /^https?:\/\/([^/?]+)(.*)$/i.exec(sent);
    const target = absolute ? (absolute[2]!.startsWith('/') ? absolute[2]! : `/${absolute[2]}`) : sent;
    const req: RecordedRequest = { method, target, headers, framing: 'none', bodyBytes: 0, trailers: [], bodyTail: Buffer.alloc(0) };
    if (absolute) req.absoluteAuthority = absolute[1]!;
    this.current = req;
    const te = header(req, 'transfer-encoding') ?? '';
    const length = Number(header(req, 'content-length') ?? '0');
    if (/chunked/i.test(te)) {
      req.framing = 'chunked';
      this.state = { kind: 'chunk-size' };
    } else if (header(req, 'content-length') !== undefined) {
      req.framing = 'length';
      this.state = { kind: 'length', left: length };
      if (length === 0) this.finish();
    } else {
      this.finish();
    }
  }

  private finish(): void {
    this.onRequest(this.current!);
    this.current = undefined;
    this.state = { kind: 'head' };
  }

  /** The next CRLF-terminated line (consumed), or undefined if it is not complete yet. */
  private line(): string | undefined {
    const end = this.buf.indexOf('\r\n');
    if (end < 0) return undefined;
    const line = this.buf.subarray(0, end).toString('latin1');
    this.buf = this.buf.subarray(end + 2);
    return line;
  }

  private keepLine(): false {
    if (this.buf.length > MAX_LINE) throw new Error(`no end of line in ${MAX_LINE} bytes: not HTTP/1.1?`);
    return false;
  }
}

function splitField(line: string): [string, string] {
  const colon = line.indexOf(':');
  return colon < 0 ? [line.toLowerCase(), ''] : [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
}
