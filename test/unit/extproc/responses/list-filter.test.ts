// A listing broader than the grant, filtered (issue 17): extproc/responses/list-policy.ts decides each
// entry with the policy, list-filter.ts drops it from the XML and keeps the listing valid (KeyCount, a
// V1 page's NextMarker, the versions' markers), xml-response.ts runs both in order. The policy is a real
// one: alice reads and lists team-a/ and shared/ (but shared/secret/) of `releases`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessControl } from '../../../../access/access-control.ts';
import { SigningKeyCache } from '../../../../core/sigv4/signing-key.ts';
import { filterListing, pinNextMarker } from '../../../../extproc/responses/list-filter.ts';
import { policyHidden } from '../../../../extproc/responses/list-policy.ts';
import { XmlResponseStage } from '../../../../extproc/responses/xml-response.ts';
import type { ExtProcStage } from '../../../../wire/route-decision.ts';
import { ALICE, backend, gatewayConfig, NOW } from '../../fixtures/unit-helpers/gateway.ts';

const config = gatewayConfig({
  users: [{ name: 'alice', accessKeys: [ALICE], policies: ['team'] }],
  policies: [
    {
      name: 'team',
      rules: [
        { effect: 'allow', actions: ['read', 'list'], resources: ['releases/team-a/*', 'releases/shared/*'] },
        { effect: 'deny', actions: ['*'], resources: ['releases/shared/secret/*'] },
      ],
    },
  ],
});
const access = new AccessControl(config, new SigningKeyCache());
const alice = { principal: 'alice', accessKeyId: ALICE.accessKeyId, presigned: false };
const hiddenFor = (operation: string, delimiter = '') =>
  policyHidden(access, alice, { operation, method: 'GET', bucket: 'releases', key: '', delimiter }, NOW);

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const contents = (...keys: string[]) => keys.map((k) => `<Contents><Key>${k}</Key><Size>1</Size></Contents>`).join('');
const prefixes = (...ps: string[]) => ps.map((p) => `<CommonPrefixes><Prefix>${p}</Prefix></CommonPrefixes>`).join('');
const keysOf = (xml: string) => [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
const prefixesOf = (xml: string) => [...xml.matchAll(/<CommonPrefixes><Prefix>([^<]*)<\/Prefix><\/CommonPrefixes>/g)].map((m) => m[1]);
const one = (xml: string, el: string) => [...xml.matchAll(new RegExp(`<${el}>([^<]*)</${el}>`, 'g'))].map((m) => m[1]);

test('policyHidden: a key is kept iff a listing of it is whole, a common prefix iff something under it is listable', () => {
  const hidden = hiddenFor('ListObjectsV2');
  for (const key of ['team-a/x', 'team-a/deep/er', 'shared/readme', 'shared/secretary']) assert.equal(hidden(key, 'key'), false, key);
  for (const key of ['team-b/x', 'team-a', 'team-', 'shared/secret/k', 'admin/k', '']) assert.equal(hidden(key, 'key'), true, key);
  for (const p of ['team-a/', 'team-', 'shared/', 'team-a/sub/', 't']) assert.equal(hidden(p, 'prefix'), false, p);
  for (const p of ['team-b/', 'admin/', 'shared/secret/', 'x']) assert.equal(hidden(p, 'prefix'), true, p);
  // The same answers for V1 and the versions listing.
  for (const op of ['ListObjects', 'ListObjectVersions']) {
    assert.equal(hiddenFor(op)('team-a/x', 'key'), false, op);
    assert.equal(hiddenFor(op)('team-b/x', 'key'), true, op);
  }
});

test('V2 without a delimiter: only readable keys are left, KeyCount counts them, the token is the backend\'s', () => {
  const xml =
    `${HEAD}<ListBucketResult ${NS}><Name>releases</Name><Prefix></Prefix><KeyCount>5</KeyCount><MaxKeys>5</MaxKeys>` +
    `<IsTruncated>true</IsTruncated><NextContinuationToken>tok-after-team-b</NextContinuationToken>` +
    contents('admin/k', 'shared/readme', 'shared/secret/k', 'team-a/x', 'team-b/y') +
    '</ListBucketResult>';
  const out = filterListing(xml, hiddenFor('ListObjectsV2'));
  assert.deepEqual(keysOf(out), ['shared/readme', 'team-a/x']);
  assert.deepEqual(one(out, 'KeyCount'), ['2']);
  assert.deepEqual(one(out, 'NextContinuationToken'), ['tok-after-team-b']);
  assert.deepEqual(one(out, 'IsTruncated'), ['true']);
});

test('V2 with a delimiter at the root: only the common prefixes with something listable under them', () => {
  const xml =
    `${HEAD}<ListBucketResult ${NS}><Name>releases</Name><Prefix></Prefix><Delimiter>/</Delimiter><KeyCount>5</KeyCount>` +
    `<IsTruncated>false</IsTruncated>${contents('top-level.txt')}${prefixes('admin/', 'shared/', 'team-a/', 'team-b/')}</ListBucketResult>`;
  const out = filterListing(xml, hiddenFor('ListObjectsV2', '/'));
  assert.deepEqual(prefixesOf(out), ['shared/', 'team-a/']);
  assert.deepEqual(keysOf(out), []);
  assert.deepEqual(one(out, 'KeyCount'), ['2']);
  // Inside shared/: the denied sub-prefix is gone, the readable keys stay.
  const inside = `<ListBucketResult><Prefix>shared/</Prefix><KeyCount>2</KeyCount>${contents('shared/readme')}${prefixes('shared/secret/')}</ListBucketResult>`;
  assert.equal(filterListing(inside, hiddenFor('ListObjectsV2', '/')), `<ListBucketResult><Prefix>shared/</Prefix><KeyCount>1</KeyCount>${contents('shared/readme')}</ListBucketResult>`);
});

test('everything hidden: an empty listing that is still a listing', () => {
  const xml = `${HEAD}<ListBucketResult ${NS}><Name>releases</Name><KeyCount>2</KeyCount><IsTruncated>false</IsTruncated>${contents('team-b/1')}${prefixes('admin/')}</ListBucketResult>`;
  assert.equal(filterListing(xml, hiddenFor('ListObjectsV2', '/')), `${HEAD}<ListBucketResult ${NS}><Name>releases</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>`);
  const versions = `<ListVersionsResult ${NS}><Name>releases</Name><IsTruncated>false</IsTruncated><Version><Key>team-b/1</Key><VersionId>v1</VersionId></Version><DeleteMarker><Key>admin/k</Key><VersionId>d1</VersionId></DeleteMarker></ListVersionsResult>`;
  assert.equal(filterListing(versions, hiddenFor('ListObjectVersions')), `<ListVersionsResult ${NS}><Name>releases</Name><IsTruncated>false</IsTruncated></ListVersionsResult>`);
});

test('versions: Version and DeleteMarker entries filtered by key; NextKeyMarker and NextVersionIdMarker stay the backend\'s', () => {
  const entry = (el: string, key: string, v: string) => `<${el}><Key>${key}</Key><VersionId>${v}</VersionId><IsLatest>true</IsLatest></${el}>`;
  const xml =
    `<ListVersionsResult ${NS}><Name>releases</Name><KeyMarker></KeyMarker><IsTruncated>true</IsTruncated>` +
    '<NextKeyMarker>team-b/z</NextKeyMarker><NextVersionIdMarker>v9</NextVersionIdMarker>' +
    entry('Version', 'team-a/x', 'v1') + entry('DeleteMarker', 'team-a/gone', 'd1') + entry('Version', 'team-b/y', 'v2') +
    entry('DeleteMarker', 'team-b/z', 'v9') + '</ListVersionsResult>';
  const out = filterListing(xml, hiddenFor('ListObjectVersions'));
  assert.deepEqual(keysOf(out), ['team-a/x', 'team-a/gone']);
  assert.match(out, /<DeleteMarker><Key>team-a\/gone<\/Key>/);
  assert.deepEqual(one(out, 'NextKeyMarker'), ['team-b/z']);
  assert.deepEqual(one(out, 'NextVersionIdMarker'), ['v9']);
});

test('V1 truncated page: NextMarker names the backend\'s last entry, even when the filter removes it (or all)', () => {
  const page = (entries: string, extra = '') =>
    `<ListBucketResult ${NS}><Name>releases</Name><Prefix></Prefix><Marker></Marker><MaxKeys>3</MaxKeys>${extra}<IsTruncated>true</IsTruncated>${entries}</ListBucketResult>`;
  const hidden = hiddenFor('ListObjects');
  // The last key is hidden: without NextMarker the client would continue after team-a/x and see team-b/ again.
  const out = filterListing(pinNextMarker(page(contents('shared/readme', 'team-a/x', 'team-b/y'))), hidden);
  assert.deepEqual(keysOf(out), ['shared/readme', 'team-a/x']);
  assert.deepEqual(one(out, 'NextMarker'), ['team-b/y']);
  // Nothing visible on the page: still a listing, still a way on.
  const none = filterListing(pinNextMarker(page(contents('team-b/1', 'team-b/2'))), hidden);
  assert.deepEqual(keysOf(none), []);
  assert.deepEqual(one(none, 'NextMarker'), ['team-b/2']);
  assert.deepEqual(one(none, 'IsTruncated'), ['true']);
  // An empty NextMarker is replaced, a common prefix can be the last entry (a delimiter listing).
  const delimited = pinNextMarker(page(`${contents('a.txt')}${prefixes('team-b/')}`, '<NextMarker></NextMarker>'));
  assert.deepEqual(one(delimited, 'NextMarker'), ['team-b/']);
  // The backend's own NextMarker is kept; a page that is not truncated gets none.
  assert.equal(pinNextMarker(page(contents('team-b/1'), '<NextMarker>team-b/1</NextMarker>')), page(contents('team-b/1'), '<NextMarker>team-b/1</NextMarker>'));
  const last = page(contents('team-b/1')).replace('<IsTruncated>true</IsTruncated>', '<IsTruncated>false</IsTruncated>');
  assert.equal(pinNextMarker(last), last);
  // Escaped and URL-encoded names go back as the body had them.
  assert.deepEqual(one(pinNextMarker(page(contents('a&amp;b', 'a'))), 'NextMarker'), ['a&amp;b']);
  assert.deepEqual(one(pinNextMarker(page(`${contents('team-a/a+b', 'team-a/%C3%A9')}<EncodingType>url</EncodingType>`)), 'NextMarker'), ['team-a/%C3%A9']);
});

test('encoding-type=url: entries are decided on their decoded names; one that does not decode is left out', () => {
  const xml = `<ListBucketResult><EncodingType>url</EncodingType><KeyCount>4</KeyCount>${contents('team-a/a+b', 'team-b/a+b', 'team-a/%E0%A4%A', 'shared/%C3%A9')}</ListBucketResult>`;
  const seen: string[] = [];
  const hidden = hiddenFor('ListObjectsV2');
  const out = filterListing(xml, (name, kind) => (seen.push(name), hidden(name, kind)));
  assert.deepEqual(keysOf(out), ['team-a/a+b', 'shared/%C3%A9']);
  assert.deepEqual(one(out, 'KeyCount'), ['2']);
  assert.deepEqual(seen, ['team-a/a b', 'team-b/a b', 'shared/é']);
});

test('the response stage: pins V1\'s marker before filtering, filters every listing kind, leaves errors alone', () => {
  const stage = (op: 'ListObjects' | 'ListObjectsV2', extra: ExtProcStage[] = []) =>
    new XmlResponseStage({
      decision: { op, principal: 'alice', bucket: 'releases', realBucket: 'releases', backend: 'versity', encodedKey: '', presigned: false },
      backend: backend('versity', 9100),
      stages: ['rewrite-errors', 'rewrite-success', 'listing-policy-filter', ...extra],
      scheme: 'http', clientAuthority: '127.0.0.1:9000', region: 'us-east-1',
      policyHidden: hiddenFor(op),
    });
  const body = `<ListBucketResult><Name>releases</Name><IsTruncated>true</IsTruncated>${contents('team-a/x', 'team-b/y')}</ListBucketResult>`;
  const v1 = stage('ListObjects');
  assert.equal(v1.onHeaders({ ':status': '200', 'content-type': 'application/xml' }).wantBody, true);
  const out = v1.onBody(Buffer.from(body)).toString();
  assert.deepEqual(keysOf(out), ['team-a/x']);
  assert.deepEqual(one(out, 'NextMarker'), ['team-b/y']);
  // V2 continues with its token: no NextMarker invented.
  const v2 = stage('ListObjectsV2');
  v2.onHeaders({ ':status': '200', 'content-type': 'application/xml' });
  assert.deepEqual(one(v2.onBody(Buffer.from(body)).toString(), 'NextMarker'), []);
  // With the gateway's url encoding after the filter, the pinned marker is encoded too.
  const encoded = stage('ListObjects', ['listing-url-encoding']);
  encoded.onHeaders({ ':status': '200', 'content-type': 'application/xml' });
  assert.deepEqual(one(encoded.onBody(Buffer.from(body.replace('team-b/y', 'team-b/y z'))).toString(), 'NextMarker'), ['team-b/y+z']);
  // Without the ticket's stage, the predicate is not applied.
  const unticketed = new XmlResponseStage({
    decision: { op: 'ListObjectsV2', bucket: 'releases', realBucket: 'releases', backend: 'versity', encodedKey: '', presigned: false },
    backend: backend('versity', 9100), stages: ['rewrite-errors', 'rewrite-success'], scheme: 'http', clientAuthority: '127.0.0.1:9000', region: 'us-east-1',
    policyHidden: () => true,
  });
  unticketed.onHeaders({ ':status': '200', 'content-type': 'application/xml' });
  assert.deepEqual(keysOf(unticketed.onBody(Buffer.from(body)).toString()), ['team-a/x', 'team-b/y']);
  // An error body is not a listing.
  const err = stage('ListObjects');
  err.onHeaders({ ':status': '403', 'content-type': 'application/xml' });
  const error = '<Error><Code>AccessDenied</Code><Key>team-b/y</Key></Error>';
  assert.equal(err.onBody(Buffer.from(error)).toString(), error);
});

test('a key whose character reference is beyond Unicode is left out, not a crash (found by fuzzing)', () => {
  const body = (key: string) =>
    `<ListBucketResult><KeyCount>2</KeyCount><IsTruncated>true</IsTruncated><Contents><Key>ok</Key></Contents><DeleteMarker><Key>${key}</Key></DeleteMarker></ListBucketResult>`;
  for (const key of ['&#99999999999;', '&#x110000;']) {
    const out = filterListing(body(key), () => false);
    assert.doesNotMatch(out, /DeleteMarker/);
    assert.match(out, /<KeyCount>1<\/KeyCount><IsTruncated>true<\/IsTruncated><Contents><Key>ok<\/Key>/);
    assert.match(pinNextMarker(body(key)), /<NextMarker>ok<\/NextMarker>/);
  }
});
