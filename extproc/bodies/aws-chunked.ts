// Verifies a signed aws-chunked request body against the client's signature chain and re-signs
// every chunk (and the trailer) for the backend's chain, as the body streams through.
//
// Why bodies pass through Node here: each chunk signature chains from the request signature, which
// the gateway replaces when it re-signs for the backend; a backend verifying the client's chunk
// signatures would need the client's key. So these bodies are streamed through ext_proc (STREAMED
// mode, Envoy's flow control). Memory stays bounded: at most one frame is held, and frames keep their
// exact length so Content-Length still holds. The only other body that enters Node is a POST Object
// form's first bytes (post-object.ts), for the same reason: its credentials are inside it.

import { errors, S3Error } from '../../core/errors.ts';
import { chunkSignature, trailerSignature, type ChainContext } from '../../core/sigv4/chunk-signature.ts';
import { sameSignature } from '../../core/sigv4/verify.ts';

/** Frames larger than this are refused rather than held (SDKs send 8 KiB to 1 MiB). */
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
const MAX_LINE = 512;

export interface ChainEnds {
  /** The client's access key id, for the error it gets when a chunk's signature is wrong. */
  accessKeyId: string;
  client: ChainContext & { seed: string };
  backend: ChainContext & { seed: string };
  trailer: boolean;
  /** x-amz-decoded-content-length: the sum of the chunk sizes must match it exactly. */
  decodedLength: number;
}

// Broken framing, anywhere, is AWS's IncompleteBody; the argument only says (here) what broke.
const malformed = (_what: string) => errors.incompleteBody();
const tooLarge = () =>
  new S3Error('InvalidRequest', 400, `aws-chunked chunks larger than ${MAX_CHUNK_BYTES} bytes are not accepted by this gateway.`);

type State = 'header' | 'data' | 'data-crlf' | 'trailer' | 'done';

export class AwsChunkedResigner {
  private state: State = 'header';
  private pending: Buffer = Buffer.alloc(0);
  private clientPrev: string;
  private backendPrev: string;
  private sizeToken = '';
  private size = 0;
  private clientSig = '';
  private decoded = 0;
  private readonly trailers: string[] = [];

  constructor(private readonly ends: ChainEnds) {
    this.clientPrev = ends.client.seed;
    this.backendPrev = ends.backend.seed;
  }

  /** Feeds bytes as they arrive; returns the bytes to forward now (whole re-signed frames). */
  push(input: Buffer): Buffer {
    this.pending = this.pending.length ? Buffer.concat([this.pending, input]) : input;
    const out: Buffer[] = [];
    for (;;) {
      const emitted = this.step();
      if (emitted === undefined) break;
      if (emitted.length) out.push(emitted);
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /** The body ended: anything but a complete, fully signed chain is an error. */
  end(): void {
    if (this.state !== 'done' || this.pending.length > 0) throw errors.incompleteBody();
  }

  /** One parsing step; undefined when more input is needed. */
  private step(): Buffer | undefined {
    switch (this.state) {
      case 'header':
        return this.readHeader();
      case 'data':
        return this.readData();
      case 'data-crlf':
        return this.readDataEnd();
      case 'trailer':
        return this.readTrailer();
      case 'done':
        if (this.pending.length > 0) throw malformed('data after the final chunk');
        return undefined;
    }
  }

  private line(): string | undefined {
    const nl = this.pending.indexOf('\r\n');
    if (nl < 0) {
      if (this.pending.length > MAX_LINE) throw malformed('line too long');
      return undefined;
    }
    const text = this.pending.subarray(0, nl).toString('latin1');
    this.pending = this.pending.subarray(nl + 2);
    return text;
  }

  private readHeader(): Buffer | undefined {
    const text = this.line();
    if (text === undefined) return undefined;
    const m = /^([0-9a-fA-F]{1,16});chunk-signature=([0-9a-f]{64})$/.exec(text);
    if (!m) throw malformed('bad chunk header');
    this.sizeToken = m[1]!;
    this.size = parseInt(this.sizeToken, 16);
    if (this.size > MAX_CHUNK_BYTES) throw tooLarge();
    this.clientSig = m[2]!;
    this.state = 'data';
    return Buffer.alloc(0);
  }

  private readData(): Buffer | undefined {
    if (this.pending.length < this.size) return undefined;
    const data = this.pending.subarray(0, this.size);
    this.pending = this.pending.subarray(this.size);
    const expected = chunkSignature(this.ends.client, this.clientPrev, data);
    if (!sameSignature(expected, this.clientSig)) throw errors.signatureDoesNotMatch(this.ends.accessKeyId);
    this.clientPrev = expected;
    this.backendPrev = chunkSignature(this.ends.backend, this.backendPrev, data);
    this.decoded += this.size;
    if (this.decoded > this.ends.decodedLength) throw errors.contentLengthMismatch();
    const header = Buffer.from(`${this.sizeToken};chunk-signature=${this.backendPrev}\r\n`, 'latin1');
    if (this.size === 0) {
      if (this.decoded !== this.ends.decodedLength) throw errors.contentLengthMismatch();
      this.state = this.ends.trailer ? 'trailer' : 'data-crlf';
      return header;
    }
    this.state = 'data-crlf';
    return Buffer.concat([header, data]);
  }

  private readDataEnd(): Buffer | undefined {
    if (this.pending.length < 2) return undefined;
    if (this.pending[0] !== 0x0d || this.pending[1] !== 0x0a) throw malformed('chunk longer than declared');
    this.pending = this.pending.subarray(2);
    this.state = this.decoded === this.ends.decodedLength && this.size === 0 ? 'done' : 'header';
    return Buffer.from('\r\n', 'latin1');
  }

  /**
   * Trailer lines, then `x-amz-trailer-signature:…`, then an empty line. A trailer that is missing
   * or not `name:value` is MalformedTrailerError; once one has come, a broken line where the
   * signature belongs is broken framing.
   */
  private readTrailer(): Buffer | undefined {
    const text = this.line();
    if (text === undefined) return undefined;
    const colon = text.indexOf(':');
    if (colon <= 0) throw this.trailers.length === 0 ? errors.malformedTrailer() : malformed('bad trailer line');
    const name = text.slice(0, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (name !== 'x-amz-trailer-signature') {
      if (this.trailers.length >= 8) throw errors.malformedTrailer();
      this.trailers.push(`${name}:${value}\n`);
      return Buffer.from(`${text}\r\n`, 'latin1');
    }
    if (!/^[0-9a-f]{64}$/.test(value)) throw malformed('bad trailer signature');
    const canonical = this.trailers.join('');
    const expected = trailerSignature(this.ends.client, this.clientPrev, canonical);
    if (!sameSignature(expected, value)) throw errors.signatureDoesNotMatch(this.ends.accessKeyId);
    const resigned = trailerSignature(this.ends.backend, this.backendPrev, canonical);
    this.state = 'data-crlf';
    this.size = 0;
    return Buffer.from(`x-amz-trailer-signature:${resigned}\r\n`, 'latin1');
  }
}
