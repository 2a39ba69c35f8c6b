// The input document of `when` for one request (core/policy/input-document.ts defines it), made of
// what the gateway knows of the request and the principal: each request field on first read.
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { celDocument, type CelDocument, type RequestFields } from '../../core/policy/cel-document.ts';
import type { PrincipalDocument } from '../../core/policy/input-document.ts';

export interface PolicyRequest {
  operation: string;
  method: string;
  /** '' for ListBuckets. */
  bucket: string;
  key: string;
  prefix?: string;
  delimiter?: string;
  sourceIp?: string;
  /** Lower-case names. */
  headers?: Readonly<Record<string, string>>;
  presigned: boolean;
}

interface Facts {
  req: PolicyRequest;
  /** The operation's action class, '' for one the table does not know. */
  action: string;
  now: Date;
}

/** Headers that carry credentials, and the gateway's own: never shown to conditions. */
const HIDDEN_HEADER = /^(:|x-bucketgate-)|^(authorization|proxy-authorization|cookie|x-amz-security-token)$/;

function visibleHeaders(all: Readonly<Record<string, string>> = {}): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of Object.keys(all)) if (!HIDDEN_HEADER.test(name)) headers[name] = all[name]!;
  return headers;
}

const REQUEST_FIELDS: RequestFields<Facts> = {
  operation: ({ req }) => req.operation,
  action: ({ action }) => action,
  method: ({ req }) => req.method.toUpperCase(),
  bucket: ({ req }) => req.bucket,
  key: ({ req }) => req.key,
  prefix: ({ req }) => req.prefix ?? '',
  delimiter: ({ req }) => req.delimiter ?? '',
  sourceIp: ({ req }) => req.sourceIp ?? '',
  headers: ({ req }) => visibleHeaders(req.headers),
  time: ({ now }) => timestampFromDate(now),
  presigned: ({ req }) => req.presigned,
};

export function conditionDocument(req: PolicyRequest, action: string, principal: PrincipalDocument, now: Date): CelDocument {
  return celDocument(REQUEST_FIELDS, { req, action, now }, principal);
}
