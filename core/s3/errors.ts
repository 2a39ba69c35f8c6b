// S3 errors as values: one class carrying the AWS code and HTTP status, rendered as S3's XML body.
// Messages never contain secrets; callers pass only public identifiers (key ids, bucket names).
import { escapeXml } from './xml.ts';

export interface S3ErrorDetails {
  /** Extra child elements of <Error>, in order (e.g. BucketName, Key, AWSAccessKeyId). */
  [element: string]: string | undefined;
}

export class S3Error extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: S3ErrorDetails = {},
  ) {
    super(message);
    this.name = 'S3Error';
  }
}

/** The S3 XML error document, as AWS sends it. */
export function errorXml(err: S3Error, resource: string, requestId: string): string {
  const extra = Object.entries(err.details)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message>` +
    `${extra}<Resource>${escapeXml(resource)}</Resource><RequestId>${escapeXml(requestId)}</RequestId></Error>`
  );
}

// Constructors for the errors the gateway itself raises, with AWS's status and wording.
export const errors = {
  accessDenied: (message = 'Access Denied') => new S3Error('AccessDenied', 403, message),
  invalidAccessKeyId: (accessKeyId: string) =>
    new S3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.', {
      AWSAccessKeyId: accessKeyId,
    }),
  signatureDoesNotMatch: (accessKeyId: string) =>
    new S3Error(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { AWSAccessKeyId: accessKeyId },
    ),
  requestTimeTooSkewed: (requestTime: string, serverTime: string) =>
    new S3Error('RequestTimeTooSkewed', 403, 'The difference between the request time and the current time is too large.', {
      RequestTime: requestTime,
      ServerTime: serverTime,
      MaxAllowedSkewMilliseconds: '900000',
    }),
  requestExpired: (expires: string, serverTime: string) =>
    new S3Error('AccessDenied', 403, 'Request has expired', { Expires: expires, ServerTime: serverTime }),
  authorizationHeaderMalformed: (message: string) => new S3Error('AuthorizationHeaderMalformed', 400, message),
  authorizationQueryParametersError: (message: string) =>
    new S3Error('AuthorizationQueryParametersError', 400, message),
  missingSecurityHeader: (header: string) =>
    new S3Error('MissingSecurityHeader', 400, 'Your request was missing a required header', { MissingHeaderName: header }),
  invalidArgument: (message: string) => new S3Error('InvalidArgument', 400, message),
  invalidRequest: (message: string) => new S3Error('InvalidRequest', 400, message),
  invalidBucketName: (bucket: string) =>
    new S3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', { BucketName: bucket }),
  noSuchBucket: (bucket: string) =>
    new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket }),
  xAmzContentSha256Mismatch: () =>
    new S3Error('XAmzContentSHA256Mismatch', 400, 'The provided \'x-amz-content-sha256\' header does not match what was computed.'),
  notImplemented: (message: string) => new S3Error('NotImplemented', 501, message),
  slowDown: (message = 'Please reduce your request rate.') => new S3Error('SlowDown', 503, message),
  internal: () => new S3Error('InternalError', 500, 'We encountered an internal error. Please try again.'),
};
