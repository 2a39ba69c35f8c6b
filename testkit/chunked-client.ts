// A client of signed aws-chunked uploads (as mc, minio-js and older SDKs send them), built on the
// AWS signer for the request and on the chunk-signature primitives (checked against AWS's worked
// example in test/unit/aws-chunked.test.ts) for the body. Tests use its knobs to break the body.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { chunkSignature, trailerSignature, type ChainContext } from '../core/sigv4/chunk-signature.ts';
import { signingKey } from '../core/sigv4/signing-key.ts';
import { signedRequest, type Creds, type RawRequest } from './raw-request.ts';

export interface ChunkedOptions {
  chunkSize?: number;
  /** Add an x-amz-checksum-crc32 trailer (the -TRAILER variant). */
  trailer?: boolean;
  /** Corruptions, applied after signing. */
  tamperChunk?: number;
  wrongTrailerChecksum?: boolean;
  /** The body (and its Content-Length) stops 40 bytes short: inside the final chunk's frame. */
  truncateFinal?: boolean;
  /** Declared decoded length differs from the data by this many bytes. */
  decodedLengthDelta?: number;
}

export function crc32Base64(data: Buffer): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(data));
  return b.toString('base64');
}

export async function chunkedPut(endpoint: string, creds: Creds, path: string, data: Buffer, o: ChunkedOptions = {}): Promise<RawRequest> {
  const size = o.chunkSize ?? 64 * 1024;
  const chunks: Buffer[] = [];
  for (let off = 0; off < data.length; off += size) chunks.push(data.subarray(off, off + size));
  const trailerValue = o.wrongTrailerChecksum ? crc32Base64(Buffer.concat([data, Buffer.from('x')])) : crc32Base64(data);
  const trailerLine = `x-amz-checksum-crc32:${trailerValue}`;
  const fullLength = encodedLength(chunks, o.trailer ? trailerLine : undefined);
  const bodyLength = o.truncateFinal ? fullLength - 40 : fullLength;
  const signingDate = new Date();
  const headers: Record<string, string> = {
    'x-amz-content-sha256': o.trailer ? 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' : 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': String(data.length + (o.decodedLengthDelta ?? 0)),
    'content-length': String(bodyLength),
    ...(o.trailer ? { 'x-amz-trailer': 'x-amz-checksum-crc32' } : {}),
  };
  const req = await signedRequest(endpoint, creds, 'PUT', path, { signingDate, headers });
  const seed = /Signature=([0-9a-f]{64})/.exec(req.headers!['authorization']!)![1]!;
  const datetime = req.headers!['x-amz-date']!;
  const date = datetime.slice(0, 8);
  const ctx: ChainContext = { key: signingKey(creds.secretAccessKey, date, 'us-east-1', 's3'), datetime, scope: `${date}/us-east-1/s3/aws4_request` };
  const parts: Buffer[] = [];
  let prev = seed;
  for (const [i, c] of [...chunks, Buffer.alloc(0)].entries()) {
    prev = chunkSignature(ctx, prev, c);
    const sent = o.tamperChunk === i ? Buffer.from(c.map((b, j) => (j === 0 ? b ^ 1 : b))) : c;
    parts.push(Buffer.from(`${c.length.toString(16)};chunk-signature=${prev}\r\n`), sent);
    if (c.length > 0) parts.push(Buffer.from('\r\n'));
  }
  if (o.trailer) {
    parts.push(Buffer.from(`${trailerLine}\r\nx-amz-trailer-signature:${trailerSignature(ctx, prev, `${trailerLine}\n`)}\r\n`));
  }
  parts.push(Buffer.from('\r\n'));
  const body = Buffer.concat(parts);
  if (body.length !== fullLength) throw new Error(`encoded length ${body.length} != ${fullLength}`);
  return { ...req, body: body.subarray(0, bodyLength) };
}

function encodedLength(chunks: Buffer[], trailerLine?: string): number {
  const frame = (n: number) => n.toString(16).length + ';chunk-signature='.length + 64 + 2 + n + (n > 0 ? 2 : 0);
  let total = chunks.reduce((sum, c) => sum + frame(c.length), 0) + frame(0);
  if (trailerLine) total += trailerLine.length + 2 + 'x-amz-trailer-signature:'.length + 64 + 2;
  return total + 2;
}

/** A body signed along `ctx`'s chain, as a client builds it (chunks, the final empty one, optional trailer lines). */
export function signedChunkedBody(ctx: ChainContext, seed: string, chunks: Buffer[], trailers?: string[]): Buffer {
  const parts: Buffer[] = [];
  let prev = seed;
  for (const c of [...chunks, Buffer.alloc(0)]) {
    prev = chunkSignature(ctx, prev, c);
    parts.push(Buffer.from(`${c.length.toString(16)};chunk-signature=${prev}\r\n`), c);
    if (c.length > 0) parts.push(Buffer.from('\r\n'));
  }
  if (trailers) {
    const canonical = trailers.map((t) => `${t}\n`).join('');
    parts.push(Buffer.from(trailers.map((t) => `${t}\r\n`).join('')));
    parts.push(Buffer.from(`x-amz-trailer-signature:${trailerSignature(ctx, prev, canonical)}\r\n`));
  }
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
