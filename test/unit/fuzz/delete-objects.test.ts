// Fuzzes parseDeleteRequest (core/s3/delete-objects.ts): random and mutated <Delete> documents give
// either MalformedXML or a batch that renderDeleteRequest writes out and parseDeleteRequest reads
// back as the same batch; a generated document reads back as the keys it was made of.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseDeleteRequest, renderDeleteRequest } from '../../../core/s3/delete-objects.ts';
import { escapeXml } from '../../../core/xml.ts';
import { mutated, onlyS3Errors, params, testOptions, textOf } from './fuzz.ts';

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const object = fc.record({ key: text, versionId: fc.option(text, { nil: undefined }), etag: fc.boolean() });
const doc = fc.record({
  prolog: fc.boolean(),
  quiet: fc.option(fc.boolean(), { nil: undefined }),
  objects: fc.array(object, { minLength: 1, maxLength: 6 }),
  space: fc.constantFrom('', '\n', '  '),
});
type Doc = typeof doc extends fc.Arbitrary<infer T> ? T : never;

function render(d: Doc): string {
  const s = d.space;
  const objects = d.objects.map(
    (o) =>
      `<Object>${s}<Key>${escapeXml(o.key)}</Key>${o.versionId === undefined ? '' : `<VersionId>${escapeXml(o.versionId)}</VersionId>`}` +
      `${o.etag ? '<ETag>"abc"</ETag>' : ''}${s}</Object>${s}`,
  );
  const quiet = d.quiet === undefined ? '' : `<Quiet>${d.quiet}</Quiet>`;
  return `${d.prolog ? '<?xml version="1.0" encoding="UTF-8"?>\n' : ''}<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${s}${quiet}${objects.join('')}</Delete>${s}`;
}

const XML_SPECIALS = ['<', '>', '</', '/>', '<Object>', '</Object>', '<Key>', '</Key>', '<Quiet>', '&amp;', '&#x110000;', '&#0;', '<!--', ']]>', '"', ' ', '\n'];

test('a generated <Delete> reads back as its keys and versions', testOptions, () => {
  fc.assert(
    fc.property(doc, (d) => {
      const r = parseDeleteRequest(render(d));
      assert.equal(r.quiet, d.quiet === true);
      assert.deepEqual(
        r.objects.map((o) => [o.key, o.versionId]),
        d.objects.map((o) => [o.key, o.versionId]),
      );
    }),
    params(300),
  );
});

test('random and mutated documents: MalformedXML, or a batch that renders and parses back the same', testOptions, () => {
  fc.assert(
    fc.property(fc.oneof(mutated(doc.map(render), XML_SPECIALS), textOf(XML_SPECIALS, 30)), (body) => {
      const outcome = onlyS3Errors(() => parseDeleteRequest(body));
      if ('error' in outcome) {
        assert.equal(outcome.error.code, 'MalformedXML');
        return;
      }
      const { quiet, objects } = outcome.value;
      assert.deepEqual(parseDeleteRequest(renderDeleteRequest(quiet, objects)), outcome.value);
    }),
    params(1000),
  );
});
