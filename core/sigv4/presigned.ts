// Parses the X-Amz-* query parameters of a SigV4 presigned URL.

import { errors, type S3Error } from '../errors.ts';
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

/** SigV4a: AWS accepts it in presigned URLs, the gateway does not verify it. */
const ECDSA_ALGORITHM = 'AWS4-ECDSA-P256-SHA256';

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

const PRESIGN_NAMES = [...REQUIRED, 'X-Amz-Security-Token'] as const;

function queryError(message: string): S3Error {
  return errors.authorizationQueryParametersError(message);
}

/** X-Amz-Expires: whole seconds, at least 1, at most a week, each failure in AWS's words. */
function parseExpires(expires: string): number {
  if (!/^-?\d+$/.test(expires)) throw queryError('X-Amz-Expires should be a number');
  const seconds = Number(expires);
  if (seconds < 0) throw queryError('X-Amz-Expires must be non-negative');
  // AWS would take 0 as "expires at once"; a URL that is never valid is refused outright.
  if (seconds === 0) throw queryError('X-Amz-Expires should be a positive integer');
  if (seconds > MAX_EXPIRES_SECONDS) {
    throw queryError(
      `X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than ${MAX_EXPIRES_SECONDS} seconds`,
    );
  }
  return seconds;
}

/**
 * Each X-Amz-* parameter of a presigned URL at most once: with two, which one a parser reads (and
 * which one the backend would) is a guess an attacker gets to make.
 */
export function assertSinglePresignParams(pairs: Iterable<readonly [string, string]>): void {
  const seen = new Set<string>();
  for (const [name] of pairs) {
    if (!(PRESIGN_NAMES as readonly string[]).includes(name)) continue;
    if (seen.has(name)) throw queryError(`${name} must appear only once in a presigned URL`);
    seen.add(name);
  }
}

export function parsePresignedQuery(params: QueryLookup): PresignedParams {
  // Session credentials (STS) are not something the gateway can check; refuse rather than ignore.
  if (params.get('X-Amz-Security-Token') != null) {
    throw queryError('Authorization with X-Amz-Security-Token is not supported');
  }
  const [algorithm, credential, signature, amzDate, signedHeaders, expires] = REQUIRED.map((name) => params.get(name));
  if (!algorithm || !credential || !signature || !amzDate || !signedHeaders || !expires) {
    throw queryError(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  if (algorithm === ECDSA_ALGORITHM) throw queryError(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
  if (algorithm !== ALGORITHM) {
    throw queryError(`X-Amz-Algorithm only supports "${ALGORITHM} and ${ECDSA_ALGORITHM}"`);
  }

  const scope = parseCredential(credential, (detail) =>
    queryError(`Error parsing the X-Amz-Credential parameter; ${detail}`),
  );
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) throw queryError('X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"');
  if (scope.date !== amzDate.slice(0, 8)) {
    throw queryError(
      `Invalid credential date ${JSON.stringify(scope.date)}. This date is not the same as X-Amz-Date: ${JSON.stringify(amzDate.slice(0, 8))}.`,
    );
  }
  const expiresSeconds = parseExpires(expires);

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
