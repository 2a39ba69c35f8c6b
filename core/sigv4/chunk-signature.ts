// Signatures of aws-chunked bodies (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]): each chunk's
// signature chains from the previous one, starting at the request's own (seed) signature.

import { createHash, createHmac } from 'node:crypto';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Who signs a chain: the signing key, the request's x-amz-date and credential scope. */
export interface ChainContext {
  key: Buffer;
  datetime: string;
  scope: string;
}

function hmacHex(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}

/** The signature of one chunk, given the previous signature and the chunk's data. */
export function chunkSignature(ctx: ChainContext, previous: string, data: Buffer): string {
  const hash = createHash('sha256').update(data).digest('hex');
  return hmacHex(ctx.key, `AWS4-HMAC-SHA256-PAYLOAD\n${ctx.datetime}\n${ctx.scope}\n${previous}\n${EMPTY_SHA256}\n${hash}`);
}

/** The signature of the trailing headers, given their canonical form (`name:value\n` each). */
export function trailerSignature(ctx: ChainContext, previous: string, canonicalTrailers: string): string {
  const hash = createHash('sha256').update(canonicalTrailers, 'utf8').digest('hex');
  return hmacHex(ctx.key, `AWS4-HMAC-SHA256-TRAILER\n${ctx.datetime}\n${ctx.scope}\n${previous}\n${hash}`);
}
