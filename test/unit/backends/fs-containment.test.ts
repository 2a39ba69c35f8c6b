// Filesystem containment: symbolic links and versitygw's own `.sgwtmp` are out of a client's reach,
// and listings leave out what could not be read.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { assertContained, isHidden } from '../../../backends/fs-containment.ts';
import { filterListing } from '../../../extproc/responses/list-filter.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'bg-contain-'));
after(() => rmSync(root, { recursive: true, force: true }));
const data = path.join(root, 'data');
mkdirSync(path.join(data, 'b', 'dir'), { recursive: true });
mkdirSync(path.join(root, 'outside'));
writeFileSync(path.join(root, 'outside', 'secret'), 's');
writeFileSync(path.join(data, 'b', 'dir', 'ok'), 'ok');
symlinkSync(path.join(root, 'outside'), path.join(data, 'b', 'link'));
symlinkSync(path.join(data, 'b', 'dir', 'ok'), path.join(data, 'b', 'dir', 'inner-link'));

const denied = (key: string) => assert.throws(() => assertContained(data, 'b', key), (e: any) => e.code === 'AccessDenied' && e.status === 403, key);

test('plain keys, existing or not, pass', () => {
  for (const key of ['dir/ok', 'dir/new', 'new/deeper/key', '', 'dir//ok']) assertContained(data, 'b', key);
});

test('any symbolic link on the path is refused, pointing outside or not', () => {
  for (const key of ['link', 'link/secret', 'link/new/file', 'dir/inner-link', 'link//secret']) denied(key);
});

test("versitygw's .sgwtmp is refused", () => {
  denied('.sgwtmp/multipart/x/1');
  denied('/.sgwtmp/planted');
  assertContained(data, 'b', 'dir/.sgwtmp-is-fine-deeper');
});

test('a bucket directory that is itself a link is refused', () => {
  symlinkSync(path.join(root, 'outside'), path.join(data, 'linked-bucket'));
  assert.throws(() => assertContained(data, 'linked-bucket', 'x'), (e: any) => e.code === 'AccessDenied');
});

test('filterListing drops hidden Contents and CommonPrefixes and fixes KeyCount', () => {
  const xml =
    '<ListBucketResult><Name>b</Name><KeyCount>4</KeyCount>' +
    '<Contents><Key>dir/ok</Key><Size>2</Size></Contents>' +
    '<Contents><Key>link/secret</Key><Size>1</Size></Contents>' +
    '<Contents><Key>a&amp;b</Key><Size>1</Size></Contents>' +
    '<CommonPrefixes><Prefix>link/</Prefix></CommonPrefixes></ListBucketResult>';
  const out = filterListing(xml, (key) => isHidden(data, 'b', key) || key === 'a&b');
  assert.equal(
    out,
    '<ListBucketResult><Name>b</Name><KeyCount>1</KeyCount><Contents><Key>dir/ok</Key><Size>2</Size></Contents></ListBucketResult>',
  );
  assert.equal(filterListing(xml, () => false), xml);
});
