// ListBuckets is answered by the gateway: the client sees the buckets it may use, never the backends'.
import { escapeXml } from '../core/s3/xml.ts';

export function listBucketsXml(owner: string, buckets: string[], creationDate: Date): string {
  const date = creationDate.toISOString();
  const items = buckets
    .map((b) => `<Bucket><Name>${escapeXml(b)}</Name><CreationDate>${date}</CreationDate></Bucket>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Owner><ID>${escapeXml(owner)}</ID><DisplayName>${escapeXml(owner)}</DisplayName></Owner>` +
    `<Buckets>${items}</Buckets></ListAllMyBucketsResult>`
  );
}
