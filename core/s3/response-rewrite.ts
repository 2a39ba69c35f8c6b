// Which backend responses must have their body buffered and rewritten into the client's view, decided
// from the request alone (Envoy's response phases are switched on per request, and each one costs).
// A body is rewritten when it would show the backend: its bucket name (an alias), its URL, its region
// (GetBucketLocation), or its account (Owner, Initiator and ACL grantees carry the backend account's
// id, for some backends its access key id). Listings are the large bodies: they stream untouched when none of that applies.
import { BODY_NAMES_BUCKET, type S3Operation } from './operation.ts';

export const LISTINGS: ReadonlySet<S3Operation> = new Set<S3Operation>(['ListObjects', 'ListObjectsV2', 'ListObjectVersions', 'ListMultipartUploads']);

export interface ResponseRewriteRequest {
  op: S3Operation;
  method: string;
  /** Decoded query of the request. */
  query: Record<string, string | string[]>;
  /** The client's bucket name differs from the backend's. */
  aliased: boolean;
  /** The backend is a directory tree served by the gateway's managed versitygw. */
  filesystem: boolean;
  /** The policy allows this listing only filtered, or this DeleteObjects batch only key by key (access/policy/listing.ts). */
  policyFiltered?: boolean;
}

export interface ResponseRewrite {
  /** Rewrite a successful (2xx) XML body. */
  success: boolean;
  /** Rewrite an XML error body. */
  errors: boolean;
  /** A listing asked for encoding-type=url: apply it (versitygw 1.7 ignores it). */
  urlEncoding: boolean;
  /** A filesystem listing: leave out the entries the client may not reach (through a symlink). */
  hideUnreachable: boolean;
  /** A listing broader than the grant: leave out what the principal may not read. */
  policyFilter: boolean;
}

/** Listings that name the backend account: ListObjects always, ListObjectsV2 only with fetch-owner. */
function listingNamesOwners(op: S3Operation, query: ResponseRewriteRequest['query']): boolean {
  return op !== 'ListObjectsV2' || query['fetch-owner'] === 'true';
}

export function responseRewrite(r: ResponseRewriteRequest): ResponseRewrite {
  const listing = LISTINGS.has(r.op);
  const urlEncoding = listing && r.query['encoding-type'] === 'url';
  const hideUnreachable = listing && r.filesystem;
  const policyFilter = listing && r.policyFiltered === true;
  // The keys the gateway refused are added to the backend's DeleteResult (a filesystem backend's
  // batch is decided key by key too: each key must stay inside the data directory).
  const batchDecided = r.op === 'DeleteObjects' && (r.policyFiltered === true || r.filesystem);
  const success =
    batchDecided ||
    (BODY_NAMES_BUCKET.has(r.op) && !listing) ||
    (listing && (r.aliased || urlEncoding || hideUnreachable || policyFilter || listingNamesOwners(r.op, r.query))) ||
    (r.method.toUpperCase() === 'GET' && 'acl' in r.query) ||
    r.op === 'GetBucketLocation';
  return { success, errors: success || r.aliased, urlEncoding, hideUnreachable, policyFilter };
}
