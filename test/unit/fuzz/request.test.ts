// Fuzzes how a request is read before it is authorized: parseS3Target (core/s3/request.ts) on random
// paths and hosts throws only S3Error and what it accepts (a valid bucket, a key without dot segments
// or NUL) re-encodes to a path that parses the same; parseCopySource (authz/copy-source.ts) throws
// only S3Error and formatCopySource of what it accepts parses back the same; classifyOperation and
// requestShapeError (core/s3) never throw on random methods, targets and queries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatCopySource, parseCopySource } from '../../../authz/copy-source.ts';
import { S3Error } from '../../../core/errors.ts';
import { classifyOperation } from '../../../core/s3/operation.ts';
import { isAcceptedKey, isValidBucketName, parseS3Target } from '../../../core/s3/request.ts';
import { requestShapeError } from '../../../core/s3/request-shape.ts';
import { uriEncode } from '../../../core/sigv4/canonical.ts';
import { mutated, neverThrows, onlyS3Errors, params, testOptions, textOf } from './fuzz.ts';

const PATH_SPECIALS = ['/', '//', 'bucket', 'my.bucket', 'a', '.', '..', '%2e', '%2E%2E', '%2F', '%00', '%', '%ZZ', '%C3%A9', '?', '&', '=', ' ', 'é', '..%2F'];
const path = fc.oneof(textOf(PATH_SPECIALS, 10).map((p) => `/${p}`), textOf(PATH_SPECIALS, 10));
const host = fc.constantFrom('s3.example.test', 'bucket.s3.example.test', 'BUCKET.S3.example.test:9000', 'a..b.s3.example.test', '[::1]:9000', 'x.s3.example.test', '.s3.example.test');

test('parseS3Target: only S3 errors; an accepted target re-encodes to a path that parses the same', testOptions, () => {
  fc.assert(
    fc.property(path, host, fc.option(fc.constant('s3.example.test'), { nil: undefined }), (p, h, domain) => {
      const outcome = onlyS3Errors(() => parseS3Target(p, h, domain));
      if ('error' in outcome) return;
      const t = outcome.value;
      if (t.bucket === undefined) return assert.equal(t.key, '');
      assert.ok(isValidBucketName(t.bucket) && isAcceptedKey(t.key), JSON.stringify(t));
      const again = parseS3Target(`/${t.bucket}/${uriEncode(t.key, false)}`, 'localhost');
      assert.deepEqual([again.bucket, again.key], [t.bucket, t.key]);
    }),
    params(1000),
  );
});

/** A header value arrives as bytes: it may hold any UTF-8, never a lone surrogate. */
const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8') === s;
const copySource = fc
  .oneof(
    mutated(fc.constantFrom('/bucket/key', 'bucket/dir/key?versionId=abc', 'bucket%2Fkey', '/my.bucket/%C3%A9/x'), PATH_SPECIALS),
    textOf([...PATH_SPECIALS, '?versionId=', 'versionId'], 10),
  )
  .filter(wellFormed);

test('parseCopySource: only S3 errors; formatCopySource of an accepted source parses back the same', testOptions, () => {
  fc.assert(
    fc.property(copySource, (value) => {
      const outcome = onlyS3Errors(() => parseCopySource(value));
      if ('error' in outcome) return;
      const src = outcome.value;
      assert.deepEqual(parseCopySource(formatCopySource(src.bucket, src)), src);
    }),
    params(1000),
  );
});

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'OPTIONS', 'get', 'PATCH', '', 'G\u0130T'];
const QUERY_NAMES = ['uploads', 'uploadId', 'partNumber', 'versions', 'location', 'delete', 'list-type', 'prefix', 'x-amz-date', 'X-Amz-Algorithm', 'acl', ''];

test('classifyOperation and requestShapeError never throw; a shape error is an S3Error', testOptions, () => {
  const request = fc.record({
    method: fc.oneof(fc.constantFrom(...METHODS), fc.string({ maxLength: 8 })),
    bucket: fc.option(fc.constantFrom('bucket', 'a.b'), { nil: undefined }),
    key: fc.constantFrom('', 'k', 'a/b'),
    query: textOf([...QUERY_NAMES, '=', '&', '%', '2'], 8),
    copySource: fc.option(fc.constant('/b/k'), { nil: undefined }),
  });
  fc.assert(
    fc.property(request, (r) => {
      const query = new URLSearchParams(r.query);
      neverThrows(() => classifyOperation(r.method, r.bucket, r.key, query, r.copySource !== undefined));
      const shape = neverThrows(() => requestShapeError({ ...r, query }));
      if (shape !== undefined) assert.ok(shape instanceof S3Error);
    }),
    params(1000),
  );
});
