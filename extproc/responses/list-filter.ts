// Drops entries from an S3 listing body (ListObjects V1/V2, ListObjectVersions): used to keep what a
// filesystem backend would list through a symbolic link out of the client's view.
import { unescapeXml } from '../../core/xml.ts';

const ENTRY = /<(Contents|Version|DeleteMarker)>([\s\S]*?)<\/\1>|<CommonPrefixes>\s*<Prefix>([^<]*)<\/Prefix>\s*<\/CommonPrefixes>/g;
const KEY = /<Key>([^<]*)<\/Key>/;

/** Removes every entry whose key (or common prefix) `hidden` names, and corrects <KeyCount>. */
export function filterListing(xml: string, hidden: (key: string) => boolean): string {
  let dropped = 0;
  const out = xml.replace(ENTRY, (entry, _el: string | undefined, inner: string | undefined, prefix: string | undefined) => {
    const raw = prefix ?? KEY.exec(inner ?? '')?.[1];
    if (raw === undefined || !hidden(unescapeXml(raw))) return entry;
    dropped++;
    return '';
  });
  if (dropped === 0) return xml;
  return out.replace(/<KeyCount>(\d+)<\/KeyCount>/, (_m, n: string) => `<KeyCount>${Math.max(0, Number(n) - dropped)}</KeyCount>`);
}
