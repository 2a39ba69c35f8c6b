// The input document of `when` for one request (core/policy/input-document.ts defines it), built
// once per decision from what the gateway knows of the request and the principal.
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ConditionInput, PrincipalDocument } from '../../core/policy/input-document.ts';

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

/** Headers that carry credentials, and the gateway's own: never shown to conditions. */
const HIDDEN_HEADER = /^(:|x-bucketgate-)|^(authorization|proxy-authorization|cookie|x-amz-security-token)$/;

export function conditionInput(req: PolicyRequest, action: string, principal: PrincipalDocument, now: Date): ConditionInput {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers ?? {})) if (!HIDDEN_HEADER.test(name)) headers[name] = value;
  return {
    request: {
      operation: req.operation,
      action,
      method: req.method.toUpperCase(),
      bucket: req.bucket,
      key: req.key,
      prefix: req.prefix ?? '',
      delimiter: req.delimiter ?? '',
      sourceIp: req.sourceIp ?? '',
      headers,
      time: timestampFromDate(now),
      presigned: req.presigned,
    },
    principal,
  };
}
