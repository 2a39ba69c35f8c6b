// Drops entries from an S3 listing body (ListObjects V1/V2, ListObjectVersions): what a filesystem
// backend would list through a symbolic link, and what a filtered listing's principal may not read.
import { unescapeXml } from '../../core/xml.ts';

/** A Contents, Version or DeleteMarker names a key; a CommonPrefixes entry a prefix. */
export type EntryKind = 'key' | 'prefix';
export type Hidden = (name: string, kind: EntryKind) => boolean;

const ENTRY = /<(Contents|Version|DeleteMarker)>([\s\S]*?)<\/\1>|<CommonPrefixes>\s*<Prefix>([^<]*)<\/Prefix>\s*<\/CommonPrefixes>/g;
const KEY = /<Key>([^<]*)<\/Key>/;
const URL_ENCODED = /<EncodingType>url<\/EncodingType>/;

interface Entry {
  /** As the body has it: XML-escaped, URL-encoded with encoding-type=url. */
  raw: string;
  /** The key or prefix itself; undefined when it does not decode (XML reference or URL encoding). */
  name: string | undefined;
  kind: EntryKind;
}

function entryOf(inner: string | undefined, prefix: string | undefined, urlEncoded: boolean): Entry | undefined {
  const raw = prefix ?? KEY.exec(inner ?? '')?.[1];
  if (raw === undefined) return undefined;
  let name: string | undefined;
  try {
    // A character reference beyond Unicode (&#x110000;) throws in unescapeXml, bad %-encoding here.
    const text = unescapeXml(raw);
    name = urlEncoded ? decodeURIComponent(text.replace(/\+/g, '%20')) : text;
  } catch {
    name = undefined;
  }
  return { raw, name, kind: prefix === undefined ? 'key' : 'prefix' };
}

/**
 * Removes every entry `hidden` names (and any whose name does not decode: fail closed), and corrects
 * <KeyCount>. What is left is still a listing, even when it is empty.
 */
export function filterListing(xml: string, hidden: Hidden): string {
  const urlEncoded = URL_ENCODED.test(xml);
  let dropped = 0;
  const out = xml.replace(ENTRY, (entry, _el: string | undefined, inner: string | undefined, prefix: string | undefined) => {
    const e = entryOf(inner, prefix, urlEncoded);
    if (e === undefined || (e.name !== undefined && !hidden(e.name, e.kind))) return entry;
    dropped++;
    return '';
  });
  if (dropped === 0) return xml;
  return out.replace(/<KeyCount>(\d+)<\/KeyCount>/, (_m, n: string) => `<KeyCount>${Math.max(0, Number(n) - dropped)}</KeyCount>`);
}

/** S3's order of keys: their UTF-8 bytes. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * A truncated V1 page's <NextMarker>, set to the backend's last entry (key or common prefix) before
 * filtering: a client without a delimiter continues after its page's last key, which the filter may
 * have removed (or all of them). A backend's own non-empty NextMarker is kept.
 */
export function pinNextMarker(xml: string): string {
  if (!/<IsTruncated>true<\/IsTruncated>/.test(xml) || /<NextMarker>[^<]+<\/NextMarker>/.test(xml)) return xml;
  const urlEncoded = URL_ENCODED.test(xml);
  let last: Entry | undefined;
  for (const m of xml.matchAll(ENTRY)) {
    const e = entryOf(m[2], m[3], urlEncoded);
    if (e?.name !== undefined && (last === undefined || byteOrder(e.name, last.name!) > 0)) last = e;
  }
  if (last === undefined) return xml;
  return xml.replace(/<NextMarker><\/NextMarker>|<NextMarker\/>/, '').replace('</IsTruncated>', `</IsTruncated><NextMarker>${last.raw}</NextMarker>`);
}
