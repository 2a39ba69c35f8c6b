// Parses the X-Amz-* query parameters of a SigV4 presigned URL.

import { errors, type S3Error } from '../s3/errors.ts';
import { ALGORITHM, type Credential, parseCredential, parseSignedHeaders } from './scope.ts';
import { parseAmzDate } from './time.ts';

/** What we need of the decoded query; URLSearchParams and Map<string, string> both fit. */
export interface QueryLookup {
  get(name: string): string | null | undefined;
}

export interface PresignedParams extends Credential {
  /** X-Amz-Date as sent (YYYYMMDDTHHMMSSZ), the timestamp line of the string to sign. */
  amzDate: string;
  signedAt: Date;
  expiresSeconds: number;
  signedHeaders: string[];
  signature: string;
}

/** AWS caps presigned URLs at one week. */
const MAX_EXPIRES_SECONDS = 604800;

const REQUIRED = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Signature',
  'X-Amz-Date',
  'X-Amz-SignedHeaders',
  'X-Amz-Expires',
] as const;

function queryError(message: string): S3Error {
  return errors.authorizationQueryParametersError(message);
}

export function parsePresignedQuery(params: QueryLookup): PresignedParams {
  const [algorithm, credential, signature, amzDate, signedHeaders, expires] = REQUIRED.map((name) => params.get(name));
  if (!algorithm || !credential || !signature || !amzDate || !signedHeaders || !expires) {
    throw queryError(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  if (algorithm !== ALGORITHM) throw queryError(`X-Amz-Algorithm only supports "${ALGORITHM}"`);

  const scope = parseCredential(credential, (detail) =>
    queryError(`Error parsing the X-Amz-Credential parameter; ${detail}`),
  );
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) throw queryError('X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"');
  if (scope.date !== amzDate.slice(0, 8)) {
    throw queryError('Invalid credential date. Date is not the same as X-Amz-Date.');
  }

  const expiresSeconds = Number(expires);
  if (!/^\d+$/.test(expires) || expiresSeconds < 1) throw queryError('X-Amz-Expires should be a positive integer');
  if (expiresSeconds > MAX_EXPIRES_SECONDS) {
    throw queryError(
      'X-Amz-Expires must be less than a week (in seconds) that is; the maximum expires is 604800 seconds',
    );
  }

  return {
    ...scope,
    amzDate,
    signedAt,
    expiresSeconds,
    signedHeaders: parseSignedHeaders(signedHeaders, (detail) =>
      queryError(`X-Amz-SignedHeaders is invalid; ${detail}`),
    ),
    signature,
  };
}
