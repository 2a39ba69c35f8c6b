// Listing scenarios (ListObjects V1 and V2) and HeadBucket, for the @aws-sdk/client-s3 suite.
import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import {
  ListObjectsCommand,
  ListObjectsV2Command,
  HeadBucketCommand,
  type ListObjectsCommandInput,
  type ListObjectsV2CommandInput,
} from '@aws-sdk/client-s3';
import { capsOf } from '../../../testkit/target.ts';
import { data, put, expectHttpError, type Ctx } from './sdk-helpers.ts';

/** Keys relative to the listing root, in S3 (UTF-8 byte) order; ENCODED_REL sorts after all of them. */
const REL_KEYS = ['a/1', 'a/2', 'b/1', 'c', 'd', 'e'];
/** A key that must come back URL-encoded with EncodingType=url. */
const ENCODED_REL = 'enc dir/ünï cödé.txt';

/** Decodes an EncodingType=url value (S3 may encode a space as "+" or "%20"; no key here holds a "+"). */
const urlDecode = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));

export function defineListScenarios(ctx: Ctx): void {
  describe('listing', () => {
    const root = `${ctx.prefix}list/`;
    const all = REL_KEYS.map((k) => root + k);
    before(async () => {
      for (const k of [...all, root + ENCODED_REL]) await put(ctx, k, data(3));
    });
    const v2 = async (input: Omit<ListObjectsV2CommandInput, 'Bucket'>) =>
      ctx.client().send(new ListObjectsV2Command({ Bucket: ctx.target().bucket, ...input }));
    const v1 = async (input: Omit<ListObjectsCommandInput, 'Bucket'>) =>
      ctx.client().send(new ListObjectsCommand({ Bucket: ctx.target().bucket, ...input }));
    const keysOf = (r: { Contents?: Array<{ Key?: string }> }): string[] => (r.Contents ?? []).map((o) => o.Key!);
    const prefixesOf = (r: { CommonPrefixes?: Array<{ Prefix?: string }> }): string[] =>
      (r.CommonPrefixes ?? []).map((p) => p.Prefix!);

    it('HeadBucket: 200 for the bucket, 404 for a missing one', async () => {
      const res = await ctx.client().send(new HeadBucketCommand({ Bucket: ctx.target().bucket }));
      assert.equal(res.$metadata.httpStatusCode, 200);
      await expectHttpError(ctx.client().send(new HeadBucketCommand({ Bucket: ctx.target().missingBucket ?? `missing-${Date.now()}` })), 404);
    });

    it('V2 prefix lists exactly the keys under it, with sizes', async () => {
      const res = await v2({ Prefix: `${root}a/` });
      assert.deepEqual(keysOf(res), [`${root}a/1`, `${root}a/2`]);
      assert.deepEqual((res.Contents ?? []).map((o) => o.Size), [3, 3]);
      assert.equal(res.KeyCount, 2);
      assert.equal(res.IsTruncated, false);
    });

    it('V2 delimiter groups CommonPrefixes', async () => {
      const res = await v2({ Prefix: root, Delimiter: '/' });
      assert.deepEqual(prefixesOf(res), [`${root}a/`, `${root}b/`, `${root}enc dir/`]);
      assert.deepEqual(keysOf(res), [`${root}c`, `${root}d`, `${root}e`]);
    });

    it('V2 pagination: MaxKeys=2 + ContinuationToken visits every key once, in order', async () => {
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const res = await v2({ Prefix: root, MaxKeys: 2, ContinuationToken: token });
        assert.ok(keysOf(res).length <= 2, 'page larger than MaxKeys');
        seen.push(...keysOf(res));
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
        if (res.IsTruncated) assert.ok(token, 'truncated page without NextContinuationToken');
        assert.ok(++pages < 20, 'pagination does not end');
      } while (token);
      assert.deepEqual(seen, [...all, root + ENCODED_REL]);
      assert.ok(pages >= 4, `expected at least 4 pages, got ${pages}`);
    });

    it('V2 delimiter + MaxKeys=1 pages through keys and CommonPrefixes', async () => {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const res = await v2({ Prefix: root, Delimiter: '/', MaxKeys: 1, ContinuationToken: token });
        seen.push(...prefixesOf(res), ...keysOf(res));
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
        assert.ok(seen.length < 20, 'pagination does not end');
      } while (token);
      assert.deepEqual(seen, [`${root}a/`, `${root}b/`, `${root}c`, `${root}d`, `${root}e`, `${root}enc dir/`]);
    });

    it('V2 StartAfter skips keys up to and including it', async () => {
      const res = await v2({ Prefix: root, StartAfter: `${root}b/1` });
      assert.deepEqual(keysOf(res), [`${root}c`, `${root}d`, `${root}e`, root + ENCODED_REL]);
    });

    it('V1 prefix and delimiter', async () => {
      const res = await v1({ Prefix: root, Delimiter: '/' });
      assert.deepEqual(prefixesOf(res), [`${root}a/`, `${root}b/`, `${root}enc dir/`]);
      assert.deepEqual(keysOf(res), [`${root}c`, `${root}d`, `${root}e`]);
      const sub = await v1({ Prefix: `${root}b/` });
      assert.deepEqual(keysOf(sub), [`${root}b/1`]);
    });

    it('V1 pagination: MaxKeys=2 + Marker visits every key once, in order', async () => {
      const seen: string[] = [];
      let marker: string | undefined;
      for (let pages = 0; ; pages++) {
        assert.ok(pages < 20, 'pagination does not end');
        const res = await v1({ Prefix: root, MaxKeys: 2, Marker: marker });
        const keys = keysOf(res);
        assert.ok(keys.length <= 2, 'page larger than MaxKeys');
        seen.push(...keys);
        if (!res.IsTruncated) break;
        marker = res.NextMarker ?? keys[keys.length - 1]; // NextMarker is only required with a delimiter
      }
      assert.deepEqual(seen, [...all, root + ENCODED_REL]);
    });

    it('V1 Marker skips keys up to and including it', async () => {
      const res = await v1({ Prefix: root, Marker: `${root}d` });
      assert.deepEqual(keysOf(res), [`${root}e`, root + ENCODED_REL]);
    });

    for (const [version, list] of [['V2', v2], ['V1', v1]] as const) {
      it(`${version} EncodingType=url returns encoded keys that decode to the originals`, async () => {
        const res = await list({ Prefix: `${root}enc`, EncodingType: 'url' });
        const keys = keysOf(res);
        assert.equal(keys.length, 1);
        if (!capsOf(ctx.target()).listEncodingTypeUrl) {
          // The documented alternative: the target ignores EncodingType and returns the raw key.
          assert.equal(keys[0], root + ENCODED_REL);
          return;
        }
        assert.notEqual(keys[0], root + ENCODED_REL, 'key was not URL-encoded');
        assert.equal(urlDecode(keys[0]!), root + ENCODED_REL);
      });
    }
  });
}
