// core/s3/request.ts: which bucket and key a client addressed, and which paths are refused because
// a backend (or anything on the way) could resolve them to another object than the one authorized.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Error } from '../../../../core/errors.ts';
import { decodeKey, hostName, isAcceptedKey, isValidBucketName, parseS3Target } from '../../../../core/s3/request.ts';

const DOMAIN = 's3.example.test';
const GW = '127.0.0.1:9000';

function rejects(fn: () => unknown, code: string, status: number, details?: Record<string, string>): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof S3Error, `expected S3Error, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.status, status);
    if (details) for (const [k, v] of Object.entries(details)) assert.equal(e.details[k], v, `detail ${k}`);
    return true;
  });
}

test('path style: service, bucket and object targets', () => {
  const cases: Array<[string, { bucket?: string; key: string }]> = [
    ['/', { key: '' }],
    ['/bucket', { bucket: 'bucket', key: '' }],
    ['/bucket/', { bucket: 'bucket', key: '' }],
    ['/bucket/key', { bucket: 'bucket', key: 'key' }],
    ['/bucket/dir/sub/file.txt', { bucket: 'bucket', key: 'dir/sub/file.txt' }],
    ['/bucket/a%20b', { bucket: 'bucket', key: 'a b' }],
    ['/bucket/check%E2%9C%93', { bucket: 'bucket', key: 'check✓' }],
    ['/bucket/%C3%BC', { bucket: 'bucket', key: 'ü' }],
    ['/bucket/a+b', { bucket: 'bucket', key: 'a+b' }],
    ['/bucket/a%2Bb', { bucket: 'bucket', key: 'a+b' }],
    ['/bucket/100%25', { bucket: 'bucket', key: '100%' }],
    ['/bucket/%2541', { bucket: 'bucket', key: '%41' }],
    ['/bucket/a//b', { bucket: 'bucket', key: 'a//b' }],
    ['/bucket//key', { bucket: 'bucket', key: '/key' }],
    ['/bucket/dir/', { bucket: 'bucket', key: 'dir/' }],
    ['/bucket/dir//', { bucket: 'bucket', key: 'dir//' }],
    ['/bucket/...', { bucket: 'bucket', key: '...' }],
    ['/bucket/.hidden/..x/x..', { bucket: 'bucket', key: '.hidden/..x/x..' }],
    ['/My_Bucket.v2/k', { bucket: 'My_Bucket.v2', key: 'k' }],
  ];
  for (const [path, want] of cases) {
    const t = parseS3Target(path, GW, DOMAIN);
    assert.equal(t.style, 'path', path);
    assert.equal(t.bucket, want.bucket, `bucket of ${path}`);
    assert.equal(t.key, want.key, `key of ${path}`);
  }
  // '/' is the service: no bucket at all, not an empty one.
  assert.deepEqual(parseS3Target('/', GW), { key: '', style: 'path' });
  // Without a domain, every request is path style.
  assert.deepEqual(parseS3Target('/b-1/k', 'b-1.s3.example.test'), { bucket: 'b-1', key: 'k', style: 'path' });
});

test('virtual-host style under the listener domain', () => {
  assert.deepEqual(parseS3Target('/key', `photos.${DOMAIN}`, DOMAIN), { bucket: 'photos', key: 'key', style: 'virtual' });
  assert.deepEqual(parseS3Target('/key', `photos.${DOMAIN}:9000`, DOMAIN), { bucket: 'photos', key: 'key', style: 'virtual' });
  assert.deepEqual(parseS3Target('/', `photos.${DOMAIN}:9000`, DOMAIN), { bucket: 'photos', key: '', style: 'virtual' });
  assert.deepEqual(parseS3Target('/a%20b/c%E2%9C%93', `photos.${DOMAIN}`, DOMAIN), {
    bucket: 'photos',
    key: 'a b/c✓',
    style: 'virtual',
  });
  // A bucket with dots is everything before the domain, not only the first label.
  assert.deepEqual(parseS3Target('/k', `my.dotted.bucket.${DOMAIN}`, DOMAIN), {
    bucket: 'my.dotted.bucket',
    key: 'k',
    style: 'virtual',
  });
  // Host names are case-insensitive: the bucket comes out lower-cased.
  assert.equal(parseS3Target('/k', 'Photos.S3.Example.Test:9000', DOMAIN).bucket, 'photos');
  // In virtual style the first path segment belongs to the key.
  assert.deepEqual(parseS3Target('/other/key', `photos.${DOMAIN}`, DOMAIN), { bucket: 'photos', key: 'other/key', style: 'virtual' });
});

test('a host equal to the domain, or merely ending with it, falls back to path style', () => {
  for (const host of [DOMAIN, `${DOMAIN}:9000`, `xs3.example.test`, 'example.test', GW]) {
    assert.deepEqual(parseS3Target('/bucket/key', host, DOMAIN), { bucket: 'bucket', key: 'key', style: 'path' }, host);
  }
  assert.deepEqual(parseS3Target('/', DOMAIN, DOMAIN), { key: '', style: 'path' });
});

test('dot segments in keys are refused (InvalidArgument 400), encoded or not', () => {
  for (const path of [
    '/granted/../other/key',
    '/granted/%2e%2e/other',
    '/granted/%2E%2E/other',
    '/granted/./x',
    '/granted/%2e/x',
    '/granted/..',
    '/granted/dir/.',
    '/granted/a/../../other/key',
    '/granted/a%2F..%2Fb', // %2F decodes to '/', so the decoded key holds a '..' segment
  ]) {
    rejects(() => parseS3Target(path, GW, DOMAIN), 'InvalidArgument', 400);
  }
  rejects(() => parseS3Target('/../other/key', `granted.${DOMAIN}`, DOMAIN), 'InvalidArgument', 400);
  rejects(() => parseS3Target('/%2e%2e/x', `granted.${DOMAIN}`, DOMAIN), 'InvalidArgument', 400);
});

test('an empty or encoded bucket segment is InvalidBucketName 400', () => {
  rejects(() => parseS3Target('//other/key', GW, DOMAIN), 'InvalidBucketName', 400, { BucketName: '' });
  rejects(() => parseS3Target('/%2e%2e/key', GW, DOMAIN), 'InvalidBucketName', 400, { BucketName: '%2e%2e' });
  rejects(() => parseS3Target('/..', GW), 'InvalidBucketName', 400);
  rejects(() => parseS3Target('/../key', GW), 'InvalidBucketName', 400);
  rejects(() => parseS3Target('/bu%63ket/key', GW), 'InvalidBucketName', 400, { BucketName: 'bu%63ket' });
  rejects(() => parseS3Target('/a%2Fb/key', GW), 'InvalidBucketName', 400);
});

test('malformed percent escapes are InvalidURI 400', () => {
  rejects(() => parseS3Target('/bucket/%E0%A4%A', GW, DOMAIN), 'InvalidURI', 400);
  rejects(() => parseS3Target('/bucket/%', GW), 'InvalidURI', 400);
  rejects(() => parseS3Target('/bucket/%zz', GW), 'InvalidURI', 400);
  rejects(() => parseS3Target('/bucket/%C3', GW), 'InvalidURI', 400); // truncated UTF-8 sequence
  rejects(() => parseS3Target('/%E0%A4%A', `photos.${DOMAIN}`, DOMAIN), 'InvalidURI', 400);
  rejects(() => decodeKey('%E0%A4%A'), 'InvalidURI', 400);
});

test('a path that does not start with "/" is InvalidURI 400', () => {
  for (const path of ['bucket/key', '', '*', 'http://evil/bucket/key']) {
    rejects(() => parseS3Target(path, GW, DOMAIN), 'InvalidURI', 400);
  }
  rejects(() => parseS3Target('key', `photos.${DOMAIN}`, DOMAIN), 'InvalidURI', 400);
});

test('invalid bucket names in the path are InvalidBucketName 400 (upper case allowed)', () => {
  for (const bucket of ['a', 'ab', '-ab', 'ab-', '.ab', 'ab.', '_ab', 'a..b', 'a b', 'a%20b', 'x'.repeat(64), 'bück']) {
    rejects(() => parseS3Target(`/${bucket}/key`, GW, DOMAIN), 'InvalidBucketName', 400, { BucketName: bucket });
  }
  assert.equal(parseS3Target('/MyBucket/key', GW).bucket, 'MyBucket');
  assert.equal(parseS3Target(`/${'x'.repeat(63)}/key`, GW).bucket, 'x'.repeat(63));
  // Virtual host: the host part is the bucket and must be valid too.
  rejects(() => parseS3Target('/k', `a.${DOMAIN}`, DOMAIN), 'InvalidBucketName', 400, { BucketName: 'a' });
  rejects(() => parseS3Target('/k', `a..b.${DOMAIN}`, DOMAIN), 'InvalidBucketName', 400, { BucketName: 'a..b' });
  rejects(() => parseS3Target('/k', `-ab.${DOMAIN}`, DOMAIN), 'InvalidBucketName', 400);
});

test('isValidBucketName edge cases', () => {
  const valid = ['abc', 'a-b', 'a.b', 'a_b', 'ABC', 'MyBucket', '123', 'a1-2.b_3', 'x'.repeat(63), 'a.b.c', '1.2.3.4'];
  const invalid = [
    '', 'a', 'ab', 'x'.repeat(64), '-abc', 'abc-', '.abc', 'abc.', '_abc', 'abc_', 'a..b', 'a...b',
    'a/b', 'a%2fb', 'a b', 'a\tb', 'bück', 'a:b', 'a?b', 'a#b', 'a+b', '..', '...',
  ];
  for (const n of valid) assert.equal(isValidBucketName(n), true, `${JSON.stringify(n)} should be valid`);
  for (const n of invalid) assert.equal(isValidBucketName(n), false, `${JSON.stringify(n)} should be invalid`);
});

test('hostName strips the port and lower-cases, IPv6 literals included', () => {
  assert.equal(hostName('[::1]:9000'), '[::1]');
  assert.equal(hostName('[::1]'), '[::1]');
  assert.equal(hostName('[2001:DB8::1]:443'), '[2001:db8::1]');
  assert.equal(hostName('127.0.0.1:9000'), '127.0.0.1');
  assert.equal(hostName('Bucket.S3.Example.Test:8443'), 'bucket.s3.example.test');
  assert.equal(hostName('localhost'), 'localhost');
  assert.equal(hostName(''), '');
});

test('decodeKey decodes once and keeps "+" literal', () => {
  assert.equal(decodeKey('a+b%20c'), 'a+b c');
  assert.equal(decodeKey('%2520'), '%20');
  assert.equal(decodeKey(''), '');
  assert.equal(decodeKey('a//b/'), 'a//b/');
});

test('a NUL byte in a key is refused (a filesystem backend would act on a shorter name)', () => {
  assert.throws(() => parseS3Target('/bucket/a%00b', '127.0.0.1:9000'), (e: any) => e.code === 'InvalidArgument' && e.status === 400);
});

test('isAcceptedKey: the same rule on an already decoded key (used for copy sources)', () => {
  for (const key of ['a', 'a/b', 'a//b/', '...', 'a..b', '.hidden', 'dir/.x']) assert.equal(isAcceptedKey(key), true, key);
  for (const key of ['.', '..', './x', 'a/../b', 'a/.', 'a\u0000b']) assert.equal(isAcceptedKey(key), false, JSON.stringify(key));
});
