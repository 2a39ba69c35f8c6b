// core/s3/actions.ts: every operation the router names and every sub-resource has a class and a
// scope; pass-through operations are named; what the table does not know gets a name rules can use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ACTION_CLASSES, OPERATIONS, isUnknownOperationName, operationName, type ResourceScope } from '../../../../core/s3/actions.ts';
import { classifyOperation, type S3Operation } from '../../../../core/s3/operation.ts';

const nameOf = (method: string, bucket: string | undefined, key: string, query: string, copy = false) => {
  const q = new URLSearchParams(query);
  return operationName(classifyOperation(method, bucket, key, q, copy), method, key, q);
};

test('every operation the router names is in the table (the lumped and pre-identity ones aside)', () => {
  const routed: S3Operation[] = [
    'ListBuckets', 'CreateBucket', 'DeleteBucket', 'HeadBucket', 'ListObjects', 'ListObjectsV2', 'ListObjectVersions',
    'ListMultipartUploads', 'DeleteObjects', 'GetBucketLocation', 'CreateMultipartUpload', 'CompleteMultipartUpload',
    'AbortMultipartUpload', 'ListParts', 'UploadPart', 'UploadPartCopy', 'CopyObject', 'PutObject', 'GetObject',
    'HeadObject', 'DeleteObject', 'PostObject',
  ];
  for (const op of routed) assert.ok(OPERATIONS[op], op);
});

// [expected name, action class, method, bucket, key, query]
const PASS_THROUGH: [string, string, string, string, string, string][] = [
  ['GetBucketTagging', 'read', 'GET', 'b', '', 'tagging'],
  ['PutBucketTagging', 'admin', 'PUT', 'b', '', 'tagging'],
  ['DeleteBucketTagging', 'admin', 'DELETE', 'b', '', 'tagging'],
  ['GetBucketVersioning', 'read', 'GET', 'b', '', 'versioning'],
  ['PutBucketVersioning', 'admin', 'PUT', 'b', '', 'versioning'],
  ['GetBucketAcl', 'read', 'GET', 'b', '', 'acl'],
  ['PutBucketAcl', 'admin', 'PUT', 'b', '', 'acl'],
  ['GetBucketPolicy', 'read', 'GET', 'b', '', 'policy'],
  ['PutBucketPolicy', 'admin', 'PUT', 'b', '', 'policy'],
  ['DeleteBucketPolicy', 'admin', 'DELETE', 'b', '', 'policy'],
  ['GetBucketLifecycleConfiguration', 'read', 'GET', 'b', '', 'lifecycle'],
  ['PutBucketLifecycleConfiguration', 'admin', 'PUT', 'b', '', 'lifecycle'],
  ['DeleteBucketLifecycle', 'admin', 'DELETE', 'b', '', 'lifecycle'],
  ['GetBucketCors', 'read', 'GET', 'b', '', 'cors'],
  ['PutBucketCors', 'admin', 'PUT', 'b', '', 'cors'],
  ['GetObjectLockConfiguration', 'read', 'GET', 'b', '', 'object-lock'],
  ['PutObjectLockConfiguration', 'admin', 'PUT', 'b', '', 'object-lock'],
  ['GetObjectTagging', 'read', 'GET', 'b', 'k', 'tagging'],
  ['GetObjectTagging', 'read', 'GET', 'b', 'k', 'tagging&versionId=v1'],
  ['PutObjectTagging', 'write', 'PUT', 'b', 'k', 'tagging'],
  ['DeleteObjectTagging', 'write', 'DELETE', 'b', 'k', 'tagging'],
  ['GetObjectAcl', 'read', 'GET', 'b', 'k', 'acl'],
  ['PutObjectAcl', 'admin', 'PUT', 'b', 'k', 'acl'],
  ['GetObjectRetention', 'read', 'GET', 'b', 'k', 'retention'],
  ['PutObjectRetention', 'admin', 'PUT', 'b', 'k', 'retention'],
  ['PutObjectLegalHold', 'admin', 'PUT', 'b', 'k', 'legal-hold'],
  ['GetObjectAttributes', 'read', 'GET', 'b', 'k', 'attributes'],
  ['RestoreObject', 'write', 'POST', 'b', 'k', 'restore'],
  ['SelectObjectContent', 'read', 'POST', 'b', 'k', 'select&select-type=2'],
];

test('pass-through operations are named by their sub-resource, with their class', () => {
  for (const [want, action, method, bucket, key, query] of PASS_THROUGH) {
    const got = nameOf(method, bucket, key, query);
    assert.equal(got, want, `${method} ${bucket}/${key}?${query}`);
    assert.equal(OPERATIONS[got]!.action, action, got);
  }
});

// [action class, operations]
const CLASSES: [string, string[]][] = [
  ['read', ['GetObject', 'HeadObject', 'GetObjectTagging', 'GetBucketVersioning']],
  ['write', ['PutObject', 'PostObject', 'CopyObject', 'CreateMultipartUpload', 'UploadPart', 'UploadPartCopy', 'CompleteMultipartUpload', 'AbortMultipartUpload']],
  ['delete', ['DeleteObject', 'DeleteObjects']],
  ['list', ['ListObjects', 'ListObjectsV2', 'ListObjectVersions', 'ListMultipartUploads', 'ListParts', 'HeadBucket', 'GetBucketLocation', 'ListBuckets']],
  ['admin', ['CreateBucket', 'DeleteBucket', 'PutBucketPolicy', 'PutObjectAcl']],
];

test('each action class holds the operations the README says', () => {
  for (const [action, ops] of CLASSES) for (const op of ops) assert.equal(OPERATIONS[op]?.action, action, op);
});

test('an operation the table does not know gets a name a rule can use', () => {
  assert.equal(nameOf('GET', 'b', '', 'frobnicate'), 'GET bucket?frobnicate');
  assert.equal(nameOf('PUT', 'b', 'k', 'frobnicate'), 'PUT object?frobnicate');
  assert.equal(nameOf('PATCH', 'b', 'k', ''), 'PATCH object');
  for (const n of ['GET bucket?frobnicate', 'PATCH object']) {
    assert.equal(OPERATIONS[n], undefined);
    assert.ok(isUnknownOperationName(n), n);
  }
  assert.ok(!isUnknownOperationName('GetObject'));
});

/** The README's action table: one row per class and scope, operations sorted. */
function tableRows(): string {
  const scopes: ResourceScope[] = ['object', 'keys', 'bucket', 'any', 'service'];
  return ACTION_CLASSES.flatMap((action) =>
    scopes.flatMap((scope) => {
      const ops = Object.entries(OPERATIONS).filter(([, i]) => i.action === action && i.scope === scope).map(([n]) => n).sort();
      return ops.length === 0 ? [] : [`| ${action} | ${scope} | ${ops.join(', ')} |`];
    }),
  ).join('\n');
}

test('README action table = the code\'s', () => {
  const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
  const block = /<!-- action-table -->\n\| class \| scope \| operations \|\n\|---\|---\|---\|\n([\s\S]*?)\n<!-- \/action-table -->/.exec(readme);
  assert.ok(block, 'README has the action-table block');
  assert.equal(block[1], tableRows());
});
