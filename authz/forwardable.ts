// Requests the gateway refuses to carry whoever sends them, checked once the sender is known.
import { errors, S3Error } from '../core/errors.ts';
import type { IncomingRequest } from '../core/sigv4/verify.ts';

/**
 * A copy source hoisted into the query (a presigner does that) would bypass the copy-source grant
 * check; SigV4a chunk signatures cannot be re-signed; a signed aws-chunked body must declare its
 * decoded length.
 */
export function assertForwardable(req: IncomingRequest): void {
  if (/(^|&)x-amz-copy-source/i.test(req.rawQuery)) {
    throw errors.invalidArgument('x-amz-copy-source must be sent as a header.');
  }
  const payload = req.header('x-amz-content-sha256') ?? '';
  if (payload.startsWith('STREAMING-AWS4-ECDSA')) {
    throw errors.notImplemented('SigV4a (ECDSA) signed streaming uploads are not supported; use STREAMING-AWS4-HMAC-SHA256-PAYLOAD.');
  }
  if (isSignedChunked(payload) && !/^\d+$/.test(req.header('x-amz-decoded-content-length') ?? '')) {
    throw new S3Error('MissingContentLength', 411, 'You must provide the x-amz-decoded-content-length HTTP header.');
  }
}

export function isSignedChunked(payloadHash: string | undefined): boolean {
  return payloadHash === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' || payloadHash === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
}
