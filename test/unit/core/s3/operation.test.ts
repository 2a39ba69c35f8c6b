// core/s3/operation.ts: every S3 operation the gateway names, from method, target and query.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BODY_NAMES_BUCKET, classifyOperation, type S3Operation } from '../../../../core/s3/operation.ts';

type Row = [S3Operation, string, string | undefined, string, string, boolean?];

// [expected, method, bucket, key, raw query, has x-amz-copy-source]
const TABLE: Row[] = [
  ['ListBuckets', 'GET', undefined, '', ''],
  ['ListBuckets', 'GET', undefined, '', 'x-id=ListBuckets'],
  ['CreateBucket', 'PUT', 'b', '', ''],
  ['DeleteBucket', 'DELETE', 'b', '', ''],
  ['HeadBucket', 'HEAD', 'b', '', ''],
  ['ListObjects', 'GET', 'b', '', ''],
  ['ListObjects', 'GET', 'b', '', 'prefix=a%2F&delimiter=%2F&marker=m&max-keys=10&encoding-type=url'],
  ['ListObjectsV2', 'GET', 'b', '', 'list-type=2'],
  ['ListObjectsV2', 'GET', 'b', '', 'list-type=2&prefix=p&continuation-token=t&fetch-owner=true&start-after=s&x-id=ListObjectsV2'],
  ['ListObjectVersions', 'GET', 'b', '', 'versions'],
  ['ListObjectVersions', 'GET', 'b', '', 'versions&prefix=p&key-marker=k&version-id-marker=v'],
  ['ListMultipartUploads', 'GET', 'b', '', 'uploads'],
  ['ListMultipartUploads', 'GET', 'b', '', 'uploads&key-marker=k&upload-id-marker=u&max-uploads=5'],
  ['DeleteObjects', 'POST', 'b', '', 'delete'],
  ['DeleteObjects', 'POST', 'b', '', 'delete&x-id=DeleteObjects'],
  ['GetBucketLocation', 'GET', 'b', '', 'location'],
  ['CreateMultipartUpload', 'POST', 'b', 'k', 'uploads'],
  ['CreateMultipartUpload', 'POST', 'b', 'k', 'uploads&x-id=CreateMultipartUpload'],
  ['CompleteMultipartUpload', 'POST', 'b', 'k', 'uploadId=u1'],
  ['AbortMultipartUpload', 'DELETE', 'b', 'k', 'uploadId=u1'],
  ['ListParts', 'GET', 'b', 'k', 'uploadId=u1'],
  ['ListParts', 'GET', 'b', 'k', 'uploadId=u1&max-parts=10&part-number-marker=2'],
  ['UploadPart', 'PUT', 'b', 'k', 'partNumber=1&uploadId=u1'],
  ['UploadPartCopy', 'PUT', 'b', 'k', 'partNumber=1&uploadId=u1', true],
  ['CopyObject', 'PUT', 'b', 'k', '', true],
  ['CopyObject', 'PUT', 'b', 'k', 'x-id=CopyObject', true],
  ['PutObject', 'PUT', 'b', 'k', ''],
  ['PutObject', 'PUT', 'b', 'dir/k', 'x-id=PutObject'],
  ['GetObject', 'GET', 'b', 'k', ''],
  ['GetObject', 'GET', 'b', 'k', 'response-content-type=text%2Fplain'],
  ['GetObject', 'GET', 'b', 'k', 'versionId=v1'],
  ['GetObject', 'GET', 'b', 'k', 'versionId=v1&response-content-disposition=attachment&response-cache-control=no-cache'],
  ['GetObject', 'GET', 'b', 'k', 'response-content-language=en&response-expires=0&response-content-encoding=gzip'],
  ['GetObject', 'GET', 'b', 'k', 'partNumber=2'],
  ['GetObject', 'GET', 'b', 'k', 'x-id=GetObject'],
  // Presigned: X-Amz-* parameters are authentication, not a sub-resource.
  ['GetObject', 'GET', 'b', 'k', 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=c&X-Amz-Date=d&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=s'],
  ['PutObject', 'PUT', 'b', 'k', 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=s'],
  ['CreateBucket', 'PUT', 'b', '', 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=s'],
  ['HeadObject', 'HEAD', 'b', 'k', ''],
  ['HeadObject', 'HEAD', 'b', 'k', 'versionId=v1&partNumber=1'],
  ['DeleteObject', 'DELETE', 'b', 'k', ''],
  ['DeleteObject', 'DELETE', 'b', 'k', 'versionId=v1'],
  ['BucketSubresource', 'GET', 'b', '', 'tagging'],
  ['BucketSubresource', 'PUT', 'b', '', 'tagging'],
  ['BucketSubresource', 'DELETE', 'b', '', 'tagging'],
  ['BucketSubresource', 'GET', 'b', '', 'versioning'],
  ['BucketSubresource', 'PUT', 'b', '', 'versioning'],
  ['BucketSubresource', 'GET', 'b', '', 'acl'],
  ['BucketSubresource', 'PUT', 'b', '', 'acl'],
  ['BucketSubresource', 'GET', 'b', '', 'policy'],
  ['BucketSubresource', 'DELETE', 'b', '', 'policy'],
  ['BucketSubresource', 'GET', 'b', '', 'lifecycle'],
  ['BucketSubresource', 'PUT', 'b', '', 'cors'],
  ['ObjectSubresource', 'GET', 'b', 'k', 'tagging'],
  ['ObjectSubresource', 'PUT', 'b', 'k', 'tagging'],
  ['ObjectSubresource', 'DELETE', 'b', 'k', 'tagging'],
  ['ObjectSubresource', 'GET', 'b', 'k', 'acl'],
  ['ObjectSubresource', 'PUT', 'b', 'k', 'acl'],
  ['ObjectSubresource', 'GET', 'b', 'k', 'tagging&versionId=v1'],
  ['ObjectSubresource', 'GET', 'b', 'k', 'attributes'],
  ['ObjectSubresource', 'POST', 'b', 'k', 'restore'],
  ['Unknown', 'PUT', undefined, '', ''],
  ['Unknown', 'DELETE', undefined, '', ''],
  ['Unknown', 'POST', undefined, '', ''],
  ['PostObject', 'POST', 'b', '', ''],
  ['Unknown', 'POST', 'b', 'k', ''],
  ['Unknown', 'PATCH', 'b', 'k', ''],
  ['Unknown', 'OPTIONS', 'b', '', ''],
];

test('classifyOperation: every operation of the union', () => {
  for (const [want, method, bucket, key, query, copy] of TABLE) {
    const got = classifyOperation(method, bucket, key, new URLSearchParams(query), copy ?? false);
    assert.equal(got, want, `${method} /${bucket ?? ''}${key ? `/${key}` : ''}?${query}${copy ? ' (copy)' : ''}`);
  }
  const covered = new Set(TABLE.map((r) => r[0]));
  const all: S3Operation[] = [
    'ListBuckets', 'CreateBucket', 'DeleteBucket', 'HeadBucket', 'ListObjects', 'ListObjectsV2', 'ListObjectVersions',
    'ListMultipartUploads', 'DeleteObjects', 'GetBucketLocation', 'CreateMultipartUpload', 'CompleteMultipartUpload',
    'AbortMultipartUpload', 'ListParts', 'UploadPart', 'UploadPartCopy', 'CopyObject', 'PutObject', 'GetObject',
    'HeadObject', 'DeleteObject', 'BucketSubresource', 'ObjectSubresource', 'PostObject', 'Unknown',
  ];
  // CorsPreflight is not in the table: ext_authz names it (an anonymous OPTIONS), not the classifier.
  for (const op of all) assert.ok(covered.has(op), `table covers ${op}`);
});

test('classifyOperation: method case does not matter', () => {
  assert.equal(classifyOperation('get', 'b', 'k', new URLSearchParams(''), false), 'GetObject');
  assert.equal(classifyOperation('put', 'b', 'k', new URLSearchParams(''), true), 'CopyObject');
  assert.equal(classifyOperation('get', undefined, '', new URLSearchParams(''), false), 'ListBuckets');
  assert.equal(classifyOperation('Post', 'b', '', new URLSearchParams('delete'), false), 'DeleteObjects');
});

test('classifyOperation: GetObject stays GetObject with response overrides and versionId', () => {
  const q = new URLSearchParams();
  q.set('response-content-type', 'application/json');
  q.set('versionId', '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo');
  assert.equal(classifyOperation('GET', 'releases', 'a b/ü+c', q, false), 'GetObject');
  // A copy source on a GET does not make it a copy.
  assert.equal(classifyOperation('GET', 'releases', 'k', new URLSearchParams('versionId=1'), true), 'GetObject');
});

test('BODY_NAMES_BUCKET: the operations whose bodies name the bucket', () => {
  assert.deepEqual(
    [...BODY_NAMES_BUCKET].sort(),
    [
      'CompleteMultipartUpload', 'CreateMultipartUpload', 'ListMultipartUploads', 'ListObjectVersions', 'ListObjects',
      'ListObjectsV2', 'ListParts', 'PostObject',
    ].sort(),
  );
  assert.equal(BODY_NAMES_BUCKET.has('GetObject'), false);
  assert.equal(BODY_NAMES_BUCKET.has('ListBuckets'), false);
});
