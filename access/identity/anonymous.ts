// Requests that carry no credentials. SigV2 presigned URLs (aws-cli v1's `s3 presign` default) are
// refused clearly rather than taken for anonymous.
import { errors } from '../../core/errors.ts';
import type { IncomingRequest } from '../../core/sigv4/verify.ts';

export function isAnonymous(req: IncomingRequest): boolean {
  return req.header('authorization') === undefined && !/(^|&)X-Amz-(Algorithm|Credential|Signature)=/.test(req.rawQuery);
}

export function assertNotSigV2Query(req: IncomingRequest): void {
  if (/(^|&)AWSAccessKeyId=/.test(req.rawQuery) && /(^|&)Signature=/.test(req.rawQuery)) {
    throw errors.invalidRequest('The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
  }
}
