// What ext_authz decided about a request: who, which operation, which bucket where. Plain data, read by
// the backend request plan and (as metadata, wire/route-decision.ts) by ext_proc.
import type { S3Operation } from './s3/operation.ts';

export interface RouteDecision {
  op: S3Operation;
  /** Authenticated user name; absent for anonymous access under open_access. */
  principal?: string;
  /** The access key the request was signed with: the account id the client is shown (Owner/ID). */
  accessKeyId?: string;
  /** Client-visible bucket, real bucket and backend; absent for service-level requests. */
  bucket?: string;
  realBucket?: string;
  backend?: string;
  /** Object key, canonically URI-encoded ('/' kept): exactly what goes on the backend's wire. */
  encodedKey: string;
  /** The client authenticated by query string: those X-Amz-* parameters must not be forwarded. */
  presigned: boolean;
  /** x-amz-copy-source rewritten to the real source bucket, when the request has one. */
  copySource?: string;
  /** The client's address as ext_authz established it (never a client's header): ext_proc's decisions see it too. */
  sourceIp?: string;
}
