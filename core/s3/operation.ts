// Names the S3 operation of a request from its method, target and query: the gateway needs it to
// answer some operations itself and to know which responses carry bucket names to rewrite.

export type S3Operation =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'HeadBucket'
  | 'ListObjects'
  | 'ListObjectsV2'
  | 'ListObjectVersions'
  | 'ListMultipartUploads'
  | 'DeleteObjects'
  | 'GetBucketLocation'
  | 'CreateMultipartUpload'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CopyObject'
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'BucketSubresource'
  | 'ObjectSubresource'
  /** A browser form upload: POST on the bucket, credentials and policy inside the multipart body. */
  | 'PostObject'
  /** A browser's CORS preflight: OPTIONS without credentials, answered by the bucket's backend. */
  | 'CorsPreflight'
  | 'Unknown';

/** Query parameters that select a sub-resource rather than filter a listing. */
function hasSubresource(query: URLSearchParams): boolean {
  for (const name of query.keys()) {
    if (!LISTING_PARAMS.has(name) && !name.toLowerCase().startsWith('x-amz-')) return true;
  }
  return false;
}

const LISTING_PARAMS = new Set([
  'prefix', 'delimiter', 'marker', 'max-keys', 'encoding-type', 'list-type', 'continuation-token',
  'fetch-owner', 'start-after', 'versionId', 'partNumber', 'response-content-type',
  'response-content-language', 'response-expires', 'response-cache-control',
  'response-content-disposition', 'response-content-encoding', 'x-id',
]);

export function classifyOperation(
  method: string,
  bucket: string | undefined,
  key: string,
  query: URLSearchParams,
  copySource: boolean,
): S3Operation {
  const m = method.toUpperCase();
  if (bucket === undefined) return m === 'GET' ? 'ListBuckets' : 'Unknown';
  if (key === '') {
    if (m === 'GET') {
      if (query.has('uploads')) return 'ListMultipartUploads';
      if (query.has('versions')) return 'ListObjectVersions';
      if (query.has('location')) return 'GetBucketLocation';
      if (hasSubresource(query)) return 'BucketSubresource';
      return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    }
    if (m === 'POST' && query.has('delete')) return 'DeleteObjects';
    if (m === 'POST' && [...query.keys()].length === 0) return 'PostObject';
    if (hasSubresource(query)) return 'BucketSubresource';
    if (m === 'PUT') return 'CreateBucket';
    if (m === 'DELETE') return 'DeleteBucket';
    if (m === 'HEAD') return 'HeadBucket';
    return 'Unknown';
  }
  if (m === 'POST' && query.has('uploads')) return 'CreateMultipartUpload';
  if (query.has('uploadId')) {
    if (m === 'POST') return 'CompleteMultipartUpload';
    if (m === 'DELETE') return 'AbortMultipartUpload';
    if (m === 'GET') return 'ListParts';
    if (m === 'PUT') return copySource ? 'UploadPartCopy' : 'UploadPart';
  }
  if (hasSubresource(query)) return 'ObjectSubresource';
  if (m === 'PUT') return copySource ? 'CopyObject' : 'PutObject';
  if (m === 'GET') return 'GetObject';
  if (m === 'HEAD') return 'HeadObject';
  if (m === 'DELETE') return 'DeleteObject';
  return 'Unknown';
}

/** Operations whose success body names the bucket (or the backend's URL) and must be rewritten. */
export const BODY_NAMES_BUCKET: ReadonlySet<S3Operation> = new Set<S3Operation>([
  'ListObjects', 'ListObjectsV2', 'ListObjectVersions', 'ListMultipartUploads',
  'CreateMultipartUpload', 'CompleteMultipartUpload', 'ListParts', 'PostObject',
]);
