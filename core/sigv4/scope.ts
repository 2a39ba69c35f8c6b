// The parts of a SigV4 credential both auth mechanisms share: the credential scope and the
// signed-header list. Callers pass `malformed` so each mechanism reports in its own error code.

import type { S3Error } from '../s3/errors.ts';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
const SERVICE = 's3';
const TERMINAL = 'aws4_request';

export interface Credential {
  accessKeyId: string;
  /** YYYYMMDD of the credential scope. */
  date: string;
  region: string;
  service: string;
}

/** "AK/YYYYMMDD/region/s3/aws4_request". Split from the right so the key id itself may hold '/'. */
export function parseCredential(value: string, malformed: (detail: string) => S3Error): Credential {
  const parts = value.split('/');
  const [terminal, service, region, date] = [parts.pop(), parts.pop(), parts.pop(), parts.pop()];
  const accessKeyId = parts.join('/');
  if (!accessKeyId || !date || !region || !service || !terminal || !/^\d{8}$/.test(date)) {
    throw malformed('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  if (service !== SERVICE) throw malformed(`incorrect service "${service}". This endpoint belongs to "${SERVICE}".`);
  if (terminal !== TERMINAL) throw malformed(`incorrect terminal "${terminal}". This endpoint uses "${TERMINAL}".`);
  return { accessKeyId, date, region, service };
}

/** "date/region/s3/aws4_request", the scope line of the string to sign. */
export function credentialScope(c: Credential): string {
  return `${c.date}/${c.region}/${c.service}/${TERMINAL}`;
}

/** "host;range;x-amz-date" as a list; host must be signed or the request could be replayed elsewhere. */
export function parseSignedHeaders(value: string, malformed: (detail: string) => S3Error): string[] {
  const names = value.split(';');
  if (names.some((name) => name === '')) throw malformed('the SignedHeaders list is mal-formed.');
  if (!names.includes('host')) throw malformed('the SignedHeaders list must include "host".');
  return names;
}
