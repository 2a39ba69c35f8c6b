// A `type: filesystem` backend through the real gateway (its own managed versitygw): the core
// operation list with the same clients as the other backends, objects as plain files on disk with
// the bytes written, and files put there by another program listed and served.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { FS_BUCKET, useFilesystemGateway } from '../../testkit/filesystem.ts';
import { defineBoto3Scenario } from './scenarios/boto3.ts';
import { cleanPrefix, data, getAndCompare, makeClient, put, type Ctx } from './scenarios/sdk-helpers.ts';
import { defineSdkScenarios } from './scenarios/sdk-ops.ts';
import { runPrefix } from '../../testkit/target.ts';

describe('filesystem backend through the gateway', () => {
  const gw = useFilesystemGateway();

  it('started, and the managed versitygw refuses made-up credentials with 403 (canary)', async () => {
    const vgw = await gw().versitygw();
    assert.ok(vgw.port > 0 && vgw.port !== gw().gateway.port, JSON.stringify(vgw));
  });

  defineSdkScenarios(() => gw().target(), 'gateway files (filesystem)');
  defineBoto3Scenario(() => gw().target(), 'gateway files (filesystem)');

  describe('objects are plain files on disk', () => {
    let client: S3Client | undefined;
    const prefix = runPrefix('filesystem-disk');
    const ctx: Ctx = {
      mode: 'WHEN_REQUIRED',
      prefix,
      target: () => gw().target(),
      client: () => client ?? assert.fail('client not created'),
    };
    const onDisk = (key: string): string => path.join(gw().bucketDir, ...key.split('/'));
    before(() => {
      client = makeClient(gw().target(), 'WHEN_REQUIRED');
    });
    after(async () => {
      if (!client) return;
      try {
        await cleanPrefix(client, gw().target().bucket, prefix);
      } finally {
        client.destroy();
      }
    });

    const written: Array<[string, Buffer]> = [
      [`${prefix}plain.txt`, Buffer.from('hello, plain file\n')],
      [`${prefix}empty`, Buffer.alloc(0)],
      [`${prefix}a/b/c/deep/nested.bin`, data(300_000)],
      [`${prefix}ünïcødé/日本語 файл +&=.txt`, Buffer.from('unicode key — ünïcødé ✓\n')],
    ];

    it('PutObject writes <path>/<bucket>/<key> with exactly the bytes sent (nested dirs, unicode)', async () => {
      for (const [key, buf] of written) await put(ctx, key, buf);
      for (const [key, buf] of written) {
        assert.ok(existsSync(onDisk(key)), `${onDisk(key)} does not exist`);
        assert.deepEqual(readFileSync(onDisk(key)), buf, `bytes of ${onDisk(key)}`);
      }
      // Nothing but the objects themselves under the prefix: metadata is not kept beside them.
      const files = readdirSync(onDisk(prefix), { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => path.relative(gw().bucketDir, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
        .sort();
      assert.deepEqual(files, written.map(([k]) => k).sort());
    });

    it('DeleteObject removes the file from disk', async () => {
      const [key] = written[0]!;
      await ctx.client().send(new DeleteObjectCommand({ Bucket: FS_BUCKET, Key: key }));
      assert.equal(existsSync(onDisk(key)), false, `${onDisk(key)} is still there`);
    });

    it('files written on disk by another program are listed (ListObjectsV2) and served byte-identical', async () => {
      const external: Array<[string, Buffer]> = [
        [`${prefix}a/b/by-another-program.bin`, data(123_457)], // into a directory the gateway made
        [`${prefix}new-dir/sub/ext.txt`, Buffer.from('written with fs.writeFileSync\n')], // a brand-new directory
        [`${prefix}new-dir/ünï 😀.txt`, Buffer.from('unicode name from disk\n')],
      ];
      for (const [key, buf] of external) {
        mkdirSync(path.dirname(onDisk(key)), { recursive: true });
        writeFileSync(onDisk(key), buf);
      }
      const listed = await ctx.client().send(new ListObjectsV2Command({ Bucket: FS_BUCKET, Prefix: `${prefix}` }));
      const sizes = new Map((listed.Contents ?? []).map((o) => [o.Key!, o.Size]));
      for (const [key, buf] of external) {
        assert.equal(sizes.get(key), buf.length, `${key} in the listing: ${JSON.stringify([...sizes])}`);
        await getAndCompare(ctx, key, buf);
        const head = await ctx.client().send(new HeadObjectCommand({ Bucket: FS_BUCKET, Key: key }));
        assert.equal(head.ContentLength, buf.length, `HeadObject ContentLength of ${key}`);
      }
      // Delimiter listing sees the new directory as a common prefix.
      const dirs = await ctx.client().send(new ListObjectsV2Command({ Bucket: FS_BUCKET, Prefix: prefix, Delimiter: '/' }));
      assert.ok((dirs.CommonPrefixes ?? []).some((p) => p.Prefix === `${prefix}new-dir/`), JSON.stringify(dirs.CommonPrefixes));
    });
  });
});
