// The multipart/form-data body of an S3 POST Object, up to the file part: the gateway reads the
// fields, re-renders them for the backend and forwards the file part and everything after it
// byte for byte, so only the prefix is parsed and offsets stay exact. Error choices follow
// versitygw (s3api/middlewares/object-post-auth.go, s3api/utils/multipart_reader.go).
import { S3Error, errors } from '../errors.ts';

export interface FormField {
  /** As sent; S3 matches field names case-insensitively. */
  name: string;
  value: string;
}

export interface PostFormPrefix {
  /** Every part before the file part, in order. */
  fields: FormField[];
  /** The file part's filename parameter, '' if it has none. */
  filename: string;
  /** Offset of the "--boundary" opening the file part; the body from here on is forwarded as is. */
  fileDelimiterStart: number;
}

/**
 * Largest prefix (up to the end of the file part's headers) the gateway buffers. AWS publishes no
 * figure; this leaves room for a 20 KiB policy plus metadata, tagging and the auth fields.
 */
export const MAX_FORM_PREFIX_BYTES = 64 * 1024;

export const notMultipartForm = () =>
  new S3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold.', {
    Condition: 'Bucket POST must be of the enclosure-type multipart/form-data',
  });
export const malformedPostRequest = () =>
  new S3Error('MalformedPOSTRequest', 400, 'The body of your POST request is not well-formed multipart/form-data.');
/** The form ended without a file part; AWS echoes "0" as the number of files it found. */
export const postFileRequired = () =>
  errors.invalidArgument('POST requires exactly one file upload per request.', { name: 'file', value: '0' });
export const maxPostPreDataExceeded = () =>
  new S3Error('MaxPostPreDataLengthExceeded', 400, 'Your POST request fields preceding the upload file were too large.');

const TSPECIALS = '()<>@,;:\\"/[]?=';
const T = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";
const TOKEN = new RegExp(`^${T}+`);
const MEDIA_TYPE = new RegExp(`^${T}+(/${T}+)?$`);
const PARAM = new RegExp(`^;\\s*(${T}+)\\s*=\\s*`);

/** RFC 2045 value parser with Go's mime.ParseMediaType leniencies; undefined where Go fails. */
function parseMediaType(header: string): { type: string; params: Map<string, string> } | undefined {
  const semi = header.indexOf(';');
  const type = (semi < 0 ? header : header.slice(0, semi)).toLowerCase().trim();
  if (!MEDIA_TYPE.test(type)) return undefined;
  const params = new Map<string, string>();
  let rest = semi < 0 ? '' : header.slice(semi);
  while ((rest = rest.trimStart()) !== '') {
    const param = PARAM.exec(rest);
    const value = param ? consumeValue(rest.slice(param[0].length)) : undefined;
    if (param === null || value === undefined) return rest.trim() === ';' ? { type, params } : undefined;
    const key = param[1]!.toLowerCase();
    if (params.has(key)) return undefined;
    params.set(key, value[0]);
    rest = value[1];
  }
  return { type, params };
}

/** A token or quoted string and what follows it. */
function consumeValue(s: string): [string, string] | undefined {
  if (!s.startsWith('"')) {
    const token = TOKEN.exec(s)?.[0];
    return token === undefined ? undefined : [token, s.slice(token.length)];
  }
  let out = '';
  for (let i = 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') return [out, s.slice(i + 1)];
    if (c === '\r' || c === '\n') return undefined;
    // Browsers send unescaped Windows paths ("C:\dir\f.txt"): only a tspecial is taken as escaped.
    if (c === '\\' && i + 1 < s.length && TSPECIALS.includes(s[i + 1]!)) out += s[++i];
    else out += c;
  }
  return undefined;
}

/** The boundary of a POST Object request, or the error versitygw gives for its Content-Type. */
export function formBoundary(contentType: string | undefined): string {
  const media = parseMediaType(contentType ?? '');
  if (media?.type !== 'multipart/form-data') throw notMultipartForm();
  const boundary = (media.params.get('boundary') ?? '').trim();
  if (boundary === '') throw malformedPostRequest();
  return boundary;
}

const NEED_MORE = Symbol('need more bytes');
type Step<T> = T | typeof NEED_MORE;
const CRLF = Buffer.from('\r\n');
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

interface Delimiter {
  /** Offset of "--boundary". */
  start: number;
  close: boolean;
  /** Offset just past the delimiter line (meaningless for a close delimiter). */
  next: number;
}

/** What the bytes at `at` ("--boundary" already matched) make of the line: undefined if not a delimiter. */
function delimiterLine(body: Buffer, at: number, dashLength: number, complete: boolean): Step<Delimiter | undefined> {
  let i = at + dashLength;
  if (body[i] === 0x2d && body[i + 1] === 0x2d) return { start: at, close: true, next: i + 2 };
  while (body[i] === 0x20 || body[i] === 0x09) i++; // transport padding (RFC 2046)
  if (i + 1 >= body.length) return complete ? undefined : NEED_MORE;
  return body[i] === 0x0d && body[i + 1] === 0x0a ? { start: at, close: false, next: i + 2 } : undefined;
}

/** The first delimiter line at or after `from` (at a line start: offset 0 or after a CRLF). */
function nextDelimiter(body: Buffer, dash: Buffer, from: number, complete: boolean): Step<Delimiter> {
  const candidates = (function* () {
    if (from === 0 && body.subarray(0, dash.length).equals(dash)) yield 0;
    const needle = Buffer.concat([CRLF, dash]);
    for (let i = body.indexOf(needle, from); i >= 0; i = body.indexOf(needle, i + 1)) yield i + 2;
  })();
  for (const at of candidates) {
    const line = delimiterLine(body, at, dash.length, complete);
    if (line !== undefined) return line;
  }
  if (complete) throw malformedPostRequest();
  return NEED_MORE;
}

function text(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw malformedPostRequest();
  }
}

/** A part's Content-Disposition, read from its header lines; returns where the content starts. */
function partHeaders(body: Buffer, from: number): Step<{ name: string; filename?: string; contentStart: number }> {
  let disposition: string | undefined;
  for (let pos = from; ; ) {
    const lf = body.indexOf(0x0a, pos);
    if (lf < 0) return NEED_MORE;
    if (lf === pos || body[lf - 1] !== 0x0d) throw malformedPostRequest();
    const line = text(body.subarray(pos, lf - 1));
    pos = lf + 1;
    if (line === '') {
      const media = parseMediaType(disposition ?? '');
      const name = media?.params.get('name') ?? '';
      if (media?.type !== 'form-data' || name === '') throw malformedPostRequest();
      return { name, filename: media.params.get('filename'), contentStart: pos };
    }
    const colon = line.indexOf(':');
    // A bare CR would reach the backend's part headers when the gateway re-renders a field name.
    if (colon < 0 || line.includes('\r')) throw malformedPostRequest();
    if (line.slice(0, colon).trim().toLowerCase() === 'content-disposition') disposition = line.slice(colon + 1).trim();
  }
}

function parsePrefix(body: Buffer, dash: Buffer, complete: boolean): Step<PostFormPrefix> {
  const fields: FormField[] = [];
  let delimiter = nextDelimiter(body, dash, 0, complete);
  if (delimiter === NEED_MORE) return NEED_MORE;
  if (delimiter.close) throw malformedPostRequest();
  for (;;) {
    const part = partHeaders(body, delimiter.next);
    if (part === NEED_MORE) {
      if (complete) throw malformedPostRequest();
      return NEED_MORE;
    }
    // As versitygw and AWS: the first part named "file" or carrying a filename is the upload.
    if (part.name.toLowerCase() === 'file' || part.filename !== undefined) {
      return { fields, filename: part.filename ?? '', fileDelimiterStart: delimiter.start };
    }
    // From the blank line's CRLF: an empty value may be followed by the delimiter at once (Go allows it).
    const end = nextDelimiter(body, dash, part.contentStart - 2, complete);
    if (end === NEED_MORE) return NEED_MORE;
    const valueEnd = Math.max(part.contentStart, end.start - 2);
    fields.push({ name: part.name, value: text(body.subarray(part.contentStart, valueEnd)) });
    if (end.close) throw postFileRequired();
    delimiter = end;
  }
}

/**
 * The fields before the file part. With `complete` false, `body` is what has arrived so far and
 * undefined means "not enough yet"; errors thrown on a partial body are final. Throws
 * MaxPostPreDataLengthExceeded once the prefix cannot fit in MAX_FORM_PREFIX_BYTES.
 */
export function parseFormPrefix(body: Buffer, boundary: string, complete: boolean): PostFormPrefix | undefined {
  // Parsing only the first MAX bytes makes the outcome the same whatever the chunking.
  const window = body.subarray(0, MAX_FORM_PREFIX_BYTES);
  const result = parsePrefix(window, Buffer.from(`--${boundary}`), complete && body.length <= MAX_FORM_PREFIX_BYTES);
  if (result !== NEED_MORE) return result;
  if (body.length > MAX_FORM_PREFIX_BYTES) throw maxPostPreDataExceeded();
  return undefined;
}

/** The quoted-string escaping Go's multipart writer uses, which parseMediaType undoes. */
function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Fields as multipart parts, each ending with the CRLF that precedes the next delimiter. */
export function renderFields(fields: FormField[], boundary: string): Buffer {
  return Buffer.from(
    fields
      .map((f) => `--${boundary}\r\nContent-Disposition: form-data; name=${quote(f.name)}\r\n\r\n${f.value}\r\n`)
      .join(''),
    'utf8',
  );
}

/** A field's value as S3 reads it (`name` lower-case): names compare case-insensitively, the last one sent wins. */
export function formValue(fields: FormField[], name: string): string | undefined {
  let value: string | undefined;
  for (const f of fields) if (f.name.toLowerCase() === name) value = f.value;
  return value;
}

/**
 * The object key with "${filename}" replaced by the uploaded file's name (the text after the last
 * slash or backslash), as AWS does; undefined when the form has no non-empty key.
 */
export function formKey(fields: FormField[], filename: string): string | undefined {
  const key = formValue(fields, 'key');
  if (key === undefined || key === '') return undefined;
  const base = filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);
  return key.replaceAll('${filename}', base);
}
