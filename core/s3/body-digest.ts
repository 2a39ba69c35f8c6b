// The digests a client may send with a small body (x-amz-content-sha256, Content-MD5, the flexible
// x-amz-checksum-*), checked against the body it sent; and the digests of a body the gateway wrote.
// Only where the gateway replaces a body does this matter: elsewhere the backend checks them itself.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { errors, S3Error } from '../errors.ts';

const badDigest = (what: string) => new S3Error('BadDigest', 400, `The ${what} you specified did not match the calculated checksum.`);

type Algorithm = (body: Buffer) => string;

const sha = (name: string): Algorithm => (body) => createHash(name).update(body).digest('base64');

/** The flexible checksums this gateway can compute; CRC32C and CRC64NVME need code Node lacks. */
const CHECKSUMS: Record<string, Algorithm> = {
  'x-amz-checksum-crc32': (body) => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(crc32(body));
    return out.toString('base64');
  },
  'x-amz-checksum-sha1': sha('sha1'),
  'x-amz-checksum-sha256': sha('sha256'),
};

/** Headers that describe the client's body and no longer hold once it is replaced. */
export const BODY_DIGEST_HEADERS = [
  'content-md5', 'x-amz-sdk-checksum-algorithm', 'x-amz-checksum-type',
  'x-amz-checksum-crc32', 'x-amz-checksum-crc32c', 'x-amz-checksum-crc64nvme', 'x-amz-checksum-sha1', 'x-amz-checksum-sha256',
];

/** Whether the client sent a digest of the body beyond the payload hash: Content-MD5 or a flexible checksum. */
export function hasBodyDigest(headers: Readonly<Record<string, string>>): boolean {
  return headers['content-md5'] !== undefined || Object.keys(headers).some(isChecksum);
}

/** x-amz-checksum-<algorithm>: a value; x-amz-checksum-type says how it was made and is none. */
const isChecksum = (name: string): boolean => name.startsWith('x-amz-checksum-') && name !== 'x-amz-checksum-type';

/**
 * Every digest the client sent must match the body: the signed payload hash (a client's signature
 * covers the body only through it), Content-MD5 and a flexible checksum. One we cannot compute is
 * refused rather than passed unchecked.
 */
export function assertBodyDigests(headers: Readonly<Record<string, string>>, body: Buffer): void {
  const payload = headers['x-amz-content-sha256'];
  if (payload !== undefined && /^[0-9a-f]{64}$/i.test(payload) && createHash('sha256').update(body).digest('hex') !== payload.toLowerCase()) {
    throw errors.xAmzContentSha256Mismatch();
  }
  const md5 = headers['content-md5'];
  if (md5 !== undefined) {
    if (!/^[A-Za-z0-9+/]{22}==$/.test(md5.trim())) throw new S3Error('InvalidDigest', 400, 'The Content-MD5 you specified was invalid.');
    if (createHash('md5').update(body).digest('base64') !== md5.trim()) throw badDigest('Content-MD5');
  }
  for (const name of Object.keys(headers).filter(isChecksum)) {
    const algorithm = CHECKSUMS[name];
    if (!algorithm) throw errors.invalidRequest(`${name} cannot be checked by this gateway on this request; use Content-MD5, CRC32, SHA1 or SHA256.`);
    if (algorithm(body) !== headers[name]!.trim()) throw badDigest(name.slice('x-amz-checksum-'.length).toUpperCase());
  }
}

/** What the backend is told of a body the gateway wrote: its MD5 and its SHA-256 payload hash. */
export function bodyDigests(body: Buffer): { 'content-md5': string; 'x-amz-content-sha256': string } {
  return {
    'content-md5': createHash('md5').update(body).digest('base64'),
    'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
  };
}
