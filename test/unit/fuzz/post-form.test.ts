// Fuzzes the POST Object parsers of core/s3: parseFormPrefix on forms of random fields (rendered
// with renderFields, as the gateway re-renders them) gives back the same fields, the same file
// name and offset whatever the chunk boundaries (each partial prefix answers "need more" or the
// final result); mutated or random bodies and Content-Types give only S3Error. decodePostPolicy of
// random and mutated policies gives only S3Error, and an accepted policy rewritten by
// rewritePolicy decodes again, with the rewritten conditions and the others unchanged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type FormField, formBoundary, parseFormPrefix, renderFields } from '../../../core/s3/post-form.ts';
import { decodePostPolicy, rewritePolicy } from '../../../core/s3/post-policy.ts';
import { cuts, mutated, onlyS3Errors, params, pieces, testOptions, textOf } from './fuzz.ts';

const boundary = fc.stringMatching(/^[A-Za-z0-9'()+_,.:=?-]{1,40}$/);
const unicode = (maxLength: number) => fc.string({ unit: 'grapheme', maxLength });
// A name with the characters renderFields escapes (" and \) and others, never "file" (that is the upload).
const fieldName = fc
  .oneof(textOf(['"', '\\', ';', '=', ' ', 'a', 'key', 'x-amz-meta-', 'é'], 6), unicode(10))
  .filter((n) => n !== '' && n.toLowerCase() !== 'file' && !/[\r\n]/.test(n));
const fieldValue = fc.oneof(textOf(['\r\n', '--', '\r', '\n', ' ', 'é', '"'], 8), unicode(20));

const form = fc
  .record({
    boundary,
    fields: fc.array(fc.tuple(fieldName, fieldValue).map(([name, value]): FormField => ({ name, value })), { maxLength: 6 }),
    filename: fc.option(textOf(['a', '.txt', ' ', '/', 'é'], 4).filter((f) => !/["\\\r\n]/.test(f)), { nil: undefined }),
  })
  // A value holding the delimiter (its line starts after the CRLF before the value) would end the part.
  .filter((f) => f.fields.every((x) => !`\r\n${x.value}`.includes(`\r\n--${f.boundary}`)));

function body(f: { boundary: string; fields: FormField[]; filename: string | undefined }): Buffer {
  const file = f.filename === undefined ? 'name="file"' : `name="upload"; filename="${f.filename}"`;
  return Buffer.concat([
    renderFields(f.fields, f.boundary),
    Buffer.from(`--${f.boundary}\r\nContent-Disposition: form-data; ${file}\r\nContent-Type: text/plain\r\n\r\nDATA\r\n--${f.boundary}--\r\n`),
  ]);
}

test('random fields: parsed back exactly, whatever the chunk boundaries', testOptions, () => {
  fc.assert(
    fc.property(form, cuts, (f, at) => {
      const b = body(f);
      const full = parseFormPrefix(b, f.boundary, true);
      assert.deepEqual(full, {
        fields: f.fields,
        filename: f.filename ?? '',
        fileDelimiterStart: renderFields(f.fields, f.boundary).length,
      });
      // Arrival in pieces: each prefix so far is "need more" until the result, which is then final.
      let arrived = Buffer.alloc(0);
      let seen: unknown;
      for (const p of pieces(b, at)) {
        arrived = Buffer.concat([arrived, p]);
        const partial = parseFormPrefix(arrived, f.boundary, arrived.length === b.length);
        if (seen !== undefined) assert.deepEqual(partial, seen);
        else if (partial !== undefined) assert.deepEqual((seen = partial), full);
      }
      assert.deepEqual(seen, full);
    }),
    params(400),
  );
});

const FORM_SPECIALS = ['\r\n', '--', '\r', '\n', 'Content-Disposition: form-data; name="a"', 'filename=', ';', '"', '\\', ':', ' ', '\t'];

test('mutated and random bodies: only S3 errors, complete or partial', testOptions, () => {
  const bodies = fc.oneof(
    form.chain((f) => fc.tuple(fc.constant(f.boundary), mutated(fc.constant(body(f).toString('latin1')), [...FORM_SPECIALS, `--${f.boundary}`]))),
    fc.tuple(boundary, textOf(FORM_SPECIALS, 30)),
  );
  fc.assert(
    fc.property(bodies, fc.boolean(), ([b, text], complete) => {
      onlyS3Errors(() => parseFormPrefix(Buffer.from(text, 'latin1'), b, complete));
    }),
    params(500),
  );
});

/** The outcome of a body arriving in pieces: the first result or error, as the body stage would act on it. */
function arriving(b: Buffer, boundary: string, at: readonly number[]): unknown {
  let arrived = Buffer.alloc(0);
  for (const p of [Buffer.alloc(0), ...pieces(b, at)]) {
    arrived = Buffer.concat([arrived, p]);
    const outcome = onlyS3Errors(() => parseFormPrefix(arrived, boundary, arrived.length === b.length));
    if ('error' in outcome) return outcome.error.code;
    if (outcome.value !== undefined || arrived.length === b.length) return outcome.value;
  }
  assert.fail('unreachable: the last piece completes the body');
}

test('mutated bodies: the same outcome whatever the chunk boundaries', testOptions, () => {
  const bodies = form.chain((f) => fc.tuple(fc.constant(f.boundary), mutated(fc.constant(body(f).toString('latin1')), [...FORM_SPECIALS, `--${f.boundary}`])));
  fc.assert(
    fc.property(bodies, cuts, ([b, text], at) => {
      const whole = Buffer.from(text, 'latin1');
      const once = onlyS3Errors(() => parseFormPrefix(whole, b, true));
      assert.deepEqual(arriving(whole, b, at), 'error' in once ? once.error.code : once.value);
    }),
    params(500),
  );
});

test('formBoundary: only S3 errors, and an accepted boundary is non-empty', testOptions, () => {
  const contentType = fc.oneof(
    mutated(boundary.map((b) => `multipart/form-data; boundary=${b}`), [';', '=', '"', ' ', '\\', 'boundary=', 'charset=utf-8']),
    textOf(['multipart/form-data', ';', 'boundary', '=', '"', '\\', ' ', '/', '\r\n'], 12),
  );
  fc.assert(
    fc.property(contentType, (ct) => {
      const outcome = onlyS3Errors(() => formBoundary(ct));
      if ('value' in outcome) assert.notEqual(outcome.value, '');
    }),
    params(500),
  );
});

const NOW = new Date('2024-02-29T12:00:00Z');
const condition = fc.oneof(
  fc.record({ f: fc.constantFrom('key', 'bucket', 'Content-Type', 'x-amz-meta-a'), v: unicode(8) }).map(({ f, v }) => ({ [f]: v })),
  fc.tuple(fc.constantFrom('eq', 'starts-with'), fc.constantFrom('$key', '$bucket', '$Content-Type', '$x-amz-meta-a'), unicode(8)),
  fc.tuple(fc.constant('content-length-range'), fc.nat(), fc.nat()),
);
const policy = fc
  .record({ expiration: fc.constantFrom('2030-01-01T00:00:00Z', '2030-01-01T00:00:00.123+02:00'), conditions: fc.array(condition, { maxLength: 6 }) })
  .map((p) => JSON.stringify(p));
const JSON_SPECIALS = ['{', '}', '[', ']', ',', ':', '"', '\\', 'null', '"$key"', '"eq"', '1e3', '-', ' ', '"expiration"', '"conditions"'];
const b64 = (s: string) => Buffer.from(s).toString('base64');

test('decodePostPolicy: only S3 errors on random and mutated policies', testOptions, () => {
  const text = fc.oneof(policy, mutated(policy, JSON_SPECIALS), fc.json(), textOf(JSON_SPECIALS, 30));
  const encoded = fc.oneof(text.map(b64), mutated(text.map(b64), ['=', '\r\n', '+', '/', '-']));
  fc.assert(
    fc.property(encoded, (p) => {
      onlyS3Errors(() => decodePostPolicy(p, NOW));
    }),
    params(1000),
  );
});

test('an accepted policy, rewritten, decodes again with the replaced fields as eq conditions', testOptions, () => {
  let rewritten = 0;
  fc.assert(
    fc.property(policy, unicode(8), (text, newKey) => {
      const decoded = onlyS3Errors(() => decodePostPolicy(b64(text), NOW));
      if ('error' in decoded) return; // e.g. a condition on a field the form cannot satisfy
      const p = decoded.value;
      assert.equal(rewritePolicy(p, new Map()), p.text);
      // Only when the client's key 'k' satisfies every key condition can the rewrite not refuse.
      const keyConditions = p.conditions.filter((c) => c.op !== 'content-length-range' && c.field === 'key');
      const satisfiable = keyConditions.every((c) => ('value' in c ? c.value : '') === (c.op === 'eq' ? 'k' : ''));
      if (!satisfiable) return;
      const again = decodePostPolicy(b64(rewritePolicy(p, new Map([['key', { clientValue: 'k', newValue: newKey }]]))), NOW);
      assert.equal(again.conditions.length, p.conditions.length);
      rewritten += keyConditions.length > 0 ? 1 : 0;
      again.conditions.forEach((c, i) => {
        const before = p.conditions[i]!;
        if (before.op !== 'content-length-range' && before.field === 'key') assert.deepEqual([c.op, 'value' in c && c.value], ['eq', newKey]);
        else assert.equal(c.text, before.text);
      });
    }),
    params(300),
  );
  assert.ok(rewritten > 0, 'no policy had a key condition to rewrite');
});
