// The one document a rule's `when` condition reads (README: "The input of `when`"). The policy
// engine builds it per request; the condition compiler checks field names against it at load.
import type { Timestamp } from '@bufbuild/protobuf/wkt';

export interface RequestDocument {
  /** The S3 operation's name (the action table's key, or `GET bucket?foo` for one it does not know). */
  operation: string;
  /** Its action class (read, write, delete, list, admin), or '' for an unknown operation. */
  action: string;
  method: string;
  /** '' for ListBuckets. */
  bucket: string;
  /** '' for a bucket-level request. */
  key: string;
  /** A listing's prefix and delimiter, '' otherwise. */
  prefix: string;
  delimiter: string;
  /** The client's address, '' when the transport did not say. */
  sourceIp: string;
  /** Lower-case header names; credentials (authorization, cookies, security tokens) are left out. */
  headers: Record<string, string>;
  time: Timestamp;
  presigned: boolean;
}

export interface PrincipalDocument {
  /** The user's name; '' for anonymous access. */
  name: string;
  groups: string[];
  /** How it proved who it is: sigv4, presigned, post-form or anonymous. */
  authMethod: string;
  /** The access key it signed with, '' when none. */
  keyId: string;
  /** A token's claims; empty until token authenticators exist. */
  claims: Record<string, unknown>;
}

export interface ConditionInput {
  request: RequestDocument;
  principal: PrincipalDocument;
}

/** Each variable's fields, for the compile-time check of names. */
export const CONDITION_FIELDS = {
  request: ['operation', 'action', 'method', 'bucket', 'key', 'prefix', 'delimiter', 'sourceIp', 'headers', 'time', 'presigned'],
  principal: ['name', 'groups', 'authMethod', 'keyId', 'claims'],
} as const satisfies { request: readonly (keyof RequestDocument)[]; principal: readonly (keyof PrincipalDocument)[] };
