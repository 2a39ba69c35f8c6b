// Fuzzes the response-body rewriters of extproc/responses (list-filter.ts, rewrite-xml.ts) with
// random and mutated listings: they never throw, an empty filter changes nothing, and a filter that
// hides everything leaves no entry. The bodies come from backends, but a backend stores what
// clients wrote (keys), so they are attacker-influenced.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { filterListing, pinNextMarker } from '../../../extproc/responses/list-filter.ts';
import { rewriteLocation, rewriteXml, type XmlRewrite } from '../../../extproc/responses/rewrite-xml.ts';
import { mutated, neverThrows, params, testOptions, textOf } from './fuzz.ts';

const KEY_TEXT = ['a', '/', '%', '%2F', '%ZZ', '+', '&amp;', '&lt;', '&#x41;', '&#x110000;', '&#99999999999;', 'é', ' '];
// Keys as a backend writes them: '<' escaped (the other specials are left to chance).
const key = textOf(KEY_TEXT, 6).map((k) => k.replace(/</g, '&lt;'));

const entry = fc.oneof(
  key.map((k) => `<Contents><Key>${k}</Key><Size>1</Size></Contents>`),
  key.map((k) => `<Version><Key>${k}</Key><VersionId>v</VersionId></Version>`),
  key.map((k) => `<DeleteMarker><Key>${k}</Key></DeleteMarker>`),
  key.map((k) => `<CommonPrefixes><Prefix>${k}</Prefix></CommonPrefixes>`),
);

const listing = fc
  .record({
    entries: fc.array(entry, { maxLength: 8 }),
    urlEncoded: fc.boolean(),
    truncated: fc.boolean(),
    marker: fc.constantFrom('', '<NextMarker></NextMarker>', '<NextMarker/>', '<NextMarker>m</NextMarker>'),
  })
  .map(
    (l) =>
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><Name>real</Name>' +
      `${l.urlEncoded ? '<EncodingType>url</EncodingType>' : ''}<KeyCount>${l.entries.length}</KeyCount>` +
      `<IsTruncated>${l.truncated}</IsTruncated>${l.marker}${l.entries.join('')}` +
      '<Owner><ID>backend</ID><DisplayName>b</DisplayName></Owner><LocationConstraint>x</LocationConstraint></ListBucketResult>',
  );

const TAGS = ['<', '>', '</', '<Key>', '</Key>', '<Contents>', '</Contents>', '<Prefix>', '<CommonPrefixes>', '<KeyCount>', '</IsTruncated>', '&#x', ';'];
const body = fc.oneof(listing, mutated(listing, TAGS), textOf([...TAGS, ...KEY_TEXT], 40));

const REWRITE: XmlRewrite = {
  realBucket: 'real',
  virtualBucket: 'virtual',
  pathStyleBases: ['http://127.0.0.1:9100'],
  bucketBases: ['http://real.s3.example.com'],
  gatewayBase: 'http://127.0.0.1:9000',
  account: { id: 'AK<&>', displayName: 'alice' },
  region: 'eu-west-3',
};

test('filterListing and pinNextMarker never throw; hiding nothing drops only what does not decode', testOptions, () => {
  fc.assert(
    fc.property(body, fc.func(fc.boolean()), (xml, hidden) => {
      const kept = neverThrows(() => filterListing(xml, () => false));
      if (!/%|&#/.test(xml)) assert.equal(kept, xml);
      neverThrows(() => filterListing(xml, hidden));
      neverThrows(() => pinNextMarker(xml));
    }),
    params(300),
  );
});

test('a filter hiding everything leaves no entry of a generated listing', testOptions, () => {
  fc.assert(
    fc.property(listing, (xml) => {
      const out = neverThrows(() => filterListing(xml, () => true));
      assert.doesNotMatch(out, /<Contents>|<Version>|<DeleteMarker>|<CommonPrefixes>/);
    }),
    params(200),
  );
});

test('rewriteXml and rewriteLocation never throw, and leave no real bucket name in <Name>', testOptions, () => {
  fc.assert(
    fc.property(body, textOf(['http://127.0.0.1:9100/real/', 'http://real.s3.example.com/', '/real', '?', '&', 'bucket=real', '#']), (xml, location) => {
      const out = neverThrows(() => rewriteXml(xml, REWRITE));
      assert.doesNotMatch(out, /<Name>real<\/Name>/);
      neverThrows(() => rewriteLocation(location, REWRITE));
    }),
    params(300),
  );
});
