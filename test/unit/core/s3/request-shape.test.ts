// core/s3/request-shape.ts: the shapes S3 refuses before it authenticates, each with AWS's answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestShapeError, type RequestShape } from '../../../../core/s3/request-shape.ts';

const shape = (method: string, bucket: string | undefined, key: string, query = '', copySource?: string): RequestShape =>
  ({ method, bucket, key, query: new URLSearchParams(query), ...(copySource !== undefined && { copySource }) });

function refused(r: RequestShape, code: string, status: number, message: string, details: Record<string, string> = {}): void {
  const err = requestShapeError(r);
  assert.ok(err, `${r.method} ${r.bucket}/${r.key}?${r.query}: expected ${code}`);
  assert.deepEqual([err.code, err.status, err.message, err.details], [code, status, message, details]);
}

const NOT_ALLOWED = 'The specified method is not allowed against this resource.';

test('the service resource has GET only', () => {
  assert.equal(requestShapeError(shape('GET', undefined, '')), undefined);
  refused(shape('POST', undefined, ''), 'MethodNotAllowed', 405, NOT_ALLOWED, { Method: 'POST', ResourceType: 'SERVICE' });
  refused(shape('put', undefined, ''), 'MethodNotAllowed', 405, NOT_ALLOWED, { Method: 'PUT', ResourceType: 'SERVICE' });
});

test('POST on an object needs a sub-resource; POST on a bucket (form upload, ?delete) is fine', () => {
  refused(shape('POST', 'b', 'k'), 'MethodNotAllowed', 405, NOT_ALLOWED, { Method: 'POST', ResourceType: 'SERVICE' });
  for (const q of ['uploads', 'uploadId=u', 'restore']) assert.equal(requestShapeError(shape('POST', 'b', 'k', q)), undefined, q);
  assert.equal(requestShapeError(shape('POST', 'b', '')), undefined);
  assert.equal(requestShapeError(shape('POST', 'b', '', 'delete')), undefined);
});

test('uploadId and partNumber only together on PUT', () => {
  refused(shape('PUT', 'b', 'k', 'partNumber=3'), 'InvalidArgument', 400, 'This operation does not accept partNumber without uploadId',
    { ArgumentName: 'partNumber', ArgumentValue: 'partNumber' });
  refused(shape('PUT', 'b', 'k', 'uploadId=u'), 'MethodNotAllowed', 405, NOT_ALLOWED, { Method: 'PUT', ResourceType: 'UPLOAD' });
  assert.equal(requestShapeError(shape('PUT', 'b', 'k', 'partNumber=3&uploadId=u')), undefined);
});

test('?uploads and ?versions are bucket sub-resources only', () => {
  refused(shape('GET', 'b', 'k', 'uploads'), 'InvalidRequest', 400, 'Key is not expected for the GET method ?uploads subresource');
  refused(shape('GET', 'b', 'k', 'versions'), 'InvalidRequest', 400, 'There is no such thing as the ?versions sub-resource for a key');
  assert.equal(requestShapeError(shape('GET', 'b', '', 'uploads')), undefined);
  assert.equal(requestShapeError(shape('GET', 'b', '', 'versions')), undefined);
});

test('a copy source only on PUT (CopyObject, UploadPartCopy)', () => {
  for (const [m, b, k, q] of [['GET', 'b', 'k', ''], ['HEAD', 'b', ''], ['DELETE', 'b', 'k', ''], ['POST', 'b', 'k', 'uploadId=u']] as const) {
    refused(shape(m, b, k, q, 'src/obj'), 'InvalidArgument', 400, 'You can only specify a copy source header for copy requests.',
      { ArgumentName: 'x-amz-copy-source', ArgumentValue: 'src/obj' });
  }
  assert.equal(requestShapeError(shape('PUT', 'b', 'k', '', 'src/obj')), undefined);
  assert.equal(requestShapeError(shape('PUT', 'b', 'k', 'partNumber=1&uploadId=u', 'src/obj')), undefined);
});

test('ordinary requests and preflights pass', () => {
  for (const r of [shape('GET', 'b', 'k'), shape('HEAD', 'b', 'k'), shape('DELETE', 'b', 'k'), shape('PUT', 'b', ''), shape('OPTIONS', undefined, ''), shape('OPTIONS', 'b', 'k', 'uploadId=u')]) {
    assert.equal(requestShapeError(r), undefined, `${r.method} ${r.bucket}/${r.key}`);
  }
});
