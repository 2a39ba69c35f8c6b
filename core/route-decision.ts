// What ext_authz decided about a request, handed to ext_proc as Envoy dynamic metadata so that
// nothing is parsed, looked up or authorized twice.
import type { S3Operation } from './s3/operation.ts';
import { fromStruct, toStruct } from '../protos/headers.ts';

/** Namespace Envoy files ext_authz's dynamic metadata under. */
export const AUTHZ_METADATA_NAMESPACE = 'envoy.filters.http.ext_authz';
/** Namespace ext_proc files a re-signed POST Object form's length under (the route makes it content-length). */
export const POST_OBJECT_METADATA_NAMESPACE = 'bucketgate.post_object';

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
}

export function decisionToStruct(d: RouteDecision) {
  return toStruct({
    op: d.op,
    principal: d.principal,
    accessKeyId: d.accessKeyId,
    bucket: d.bucket,
    realBucket: d.realBucket,
    backend: d.backend,
    encodedKey: d.encodedKey,
    presigned: d.presigned,
    copySource: d.copySource,
  });
}

export function decisionFromStruct(s: { fields?: Record<string, any> } | undefined): RouteDecision | undefined {
  const f = fromStruct(s);
  if (typeof f.op !== 'string' || typeof f.encodedKey !== 'string') return undefined;
  const str = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : undefined);
  return {
    op: f.op as S3Operation,
    principal: str('principal'),
    accessKeyId: str('accessKeyId'),
    bucket: str('bucket'),
    realBucket: str('realBucket'),
    backend: str('backend'),
    encodedKey: f.encodedKey,
    presigned: f.presigned === true,
    copySource: str('copySource'),
  };
}
