// core/s3/delete-objects.ts: a DeleteObjects batch read, narrowed and answered as S3 would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessDeniedEntries, deleteResultXml, mergeDeleteResult, parseDeleteRequest, renderDeleteRequest } from '../../../../core/s3/delete-objects.ts';
import { S3Error } from '../../../../core/errors.ts';

const malformed = (body: string) =>
  assert.throws(() => parseDeleteRequest(body), (e: unknown) => e instanceof S3Error && e.code === 'MalformedXML' && e.status === 400, body.slice(0, 80));

test('a batch as SDKs write it: objects in order, versions, Quiet, entities decoded, each element kept as sent', () => {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    '<Object><Key>team-a/a&amp;b &lt;1&gt;.txt</Key></Object>\n  <Object><Key>v.txt</Key><VersionId>3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY</VersionId><ETag>"x"</ETag></Object>' +
    '<Object><Key>&#x1F600;&#48;</Key></Object><Quiet>true</Quiet></Delete>';
  const batch = parseDeleteRequest(body);
  assert.equal(batch.quiet, true);
  assert.deepEqual(batch.objects.map((o) => [o.key, o.versionId]), [['team-a/a&b <1>.txt', undefined], ['v.txt', '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY'], ['😀0', undefined]]);
  assert.equal(batch.objects[1]!.xml, '<Object><Key>v.txt</Key><VersionId>3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY</VersionId><ETag>"x"</ETag></Object>');
  const again = renderDeleteRequest(batch.quiet, batch.objects.slice(1));
  assert.deepEqual(parseDeleteRequest(again), { quiet: true, objects: batch.objects.slice(1) });
  assert.equal(parseDeleteRequest('<Delete><Quiet>false</Quiet><Object><Key>k</Key></Object></Delete>').quiet, false);
  assert.doesNotMatch(renderDeleteRequest(false, batch.objects), /Quiet/);
});

test('what S3 refuses is MalformedXML, never a crash: no root, stray text or elements, no or too many objects, markup in a key', () => {
  malformed('');
  malformed('<Delete><Object><Key>k</Key></Object>');
  malformed('<Other><Object><Key>k</Key></Object></Other>');
  malformed('<Delete>junk<Object><Key>k</Key></Object></Delete>');
  malformed('<Delete><Object><Key>k</Key></Object><Unknown>1</Unknown></Delete>');
  malformed('<Delete><Object><Key>k</Key><Key>l</Key></Object></Delete>');
  malformed('<Delete><Object><VersionId>1</VersionId></Object></Delete>');
  malformed('<Delete><Object><Key><b>k</b></Key></Object></Delete>');
  malformed('<Delete><Object><Key>&#x110000;</Key></Object></Delete>');
  malformed('<Delete><Quiet>yes</Quiet><Object><Key>k</Key></Object></Delete>');
  malformed('<Delete></Delete>');
  malformed(`<Delete>${'<Object><Key>k</Key></Object>'.repeat(1001)}</Delete>`);
  assert.equal(parseDeleteRequest(`<Delete>${'<Object><Key>k</Key></Object>'.repeat(1000)}</Delete>`).objects.length, 1000);
});

test('refused keys as S3 reports them, merged into the backend\'s result or answered alone', () => {
  const entries = accessDeniedEntries([{ key: 'team-b/<x>&.txt', xml: '' }, { key: 'v', versionId: 'id"1', xml: '' }]);
  assert.equal(
    entries,
    '<Error><Key>team-b/&lt;x&gt;&amp;.txt</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>' +
      '<Error><Key>v</Key><VersionId>id&quot;1</VersionId><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
  );
  const backend = '<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Deleted><Key>a</Key></Deleted></DeleteResult>';
  assert.equal(mergeDeleteResult(backend, entries), backend.replace('</DeleteResult>', `${entries}</DeleteResult>`));
  // Quiet and all deleted: some backends answer an empty element.
  assert.equal(mergeDeleteResult('<DeleteResult xmlns="ns"/>', entries), `<DeleteResult xmlns="ns">${entries}</DeleteResult>`);
  assert.equal(mergeDeleteResult(backend, ''), backend);
  assert.match(deleteResultXml(entries), /^<\?xml[^>]*\?>\n<DeleteResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"><Error>.*<\/Error><\/DeleteResult>$/);
});
