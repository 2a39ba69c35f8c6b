// core/s3/post-form.ts: the multipart prefix of a POST Object body, parsed with exact offsets,
// whatever the chunking, with versitygw's errors for what it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Error } from '../../../../core/errors.ts';
import {
  type FormField,
  MAX_FORM_PREFIX_BYTES,
  formBoundary,
  formKey,
  formValue,
  parseFormPrefix,
  renderFields,
} from '../../../../core/s3/post-form.ts';

const MALFORMED = ['MalformedPOSTRequest', 400, 'The body of your POST request is not well-formed multipart/form-data.'] as const;

function isError(code: string, status: number, message: string, details?: Record<string, string>) {
  return (e: unknown) => {
    assert.ok(e instanceof S3Error, `expected S3Error, got ${String(e)}`);
    assert.deepEqual([e.code, e.status, e.message], [code, status, message]);
    if (details) assert.deepEqual(e.details, details);
    return true;
  };
}

/** The body Go's multipart.Writer produces (as versitygw's tests send it), file part last. */
function goForm(boundary: string, fields: FormField[], file = 'some dummy data', tail = ''): Buffer {
  const parts = fields.map((f) => `Content-Disposition: form-data; name="${f.name}"\r\n\r\n${f.value}`);
  parts.push(`Content-Disposition: form-data; name="file"; filename="upload.bin"\r\nContent-Type: application/octet-stream\r\n\r\n${file}`);
  return Buffer.from(`--${boundary}\r\n${parts.join(`\r\n--${boundary}\r\n`)}\r\n--${boundary}--\r\n${tail}`);
}

const FIELDS: FormField[] = [
  { name: 'bucket', value: 'photos' },
  { name: 'Key', value: 'user/${filename}' },
  { name: 'x-amz-meta-note', value: 'caf\u00e9 \u2713' },
  { name: 'empty', value: '' },
  { name: 'multi-line', value: 'a\r\nb\r\n--not-the-boundary\r\n' },
];

/** Every split of `body` gives "not yet" or exactly what the whole body gives (value or error). */
function assertChunkingInvariant(body: Buffer, boundary: string): number {
  let whole: unknown;
  try {
    whole = parseFormPrefix(body, boundary, true);
  } catch (e) {
    whole = e;
  }
  let firstDefined = -1;
  for (let k = 0; k <= body.length; k++) {
    let partial: unknown;
    try {
      partial = parseFormPrefix(body.subarray(0, k), boundary, false);
    } catch (e) {
      partial = e;
    }
    if (partial === undefined) continue;
    if (firstDefined < 0) firstDefined = k;
    if (partial instanceof S3Error && whole instanceof S3Error) {
      assert.deepEqual([partial.code, partial.message], [whole.code, whole.message], `split at ${k}`);
    } else {
      assert.deepEqual(partial, whole, `split at ${k}`);
    }
  }
  return firstDefined;
}

test('formBoundary: Content-Type as Go reads it, versitygw errors otherwise', () => {
  assert.equal(formBoundary('multipart/form-data; boundary=abc'), 'abc');
  assert.equal(formBoundary('Multipart/Form-Data; BOUNDARY="a b:c"'), 'a b:c');
  assert.equal(formBoundary('multipart/form-data;boundary=----WebKitFormBoundaryx;'), '----WebKitFormBoundaryx');
  assert.equal(formBoundary('multipart/form-data; charset=utf-8; boundary="--custom-post-boundary"'), '--custom-post-boundary');
  const notMultipart = isError('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold.', {
    Condition: 'Bucket POST must be of the enclosure-type multipart/form-data',
  });
  for (const ct of [undefined, '', 'application/json', 'multipart/mixed; boundary=x', 'multipart/form-data; boundary', 'multipart/form-data; boundary=a; boundary=b', 'multipart/form-data; boundary="open']) {
    assert.throws(() => formBoundary(ct), notMultipart, String(ct));
  }
  for (const ct of ['multipart/form-data', 'multipart/form-data; boundary=""', 'multipart/form-data; boundary=" "']) {
    assert.throws(() => formBoundary(ct), isError(...MALFORMED), ct);
  }
});

test('fields before the file part, byte-exact offsets, at every chunking', () => {
  for (const boundary of ['xYzZY', '--custom-post-boundary']) {
    const body = goForm(boundary, FIELDS, 'file bytes', 'tail data that should be ignored');
    const opening = `--${boundary}\r\nContent-Disposition: form-data; name="file"`;
    const expected = { fields: FIELDS, filename: 'upload.bin', fileDelimiterStart: body.indexOf(opening) };
    assert.deepEqual(parseFormPrefix(body, boundary, true), expected);
    // Known the moment the file part's blank line has arrived, not one byte earlier.
    const contentStart = body.indexOf('file bytes');
    assert.equal(assertChunkingInvariant(body, boundary), contentStart);
    assert.deepEqual(parseFormPrefix(body.subarray(0, contentStart), boundary, false), expected);
  }
});

test('file part: named "file" or carrying a filename; preamble, padding and Go leniencies accepted', () => {
  const B = 'b0und';
  const body = Buffer.from(
    'ignored preamble\r\n--b0und-not\r\n' +
      `--${B} \t\r\ncontent-disposition:form-data; name=a\r\nX-Other: 1\r\n\r\n` +
      `--${B}\r\nContent-Disposition: form-data; name="upload"; filename="C:\\dir\\a \\"q\\".txt"\r\n\r\ndata\r\n--${B}--`,
  );
  assert.deepEqual(parseFormPrefix(body, B, true), {
    fields: [{ name: 'a', value: '' }],
    filename: 'C:\\dir\\a "q".txt',
    fileDelimiterStart: body.indexOf(`--${B}\r\nContent-Disposition: form-data; name="upload"`),
  });
  assertChunkingInvariant(body, B);
  const noFilename = Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="FILE"\r\n\r\nx`);
  assert.deepEqual(parseFormPrefix(noFilename, B, false), { fields: [], filename: '', fileDelimiterStart: 0 });
});

test('no file part: AWS InvalidArgument naming "file" with value 0', () => {
  const B = 'B';
  const body = Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n--${B}--\r\n`);
  const fileRequired = isError('InvalidArgument', 400, 'POST requires exactly one file upload per request.', {
    ArgumentName: 'file',
    ArgumentValue: '0',
  });
  assert.throws(() => parseFormPrefix(body, B, true), fileRequired);
  assert.throws(() => parseFormPrefix(body.subarray(0, body.length - 2), B, false), fileRequired);
  assertChunkingInvariant(body, B);
});

test('malformed bodies: MalformedPOSTRequest, at every chunking', () => {
  const B = 'B';
  const file = `--${B}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\nx\r\n--${B}--\r\n`;
  const cases = [
    '',
    'no delimiter at all',
    `--${B}--\r\n`,
    `--${B}\r\n\r\nvalue\r\n${file}`, // no headers
    `--${B}\r\nContent-Type: text/plain\r\n\r\nv\r\n${file}`, // no Content-Disposition
    `--${B}\r\nContent-Disposition: attachment; name="a"\r\n\r\nv\r\n${file}`,
    `--${B}\r\nContent-Disposition: form-data; filename=""x\r\n\r\nv\r\n${file}`,
    `--${B}\r\nContent-Disposition: form-data\r\n\r\nv\r\n${file}`, // no name
    `--${B}\r\nContent-Disposition: form-data; name="a"\r\nno colon\r\n\r\nv\r\n${file}`,
    `--${B}\r\nContent-Disposition: form-data; name="a"\nX: y\r\n\r\nv\r\n${file}`, // bare LF
    `--${B}\r\nContent-Disposition: form-data; name="a\rb"\r\n\r\nv\r\n${file}`, // bare CR
    `--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--${B}\r\nContent-Disposition: form-data; name="file"`, // truncated
    `--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated value`,
  ];
  for (const text of cases) {
    assert.throws(() => parseFormPrefix(Buffer.from(text), B, true), isError(...MALFORMED), JSON.stringify(text));
    assertChunkingInvariant(Buffer.from(text), B);
  }
  const badUtf8 = Buffer.concat([Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\n`), Buffer.from([0xc3, 0x28]), Buffer.from(`\r\n${file}`)]);
  assert.throws(() => parseFormPrefix(badUtf8, B, true), isError(...MALFORMED));
});

test('prefix larger than MAX_FORM_PREFIX_BYTES: MaxPostPreDataLengthExceeded, whatever the chunking', () => {
  const tooLarge = isError('MaxPostPreDataLengthExceeded', 400, 'Your POST request fields preceding the upload file were too large.');
  const B = 'B';
  const head = `--${B}\r\nContent-Disposition: form-data; name="x-amz-meta-big"\r\n\r\n`;
  const fileHead = `\r\n--${B}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n`;
  const fits = Buffer.from(head + 'v'.repeat(MAX_FORM_PREFIX_BYTES - head.length - fileHead.length) + fileHead + 'data');
  assert.equal(parseFormPrefix(fits, B, true)?.fields[0]?.value.length, MAX_FORM_PREFIX_BYTES - head.length - fileHead.length);
  const over = Buffer.from(head + 'v'.repeat(MAX_FORM_PREFIX_BYTES - head.length - fileHead.length + 1) + fileHead + 'data');
  assert.throws(() => parseFormPrefix(over, B, true), tooLarge);
  assert.equal(parseFormPrefix(over.subarray(0, MAX_FORM_PREFIX_BYTES), B, false), undefined);
  assert.throws(() => parseFormPrefix(over.subarray(0, MAX_FORM_PREFIX_BYTES + 1), B, false), tooLarge);
});

test('renderFields: byte-exact parts; with the rest of the body, a form any multipart parser reads', async () => {
  assert.equal(
    renderFields([{ name: 'key', value: 'a b' }, { name: 'q"\\', value: '' }], 'B').toString(),
    '--B\r\nContent-Disposition: form-data; name="key"\r\n\r\na b\r\n--B\r\nContent-Disposition: form-data; name="q\\"\\\\"\r\n\r\n\r\n',
  );
  for (const boundary of ['xYzZY', '--custom-post-boundary']) {
    const body = goForm(boundary, FIELDS, 'file \r\n bytes'); // undici refuses an epilogue
    const prefix = parseFormPrefix(body, boundary, true)!;
    const fields = [...prefix.fields.slice(1), { name: 'policy', value: 'eyJhIjoxfQ==' }];
    const forwarded = Buffer.concat([renderFields(fields, boundary), body.subarray(prefix.fileDelimiterStart)]);
    assert.deepEqual(parseFormPrefix(forwarded, boundary, true), { ...prefix, fields, fileDelimiterStart: forwarded.length - (body.length - prefix.fileDelimiterStart) });
    // undici's FormData parser, an implementation independent of ours.
    const form = await new Response(forwarded, { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }).formData();
    const file = form.get('file') as File;
    assert.deepEqual(
      [...form.entries()].filter(([, v]) => typeof v === 'string'),
      fields.map((f) => [f.name, f.value]),
    );
    assert.deepEqual([file.name, await file.text()], ['upload.bin', 'file \r\n bytes']);
  }
  // Names are quoted as Go's writer does, which the parser undoes.
  const odd = [{ name: 'a"b\\c', value: 'v' }];
  const reparsed = parseFormPrefix(Buffer.concat([renderFields(odd, 'B'), goForm('B', [])]), 'B', true);
  assert.deepEqual(reparsed?.fields, odd);
});

test('formValue and formKey: case-insensitive names, last one wins, ${filename} substituted', () => {
  const fields: FormField[] = [
    { name: 'KEY', value: 'first' },
    { name: 'other', value: 'x' },
    { name: 'key', value: 'uploads/${filename}.${filename}' },
  ];
  assert.equal(formValue(fields, 'key'), 'uploads/${filename}.${filename}');
  assert.equal(formValue(fields, 'missing'), undefined);
  assert.equal(formKey(fields, 'C:\\Users\\me/photo.jpg'), 'uploads/photo.jpg.photo.jpg');
  assert.equal(formKey(fields, 'dir\\photo.jpg'), 'uploads/photo.jpg.photo.jpg');
  assert.equal(formKey(fields, ''), 'uploads/.');
  assert.equal(formKey([{ name: 'Key', value: 'plain' }], 'f'), 'plain');
  assert.equal(formKey([{ name: 'key', value: '' }], 'f'), undefined);
  assert.equal(formKey([], 'f'), undefined);
});
