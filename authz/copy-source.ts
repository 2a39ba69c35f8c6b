// x-amz-copy-source names a second bucket the request reads from: it is authorized like the
// target bucket and rewritten to the real bucket on the same backend.
import { errors, S3Error } from '../core/s3/errors.ts';
import { decodeKey, isValidBucketName } from '../core/s3/request.ts';
import { uriEncode } from '../core/sigv4/canonical.ts';

export interface CopySource {
  bucket: string;
  /** Canonically encoded key. */
  encodedKey: string;
  /** '' or '?versionId=…' as the client sent it. */
  versionQuery: string;
}

export function parseCopySource(value: string): CopySource {
  // The separators may arrive encoded too (`bucket%2Fkey`), which AWS accepts.
  let v = value.replace(/^(\/|%2F)/i, '');
  let versionQuery = '';
  const q = v.indexOf('?');
  if (q >= 0) {
    versionQuery = v.slice(q);
    v = v.slice(0, q);
  }
  const sep = /\/|%2F/i.exec(v);
  if (!sep || sep.index === 0 || sep.index + sep[0].length === v.length) {
    throw errors.invalidArgument('Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
  }
  const bucket = v.slice(0, sep.index);
  if (!isValidBucketName(bucket)) throw errors.invalidBucketName(bucket);
  const key = decodeKey(v.slice(sep.index + sep[0].length));
  if (versionQuery && !/^\?versionId=[^&]*$/.test(versionQuery)) throw errors.invalidArgument('Invalid copy source version');
  return { bucket, encodedKey: uriEncode(key, false), versionQuery };
}

export function formatCopySource(realBucket: string, src: CopySource): string {
  return `/${realBucket}/${src.encodedKey}${src.versionQuery}`;
}

export const crossBackendCopy = (): S3Error =>
  errors.notImplemented('Copying between buckets on different backends is not supported by this gateway.');
