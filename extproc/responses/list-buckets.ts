// ListBuckets is answered by the gateway: the client sees the buckets it may use, never the backends'.
// It honours AWS's paging parameters (prefix, max-buckets, continuation-token), which SDK
// paginators send.
import { S3Error } from '../../core/errors.ts';
import { escapeXml } from '../../core/xml.ts';
import type { Account } from './rewrite-xml.ts';

export interface ListBucketsParams {
  prefix: string;
  maxBuckets: number;
  /** The last bucket name of the previous page (the token is that name, base64url). */
  after: string;
}

const MAX_BUCKETS = 10_000;

export function listBucketsParams(query: URLSearchParams): ListBucketsParams {
  const max = query.get('max-buckets');
  if (max !== null && !(/^\d+$/.test(max) && Number(max) >= 1 && Number(max) <= MAX_BUCKETS)) {
    throw new S3Error('InvalidArgument', 400, `Argument max-buckets must be an integer between 1 and ${MAX_BUCKETS}.`, {
      ArgumentName: 'max-buckets',
      ArgumentValue: max,
    });
  }
  const token = query.get('continuation-token');
  return {
    prefix: query.get('prefix') ?? '',
    maxBuckets: max === null ? MAX_BUCKETS : Number(max),
    after: token ? Buffer.from(token, 'base64url').toString('utf8') : '',
  };
}

export function listBucketsXml(owner: Account, sortedBuckets: string[], creationDate: Date, p: ListBucketsParams): string {
  const date = creationDate.toISOString();
  const matching = sortedBuckets.filter((b) => b.startsWith(p.prefix) && b > p.after);
  const page = matching.slice(0, p.maxBuckets);
  const items = page.map((b) => `<Bucket><Name>${escapeXml(b)}</Name><CreationDate>${date}</CreationDate></Bucket>`).join('');
  const next = matching.length > page.length ? `<ContinuationToken>${Buffer.from(page[page.length - 1]!).toString('base64url')}</ContinuationToken>` : '';
  const prefix = p.prefix ? `<Prefix>${escapeXml(p.prefix)}</Prefix>` : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Owner><ID>${escapeXml(owner.id)}</ID><DisplayName>${escapeXml(owner.displayName)}</DisplayName></Owner>` +
    `<Buckets>${items}</Buckets>${next}${prefix}</ListAllMyBucketsResult>`
  );
}
