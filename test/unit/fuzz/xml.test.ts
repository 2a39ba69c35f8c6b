// Fuzzes core/xml.ts: escapeXml then unescapeXml gives back any string, escaped text never holds
// markup, and unescapeXml of random entity-laden text returns a string or throws only RangeError
// (a reference beyond Unicode; its callers turn that into their S3 error).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { escapeXml, unescapeXml } from '../../../core/xml.ts';
import { params, testOptions, textOf } from './fuzz.ts';

const SPECIALS = ['&', '<', '>', '"', "'", '&amp;', '&lt;', '&#x41;', '&#65;', '&#x10FFFF;', '&#x110000;', '&#xD800;', ';', '#'];

test('unescapeXml(escapeXml(s)) is s, and the escaped form has no markup', testOptions, () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), textOf(SPECIALS)), (s) => {
      const escaped = escapeXml(s);
      assert.equal(unescapeXml(escaped), s);
      assert.doesNotMatch(escaped, /[<>"']/);
    }),
    params(500),
  );
});

test('unescapeXml of random text: a string, or RangeError for a reference beyond Unicode', testOptions, () => {
  fc.assert(
    fc.property(textOf(SPECIALS), (s) => {
      try {
        assert.equal(typeof unescapeXml(s), 'string');
      } catch (err) {
        assert.ok(err instanceof RangeError, String(err));
        assert.match(s, /&#/);
      }
    }),
    params(500),
  );
});
