// What a client scenario talks to: a backend directly, or later the gateway in front of one.

/**
 * Operations some S3 implementations lack. A scenario whose capability is false is skipped (reported as
 * skipped with the reason) instead of having its assertions loosened. All default to true.
 */
export interface Capabilities {
  /** UploadPartCopy (x-amz-copy-source on a part upload). */
  uploadPartCopy: boolean;
  /** If-Modified-Since with a date in the future answers 304 (AWS behaviour; RFC 9110 says ignore it). */
  ifModifiedSinceFuture: boolean;
  /** Keys containing an empty path segment ("a//b") are stored and listed verbatim. */
  emptyPathSegmentKeys: boolean;
}

export const FULL_CAPABILITIES: Capabilities = {
  uploadPartCopy: true,
  ifModifiedSinceFuture: true,
  emptyPathSegmentKeys: true,
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
