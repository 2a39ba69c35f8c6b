// x-amz-copy-source names a second bucket the request reads from: it is authorized like the
// target bucket and rewritten to the real bucket on the same backend.
import { errors, S3Error } from '../core/errors.ts';
import { isAcceptedKey, isValidBucketName } from '../core/s3/request.ts';
import { uriEncode } from '../core/sigv4/canonical.ts';

export interface CopySource {
  bucket: string;
  /** The key, decoded (what policies match). */
  key: string;
  /** Canonically encoded key. */
  encodedKey: string;
  /** '' or '?versionId=…' as the client sent it. */
  versionQuery: string;
}

/** AWS's InvalidArgument for a bad copy source, naming the header and echoing `value`. */
const invalidCopySource = (message: string, value: string): S3Error =>
  errors.invalidArgument(message, { name: 'x-amz-copy-source', value });

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export function parseCopySource(value: string): CopySource {
  if (decode(value) === undefined) throw invalidCopySource('Invalid copy source encoding', value);
  // The separators may arrive encoded too (`bucket%2Fkey`), which AWS accepts.
  let v = value.replace(/^(\/|%2F)/i, '');
  let versionQuery = '';
  const q = v.indexOf('?');
  if (q >= 0) {
    versionQuery = v.slice(q);
    v = v.slice(0, q);
  }
  const sep = /\/|%2F/i.exec(v);
  const bucket = sep ? v.slice(0, sep.index) : v;
  if (!isValidBucketName(bucket)) throw invalidCopySource('Invalid copy source bucket name', value);
  const key = sep ? decode(v.slice(sep.index + sep[0].length)) : '';
  if (key === undefined) throw invalidCopySource('Invalid copy source encoding', value);
  if (key === '' || !isAcceptedKey(key)) throw invalidCopySource('Invalid copy source object key', key);
  if (versionQuery && !/^\?versionId=[^&]*$/.test(versionQuery)) throw errors.invalidArgument('Invalid copy source version');
  return { bucket, key, encodedKey: uriEncode(key, false), versionQuery };
}

export function formatCopySource(realBucket: string, src: CopySource): string {
  return `/${realBucket}/${src.encodedKey}${src.versionQuery}`;
}

export const crossBackendCopy = (): S3Error =>
  errors.notImplemented('Copying between buckets on different backends is not supported by this gateway.');
