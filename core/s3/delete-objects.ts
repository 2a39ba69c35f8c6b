// A DeleteObjects batch (`POST /bucket?delete`) as the gateway narrows it to a user's grant: the
// request's <Delete> document read into its objects, written again with only the allowed ones (each
// <Object> element kept byte for byte, so ETag and other conditions reach the backend as sent), and
// the refused keys added to the backend's <DeleteResult> as the <Error> entries S3 itself would give.
import { S3Error } from '../errors.ts';
import { escapeXml, unescapeXml } from '../xml.ts';

/** S3's limit on one batch. */
export const MAX_DELETE_OBJECTS = 1000;

export interface DeleteObjectEntry {
  key: string;
  versionId?: string;
  /** The <Object> element as the client wrote it. */
  xml: string;
}

export interface DeleteRequest {
  quiet: boolean;
  objects: DeleteObjectEntry[];
}

export const malformedXml = (): S3Error =>
  new S3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema');

const ELEMENT = /<([A-Za-z]+)(?:\s[^>]*)?>([\s\S]*?)<\/\1\s*>/g;

/** The text of a simple element: entities decoded, no markup inside. */
function text(inner: string): string {
  if (inner.includes('<')) throw malformedXml();
  try {
    return unescapeXml(inner);
  } catch {
    // A character reference beyond Unicode.
    throw malformedXml();
  }
}

/** The children of an element's content, in order; anything between them but whitespace is refused. */
function children(content: string): Array<{ name: string; inner: string; xml: string }> {
  const out: Array<{ name: string; inner: string; xml: string }> = [];
  let at = 0;
  for (const m of content.matchAll(ELEMENT)) {
    if (content.slice(at, m.index).trim() !== '') throw malformedXml();
    out.push({ name: m[1]!, inner: m[2]!, xml: m[0] });
    at = m.index + m[0].length;
  }
  if (content.slice(at).trim() !== '') throw malformedXml();
  return out;
}

function objectOf(xml: string, inner: string): DeleteObjectEntry {
  const fields = children(inner);
  const key = fields.find((f) => f.name === 'Key');
  if (!key || fields.filter((f) => f.name === 'Key').length > 1) throw malformedXml();
  const version = fields.find((f) => f.name === 'VersionId');
  const entry: DeleteObjectEntry = { key: text(key.inner), xml };
  if (version) entry.versionId = text(version.inner);
  return entry;
}

/** The client's <Delete> document; MalformedXML for anything S3 would not accept (no object, over 1000). */
export function parseDeleteRequest(body: string): DeleteRequest {
  const doc = /^\s*(?:<\?xml[^>]*\?>)?\s*<Delete(?:\s[^>]*)?>([\s\S]*)<\/Delete\s*>\s*$/.exec(body);
  if (!doc) throw malformedXml();
  let quiet = false;
  const objects: DeleteObjectEntry[] = [];
  for (const child of children(doc[1]!)) {
    if (child.name === 'Object') objects.push(objectOf(child.xml, child.inner));
    else if (child.name === 'Quiet') {
      const value = text(child.inner).trim();
      if (value !== 'true' && value !== 'false') throw malformedXml();
      quiet = value === 'true';
    } else throw malformedXml();
  }
  if (objects.length === 0 || objects.length > MAX_DELETE_OBJECTS) throw malformedXml();
  return { quiet, objects };
}

/** The batch for the backend: the allowed objects as the client wrote them, Quiet as asked. */
export function renderDeleteRequest(quiet: boolean, objects: readonly DeleteObjectEntry[]): string {
  const q = quiet ? '<Quiet>true</Quiet>' : '';
  return `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${q}${objects.map((o) => o.xml).join('')}</Delete>`;
}

/** S3's entry for a key the requester may not delete (it reports errors in Quiet mode too). */
export function accessDeniedEntries(objects: readonly DeleteObjectEntry[]): string {
  return objects
    .map((o) => {
      const version = o.versionId === undefined ? '' : `<VersionId>${escapeXml(o.versionId)}</VersionId>`;
      return `<Error><Key>${escapeXml(o.key)}</Key>${version}<Code>AccessDenied</Code><Message>Access Denied</Message></Error>`;
    })
    .join('');
}

/** The answer when no key of the batch may be deleted: nothing reaches the backend. */
export function deleteResultXml(entries: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${entries}</DeleteResult>`;
}

/** The backend's <DeleteResult> with the gateway's refusals added at its end; any other document as it is. */
export function mergeDeleteResult(xml: string, entries: string): string {
  if (entries === '') return xml;
  const close = xml.lastIndexOf('</DeleteResult>');
  if (close >= 0) return `${xml.slice(0, close)}${entries}${xml.slice(close)}`;
  // <DeleteResult/>: a backend that deleted nothing quietly.
  return xml.replace(/<DeleteResult([^>]*)\/>/, (_m, attrs: string) => `<DeleteResult${attrs}>${entries}</DeleteResult>`);
}
