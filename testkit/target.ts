// What a client scenario talks to: a backend directly, or later the gateway in front of one.

/**
 * Behaviours some S3 implementations lack or do differently from AWS S3. A check whose capability is
 * false asserts the documented alternative exactly; it is never loosened or skipped. All default to
 * true (AWS S3 behaviour).
 */
export interface Capabilities {
  /** If-Modified-Since with a date in the future answers 304 (AWS behaviour; RFC 9110 says to ignore such a date). */
  ifModifiedSinceFuture: boolean;
  /** Keys containing an empty path segment ("a//b") are listed verbatim (not collapsed to "a/b"). */
  emptyPathSegmentKeys: boolean;
  /** Such keys are stored at all (MinIO refuses them: 400 XMinioInvalidObjectName). */
  emptyPathSegmentKeysStored: boolean;
  /** ListObjects(V2) honours EncodingType=url (URL-encodes keys and echoes <EncodingType>url</EncodingType>). */
  listEncodingTypeUrl: boolean;
  /** The ETag inside CopyObjectResult / CopyPartResult is quoted like every other ETag ("\"md5\""). */
  quotedCopyETag: boolean;
}

export const FULL_CAPABILITIES: Capabilities = {
  ifModifiedSinceFuture: true,
  emptyPathSegmentKeys: true,
  emptyPathSegmentKeysStored: true,
  listEncodingTypeUrl: true,
  quotedCopyETag: true,
};

/**
 * What each real backend lacks, found by running these scenarios straight against it (backends.test.ts).
 * A suite that runs them through the gateway should use the entry of the backend behind the bucket.
 */
export const BACKEND_CAPS = {
  // versitygw v1.7.0: answers 200 to If-Modified-Since in the future (RFC 9110 behaviour); stores "a//b" as
  // the file a/b, so it lists "a/b"; ignores EncodingType=url (raw keys, empty <EncodingType/>).
  versitygw: { ifModifiedSinceFuture: false, emptyPathSegmentKeys: false, listEncodingTypeUrl: false },
  // SeaweedFS 4.48: lists "a//b" as "a/b"; the ETag inside CopyObjectResult / CopyPartResult is unquoted.
  seaweedfs: { emptyPathSegmentKeys: false, quotedCopyETag: false },
  // MinIO (2026-02-12 build): refuses "a//b" keys outright (400 XMinioInvalidObjectName).
  minio: { emptyPathSegmentKeys: false, emptyPathSegmentKeysStored: false },
} satisfies Record<string, Partial<Capabilities>>;

export interface Target {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** An existing bucket to work in; scenarios only touch keys under their own unique prefix. */
  bucket: string;
  forcePathStyle: boolean;
  /**
   * A bucket these credentials may address that does not exist (default: a fresh random name).
   * Through the gateway only granted names reach a backend; others are AccessDenied by design.
   */
  missingBucket?: string;
  /** Missing entries count as supported. */
  caps?: Partial<Capabilities>;
}

export function capsOf(t: Target): Capabilities {
  return { ...FULL_CAPABILITIES, ...t.caps };
}

/** A unique key prefix for one run of one suite, e.g. "e2e/seaweedfs-sdk-when_required/1732412345-ab12/". */
export function runPrefix(label: string): string {
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `e2e/${slug}/${Date.now()}-${Math.random().toString(36).slice(2, 6)}/`;
}
