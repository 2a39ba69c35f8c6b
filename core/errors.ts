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

/**
 * The code of an error the gateway answers with a chosen status (admission rules' `reject`): the code S3
 * gives that status, so that clients retry (503, 429) or give up as they would with S3.
 */
export const CODE_OF_STATUS = {
  400: 'InvalidRequest',
  403: 'AccessDenied',
  405: 'MethodNotAllowed',
  429: 'SlowDown',
  500: 'InternalError',
  501: 'NotImplemented',
  503: 'ServiceUnavailable',
} as const satisfies Record<number, string>;

export type RejectStatus = keyof typeof CODE_OF_STATUS;

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
  requestExpired: (expiresSeconds: number, expires: string, serverTime: string) =>
    new S3Error('AccessDenied', 403, 'Request has expired.', {
      'X-Amz-Expires': String(expiresSeconds),
      Expires: expires,
      ServerTime: serverTime,
    }),
  /** x-amz-* headers that were sent but not covered by the signature, lower-case. */
  headersNotSigned: (headers: readonly string[]) =>
    new S3Error('AccessDenied', 403, 'There were headers present in the request which were not signed', {
      HeadersNotSigned: headers.join(', '),
    }),
  authorizationHeaderMalformed: (message: string, details?: S3ErrorDetails) =>
    new S3Error('AuthorizationHeaderMalformed', 400, message, details),
  authorizationQueryParametersError: (message: string) =>
    new S3Error('AuthorizationQueryParametersError', 400, message),
  missingSecurityHeader: (header: string) =>
    new S3Error('MissingSecurityHeader', 400, 'Your request was missing a required header', { MissingHeaderName: header }),
  /** `argument` names the offending header or parameter and echoes its value, as AWS does. */
  invalidArgument: (message: string, argument?: { name: string; value: string }) =>
    new S3Error(
      'InvalidArgument',
      400,
      message,
      argument ? { ArgumentName: argument.name, ArgumentValue: argument.value } : {},
    ),
  invalidRequest: (message: string) => new S3Error('InvalidRequest', 400, message),
  invalidBucketName: (bucket: string) =>
    new S3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', { BucketName: bucket }),
  noSuchBucket: (bucket: string) =>
    new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket }),
  xAmzContentSha256Mismatch: () =>
    new S3Error('XAmzContentSHA256Mismatch', 400, 'The provided \'x-amz-content-sha256\' header does not match what was computed.'),
  /** A body that ended early or whose aws-chunked framing is broken. */
  incompleteBody: () => new S3Error('IncompleteBody', 400, 'The request body terminated unexpectedly'),
  /** A body whose length differs from what the request declared (Content-Length, x-amz-decoded-content-length). */
  contentLengthMismatch: () =>
    new S3Error('IncompleteBody', 400, 'You did not provide the number of bytes specified by the Content-Length HTTP header'),
  malformedTrailer: () =>
    new S3Error(
      'MalformedTrailerError',
      400,
      'The request contained trailing data that was not well-formed or did not conform to our published schema.',
    ),
  missingContentLength: () => new S3Error('MissingContentLength', 411, 'You must provide the Content-Length HTTP header.'),
  notImplemented: (message: string) => new S3Error('NotImplemented', 501, message),
  slowDown: (message = 'Please reduce your request rate.') => new S3Error('SlowDown', 503, message),
  internal: () => new S3Error('InternalError', 500, 'We encountered an internal error. Please try again.'),
};
