// core/s3/body-digest.ts: every digest a client sends with a small body is checked, and one the
// gateway cannot compute is refused rather than passed unchecked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { assertBodyDigests, bodyDigests } from '../../../../core/s3/body-digest.ts';
import { S3Error } from '../../../../core/errors.ts';

const body = Buffer.from('<Delete><Object><Key>a</Key></Object></Delete>');
const other = Buffer.from('<Delete><Object><Key>b</Key></Object></Delete>');
const crc = (b: Buffer) => { const o = Buffer.alloc(4); o.writeUInt32BE(crc32(b)); return o.toString('base64'); };
const refused = (headers: Record<string, string>, code: string, b = body) =>
  assert.throws(() => assertBodyDigests(headers, b), (e: unknown) => e instanceof S3Error && e.code === code && e.status === 400, JSON.stringify(headers));

test('matching digests pass; each one that does not is refused with S3\'s code', () => {
  const d = bodyDigests(body);
  const good = {
    'x-amz-content-sha256': d['x-amz-content-sha256'], 'content-md5': d['content-md5'], 'x-amz-checksum-crc32': crc(body),
    'x-amz-checksum-sha1': createHash('sha1').update(body).digest('base64'), 'x-amz-checksum-sha256': createHash('sha256').update(body).digest('base64'),
    'x-amz-sdk-checksum-algorithm': 'CRC32',
  };
  assertBodyDigests(good, body);
  assertBodyDigests({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body);
  refused(good, 'XAmzContentSHA256Mismatch', other);
  refused({ 'content-md5': d['content-md5'] }, 'BadDigest', other);
  refused({ 'content-md5': 'not base64' }, 'InvalidDigest');
  refused({ 'x-amz-checksum-crc32': crc(body) }, 'BadDigest', other);
  refused({ 'x-amz-checksum-sha1': good['x-amz-checksum-sha1'] }, 'BadDigest', other);
  refused({ 'x-amz-checksum-sha256': good['x-amz-checksum-sha256'] }, 'BadDigest', other);
  // Not computable here: refused, not trusted.
  refused({ 'x-amz-checksum-crc32c': 'AAAAAA==' }, 'InvalidRequest');
  refused({ 'x-amz-checksum-crc64nvme': 'AAAAAAAAAAA=' }, 'InvalidRequest');
});

test('the digests of a body the gateway wrote', () => {
  assert.deepEqual(bodyDigests(body), {
    'content-md5': createHash('md5').update(body).digest('base64'),
    'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
  });
});
