// `encoding-type=url` on listings, for backends that ignore it (versitygw 1.7 returns raw keys):
// the gateway encodes the elements S3 encodes, so clients get AWS's behaviour from every backend.
import { uriEncode } from '../../core/sigv4/canonical.ts';
import { unescapeXml } from '../../core/xml.ts';

// The elements AWS URL-encodes in ListObjects (V1, V2), ListObjectVersions and ListMultipartUploads.
const ENCODED = /<(Key|Prefix|Delimiter|StartAfter|Marker|NextMarker|KeyMarker|NextKeyMarker)>([^<]*)<\/\1>/g;
const ENCODING_TYPE = /<EncodingType>url<\/EncodingType>/;
const EMPTY_ENCODING_TYPE = /<EncodingType><\/EncodingType>|<EncodingType\/>/;

/** S3's form of URL encoding: like SigV4's, but a space is '+'. */
function s3UrlEncode(s: string): string {
  return uriEncode(s, false).replace(/%20/g, '+');
}

/** Leaves a body alone when the backend already honoured encoding-type=url. */
export function applyUrlEncoding(xml: string): string {
  if (ENCODING_TYPE.test(xml)) return xml;
  const encoded = xml.replace(ENCODED, (_m, el: string, v: string) => `<${el}>${s3UrlEncode(unescapeXml(v))}</${el}>`);
  if (EMPTY_ENCODING_TYPE.test(encoded)) return encoded.replace(EMPTY_ENCODING_TYPE, '<EncodingType>url</EncodingType>');
  // Insert before the root element's end tag.
  return encoded.replace(/<\/(\w+)>\s*$/, '<EncodingType>url</EncodingType></$1>');
}
