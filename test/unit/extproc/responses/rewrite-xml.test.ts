// extproc/responses/rewrite-xml.ts, core/s3/response-rewrite.ts and extproc/responses/list-buckets.ts: the client sees its
// bucket names, the gateway's URL and its own account in S3 XML bodies, never the backend's; object keys
// are never touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listBucketsParams, listBucketsXml } from '../../../../extproc/responses/list-buckets.ts';
import { rewriteXml, type XmlRewrite } from '../../../../extproc/responses/rewrite-xml.ts';
import { responseRewrite, type ResponseRewriteRequest } from '../../../../core/s3/response-rewrite.ts';

const PATH_STYLE: XmlRewrite = {
  realBucket: 'real',
  virtualBucket: 'virtual',
  pathStyleBases: ['http://127.0.0.1:9100', 'http://127.0.0.1'],
  bucketBases: [],
  gatewayBase: 'http://gw:9000',
  account: { id: 'AKIAALICE', displayName: 'alice' },
  region: 'us-east-1',
};

const VIRTUAL_HOST: XmlRewrite = {
  realBucket: 'real',
  virtualBucket: 'virtual',
  pathStyleBases: [],
  bucketBases: ['http://real.host:80', 'http://real.host'],
  gatewayBase: 'http://gw:9000',
  account: { id: 'AKIAALICE', displayName: 'alice' },
  region: 'us-east-1',
};

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

test('ListBucketResult: <Name> is rewritten, <Key> and <Prefix> are not', () => {
  const xml =
    `${HEAD}<ListBucketResult ${NS}><Name>real</Name><Prefix>real</Prefix><KeyCount>2</KeyCount>` +
    '<Contents><Key>real</Key><Size>1</Size></Contents>' +
    '<Contents><Key>real/key</Key><Size>2</Size></Contents>' +
    '<CommonPrefixes><Prefix>real/</Prefix></CommonPrefixes></ListBucketResult>';
  assert.equal(
    rewriteXml(xml, PATH_STYLE),
    `${HEAD}<ListBucketResult ${NS}><Name>virtual</Name><Prefix>real</Prefix><KeyCount>2</KeyCount>` +
      '<Contents><Key>real</Key><Size>1</Size></Contents>' +
      '<Contents><Key>real/key</Key><Size>2</Size></Contents>' +
      '<CommonPrefixes><Prefix>real/</Prefix></CommonPrefixes></ListBucketResult>',
  );
});

test('<Bucket> and <BucketName> are rewritten; names that only start with the real bucket are not', () => {
  assert.equal(
    rewriteXml('<InitiateMultipartUploadResult><Bucket>real</Bucket><Key>k</Key><UploadId>u</UploadId></InitiateMultipartUploadResult>', PATH_STYLE),
    '<InitiateMultipartUploadResult><Bucket>virtual</Bucket><Key>k</Key><UploadId>u</UploadId></InitiateMultipartUploadResult>',
  );
  assert.equal(
    rewriteXml('<Error><Code>NoSuchBucket</Code><BucketName>real</BucketName></Error>', PATH_STYLE),
    '<Error><Code>NoSuchBucket</Code><BucketName>virtual</BucketName></Error>',
  );
  const untouched = '<R><Name>realx</Name><Bucket>xreal</Bucket><BucketName>real-2</BucketName><Name>Real</Name><Name></Name></R>';
  assert.equal(rewriteXml(untouched, PATH_STYLE), untouched);
});

test('path-style backend <Location> becomes the gateway URL with the virtual bucket', () => {
  assert.equal(
    rewriteXml('<CompleteMultipartUploadResult><Location>http://127.0.0.1:9100/real/key</Location><Bucket>real</Bucket><Key>key</Key></CompleteMultipartUploadResult>', PATH_STYLE),
    '<CompleteMultipartUploadResult><Location>http://gw:9000/virtual/key</Location><Bucket>virtual</Bucket><Key>key</Key></CompleteMultipartUploadResult>',
  );
  assert.equal(rewriteXml('<Location>http://127.0.0.1:9100/real/a%20b/c</Location>', PATH_STYLE), '<Location>http://gw:9000/virtual/a%20b/c</Location>');
  assert.equal(rewriteXml('<Location>http://127.0.0.1:9100/real</Location>', PATH_STYLE), '<Location>http://gw:9000/virtual</Location>');
  // Same backend host with the default port omitted.
  assert.equal(rewriteXml('<Location>http://127.0.0.1/real/key</Location>', PATH_STYLE), '<Location>http://gw:9000/virtual/key</Location>');
  // A path-style Location of another bucket keeps that bucket (only the backend base is hidden).
  assert.equal(rewriteXml('<Location>http://127.0.0.1:9100/realx/key</Location>', PATH_STYLE), '<Location>http://gw:9000/realx/key</Location>');
  // A URL on an unrelated host is left alone.
  assert.equal(rewriteXml('<Location>http://elsewhere:9100/real/key</Location>', PATH_STYLE), '<Location>http://elsewhere:9100/real/key</Location>');
});

test('virtual-host backend <Location> (bucket in the host) becomes path style on the gateway', () => {
  assert.equal(rewriteXml('<Location>http://real.host/key</Location>', VIRTUAL_HOST), '<Location>http://gw:9000/virtual/key</Location>');
  assert.equal(rewriteXml('<Location>http://real.host:80/dir/key</Location>', VIRTUAL_HOST), '<Location>http://gw:9000/virtual/dir/key</Location>');
  assert.equal(rewriteXml('<Location>http://real.host</Location>', VIRTUAL_HOST), '<Location>http://gw:9000/virtual</Location>');
  // Another bucket's host, or a host that merely starts with ours, is not ours.
  assert.equal(rewriteXml('<Location>http://real.hostile/key</Location>', VIRTUAL_HOST), '<Location>http://real.hostile/key</Location>');
  assert.equal(rewriteXml('<Location>http://other.host/key</Location>', VIRTUAL_HOST), '<Location>http://other.host/key</Location>');
});

test('<Resource> paths: /real and /real/… are rewritten, /realx is not', () => {
  const err = (resource: string) => `<Error><Code>NoSuchKey</Code><Resource>${resource}</Resource><RequestId>r</RequestId></Error>`;
  assert.equal(rewriteXml(err('/real/key'), PATH_STYLE), err('/virtual/key'));
  assert.equal(rewriteXml(err('/real'), PATH_STYLE), err('/virtual'));
  assert.equal(rewriteXml(err('/real/'), PATH_STYLE), err('/virtual/'));
  assert.equal(rewriteXml(err('/real?uploads'), PATH_STYLE), err('/virtual?uploads'));
  assert.equal(rewriteXml(err('/realx/key'), PATH_STYLE), err('/realx/key'));
  assert.equal(rewriteXml(err('/other/real/key'), PATH_STYLE), err('/other/real/key'));
  assert.equal(rewriteXml(err('/real/key'), VIRTUAL_HOST), err('/virtual/key'));
});

test('every occurrence is rewritten, and nothing when real and virtual names are equal', () => {
  const xml = '<ListMultipartUploadsResult><Bucket>real</Bucket><Upload><Key>a</Key></Upload><Upload><Key>b</Key></Upload></ListMultipartUploadsResult>';
  assert.equal(
    rewriteXml(xml + xml, PATH_STYLE),
    (xml + xml).replaceAll('<Bucket>real</Bucket>', '<Bucket>virtual</Bucket>'),
  );
  const same: XmlRewrite = { ...PATH_STYLE, virtualBucket: 'real' };
  assert.equal(rewriteXml('<Name>real</Name><Location>http://127.0.0.1:9100/real/k</Location>', same), '<Name>real</Name><Location>http://gw:9000/real/k</Location>');
});

test('a bucket name as object key text inside <Key> is never touched, even with a URL', () => {
  const xml = '<Contents><Key>http://127.0.0.1:9100/real/key</Key><ETag>"real"</ETag></Contents>';
  assert.equal(rewriteXml(xml, PATH_STYLE), xml);
});

const ALL = listBucketsParams(new URLSearchParams(''));

const O = { id: 'AK', displayName: 'o' };

test('listBucketsXml lists in order and escapes', () => {
  const date = new Date('2024-05-06T07:08:09.000Z');
  const xml = listBucketsXml({ id: 'AK<1>', displayName: 'al<ice>&"co\'' }, ['archive', 'releases'], date, ALL);
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      '<Owner><ID>AK&lt;1&gt;</ID><DisplayName>al&lt;ice&gt;&amp;&quot;co&apos;</DisplayName></Owner>' +
      '<Buckets>' +
      '<Bucket><Name>archive</Name><CreationDate>2024-05-06T07:08:09.000Z</CreationDate></Bucket>' +
      '<Bucket><Name>releases</Name><CreationDate>2024-05-06T07:08:09.000Z</CreationDate></Bucket>' +
      '</Buckets></ListAllMyBucketsResult>',
  );
  assert.match(listBucketsXml(O, ['a&b'], date, ALL), /<Name>a&amp;b<\/Name>/);
  assert.match(listBucketsXml(O, [], date, ALL), /<Buckets><\/Buckets>/);
});

test('ListBuckets paging: prefix, max-buckets and continuation-token walk every bucket once', () => {
  const all = ['a1', 'a2', 'a3', 'b1'];
  const names = (xml: string) => [...xml.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1]);
  const token = (xml: string) => /<ContinuationToken>([^<]*)</.exec(xml)?.[1];
  const first = listBucketsXml(O, all, new Date(0), listBucketsParams(new URLSearchParams('prefix=a&max-buckets=2')));
  assert.deepEqual(names(first), ['a1', 'a2']);
  assert.match(first, /<Prefix>a<\/Prefix>/);
  const second = listBucketsXml(O, all, new Date(0), listBucketsParams(new URLSearchParams(`prefix=a&max-buckets=2&continuation-token=${token(first)}`)));
  assert.deepEqual(names(second), ['a3']);
  assert.equal(token(second), undefined);
  for (const bad of ['0', '10001', 'x', '-1']) {
    assert.throws(() => listBucketsParams(new URLSearchParams(`max-buckets=${bad}`)), (e: any) => e.code === 'InvalidArgument' && e.status === 400);
  }
});

test('accounts: Owner, Initiator and ACL grantees name the gateway user, never the backend account', () => {
  const listing = `${HEAD}<ListBucketResult ${NS}><Name>real</Name><Contents><Key>&lt;Owner&gt;ID</Key>` +
    '<Owner><ID>VERSITYROOTKEY</ID><DisplayName>VERSITYROOTKEY</DisplayName></Owner></Contents></ListBucketResult>';
  assert.equal(rewriteXml(listing, PATH_STYLE), `${HEAD}<ListBucketResult ${NS}><Name>virtual</Name><Contents><Key>&lt;Owner&gt;ID</Key>` +
    '<Owner><ID>AKIAALICE</ID><DisplayName>alice</DisplayName></Owner></Contents></ListBucketResult>');
  const acl = `${HEAD}<AccessControlPolicy><Owner><ID>79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be</ID></Owner>` +
    '<AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>79a59df9</ID>' +
    '<DisplayName>root</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>' +
    '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee>' +
    '<Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>';
  const out = rewriteXml(acl, PATH_STYLE);
  assert.doesNotMatch(out, /79a59df9|root/);
  assert.match(out, /<Grantee xmlns:xsi="http:\/\/www.w3.org\/2001\/XMLSchema-instance" xsi:type="CanonicalUser"><ID>AKIAALICE<\/ID><DisplayName>alice<\/DisplayName><\/Grantee>/);
  assert.match(out, /<URI>http:\/\/acs.amazonaws.com\/groups\/global\/AllUsers<\/URI>/);
  const parts = '<ListPartsResult><Initiator><ID>K</ID><DisplayName>K</DisplayName></Initiator><Owner><ID>K</ID></Owner></ListPartsResult>';
  assert.equal(rewriteXml(parts, { ...PATH_STYLE, account: { id: 'K1', displayName: 'a<b' } }),
    '<ListPartsResult><Initiator><ID>K1</ID><DisplayName>a&lt;b</DisplayName></Initiator><Owner><ID>K1</ID></Owner></ListPartsResult>');
});

test('responseRewrite: large listings stream untouched unless something in them would show the backend', () => {
  const plain: ResponseRewriteRequest = { op: 'ListObjectsV2', method: 'GET', query: { 'list-type': '2' }, aliased: false, filesystem: false };
  const none = { success: false, errors: false, urlEncoding: false, hideUnreachable: false, policyFilter: false };
  const both = { ...none, success: true, errors: true };
  assert.deepEqual(responseRewrite(plain), none);
  assert.deepEqual(responseRewrite({ ...plain, query: { 'list-type': '2', 'fetch-owner': 'true' } }), both);
  assert.deepEqual(responseRewrite({ ...plain, aliased: true }), both);
  // The gateway's own listing fixes: encoding-type=url applied, filesystem entries hidden.
  assert.deepEqual(responseRewrite({ ...plain, query: { 'list-type': '2', 'encoding-type': 'url' } }), { ...both, urlEncoding: true });
  assert.deepEqual(responseRewrite({ ...plain, filesystem: true }), { ...both, hideUnreachable: true });
  // A listing the policy allows only filtered; never an object.
  assert.deepEqual(responseRewrite({ ...plain, policyFiltered: true }), { ...both, policyFilter: true });
  assert.deepEqual(responseRewrite({ ...plain, op: 'GetObject', query: {}, policyFiltered: true }), none);
  // A DeleteObjects batch decided key by key (by the policy, or on a filesystem backend) gains the gateway's refusals.
  const batch = { ...plain, op: 'DeleteObjects' as const, method: 'POST', query: { delete: '' } };
  assert.deepEqual(responseRewrite(batch), none);
  assert.deepEqual(responseRewrite({ ...batch, policyFiltered: true }), both);
  assert.deepEqual(responseRewrite({ ...batch, filesystem: true }), both);
  // Not on objects: a filesystem GET streams untouched.
  assert.deepEqual(responseRewrite({ ...plain, op: 'GetObject', query: {}, filesystem: true }), none);
  for (const op of ['ListObjects', 'ListObjectVersions', 'ListMultipartUploads'] as const) assert.deepEqual(responseRewrite({ ...plain, op, query: {} }), both, op);
  // Small bodies with URLs or accounts: always. ACLs when read, not when written.
  for (const op of ['CreateMultipartUpload', 'CompleteMultipartUpload', 'ListParts', 'PostObject'] as const) assert.deepEqual(responseRewrite({ ...plain, op, query: {} }), both, op);
  assert.deepEqual(responseRewrite({ ...plain, op: 'BucketSubresource', query: { acl: '' } }), both);
  assert.deepEqual(responseRewrite({ ...plain, op: 'ObjectSubresource', query: { acl: '' } }), both);
  assert.deepEqual(responseRewrite({ ...plain, op: 'BucketSubresource', method: 'PUT', query: { acl: '' } }), none);
  assert.deepEqual(responseRewrite({ ...plain, op: 'GetBucketLocation', query: { location: '' } }), both);
  // Objects themselves: only an alias's error bodies (they name the real bucket).
  assert.deepEqual(responseRewrite({ ...plain, op: 'GetObject', query: {} }), none);
  assert.deepEqual(responseRewrite({ ...plain, op: 'GetObject', query: {}, aliased: true }), { ...none, errors: true });
});

test('GetBucketLocation answers the gateway\'s region, never the backend\'s (empty for us-east-1, as S3 does)', () => {
  const xml = (inner: string) => `${HEAD}<LocationConstraint ${NS}>${inner}</LocationConstraint>`;
  assert.equal(rewriteXml(xml('eu-central-1'), PATH_STYLE), xml(''));
  assert.equal(rewriteXml(xml(''), { ...PATH_STYLE, region: 'eu-west-3' }), xml('eu-west-3'));
  assert.equal(rewriteXml(`${HEAD}<LocationConstraint ${NS}/>`, { ...PATH_STYLE, region: 'eu-west-3' }), xml('eu-west-3'));
});
