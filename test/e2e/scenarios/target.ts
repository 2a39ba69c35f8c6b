// What a client scenario talks to: a backend directly, or later the gateway in front of one.

/**
 * Behaviours some S3 implementations lack or do differently from AWS S3. A check whose capability is false
 * is skipped (reported as skipped, with the reason) or asserts the documented alternative exactly; it is
 * never loosened. All default to true (AWS S3 behaviour).
 */
export interface Capabilities {
  /** If-Modified-Since with a date in the future answers 304 (AWS behaviour; RFC 9110 says to ignore such a date). */
  ifModifiedSinceFuture: boolean;
  /** Keys containing an empty path segment ("a//b") are listed verbatim (not collapsed to "a/b"). */
  emptyPathSegmentKeys: boolean;
  /** ListObjects(V2) honours EncodingType=url (URL-encodes keys and echoes <EncodingType>url</EncodingType>). */
  listEncodingTypeUrl: boolean;
  /** The ETag inside CopyObjectResult / CopyPartResult is quoted like every other ETag ("\"md5\""). */
  quotedCopyETag: boolean;
}

export const FULL_CAPABILITIES: Capabilities = {
  ifModifiedSinceFuture: true,
  emptyPathSegmentKeys: true,
  listEncodingTypeUrl: true,
  quotedCopyETag: true,
};

export interface Target {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** An existing bucket to work in; scenarios only touch keys under their own unique prefix. */
  bucket: string;
  forcePathStyle: boolean;
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
