// The parts of a SigV4 credential both auth mechanisms share: the credential scope and the
// signed-header list. Callers pass `malformed` so each mechanism reports in its own error code.

import type { S3Error } from '../errors.ts';

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

/** A real calendar day written YYYYMMDD. */
function isDay(date: string): boolean {
  if (!/^\d{8}$/.test(date)) return false;
  const [y, m, d] = [date.slice(0, 4), date.slice(4, 6), date.slice(6)].map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/**
 * "AK/YYYYMMDD/region/s3/aws4_request", checked in AWS's order (shape, service, terminal, date) so
 * that each mistake gets AWS's message. Access key ids never hold '/' (the config forbids it).
 */
export function parseCredential(value: string, malformed: (detail: string) => S3Error): Credential {
  const parts = value.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) {
    throw malformed('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  const [accessKeyId, date, region, service, terminal] = parts as [string, string, string, string, string];
  if (service !== SERVICE) throw malformed(`incorrect service ${JSON.stringify(service)}. This endpoint belongs to "${SERVICE}".`);
  if (terminal !== TERMINAL) throw malformed(`incorrect terminal ${JSON.stringify(terminal)}. This endpoint uses "${TERMINAL}".`);
  if (!isDay(date)) {
    throw malformed(`incorrect date format ${JSON.stringify(date)}. This date in the credential must be in the format "yyyyMMdd".`);
  }
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
