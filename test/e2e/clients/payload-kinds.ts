// Names what a recorded request is (S3 operation) and how its payload travelled: x-amz-content-sha256,
// HTTP framing, Content-Encoding, trailers (HTTP or inside an aws-chunked body) and checksum headers.
import { header, type RecordedRequest } from './request-parser.ts';

const LIST_V1_PARAMS = new Set(['prefix', 'delimiter', 'marker', 'max-keys', 'encoding-type']);

function bucketGet(q: URLSearchParams): string {
  if (q.has('list-type')) return 'ListObjectsV2';
  if (q.has('uploads')) return 'ListMultipartUploads';
  if (q.has('location')) return 'GetBucketLocation';
  if (q.has('versions')) return 'ListObjectVersions';
  if ([...q.keys()].every((k) => LIST_V1_PARAMS.has(k))) return 'ListObjects';
  return `GET bucket ?${[...q.keys()].sort().join('&')}`;
}

/** The S3 operation of a request, from its method, target and headers (enough for the client scenarios). */
export function operationOf(req: RecordedRequest, domain: string): string {
  const url = new URL(req.target, 'http://x');
  const q = url.searchParams;
  const host = (header(req, 'host') ?? '').replace(/:\d+$/, '');
  const virtual = host.endsWith(`.${domain}`);
  const [first = ''] = url.pathname.split('/').slice(1);
  const hasKey = virtual ? url.pathname.length > 1 : url.pathname.length > first.length + 2;
  const hasBucket = virtual || first !== '';
  const copy = header(req, 'x-amz-copy-source') !== undefined;
  const presigned = q.has('X-Amz-Signature') ? 'presigned ' : '';
  if (!hasBucket) return req.method === 'GET' && q.size === 0 ? 'ListBuckets' : `${req.method} /`;
  switch (req.method) {
    case 'PUT':
      if (!hasKey) return q.size === 0 ? 'CreateBucket' : `PUT bucket ?${[...q.keys()].sort().join('&')}`;
      if (q.has('partNumber')) return copy ? 'UploadPartCopy' : `${presigned}UploadPart`;
      return copy ? 'CopyObject' : `${presigned}PutObject`;
    case 'POST':
      if (q.has('uploads')) return 'CreateMultipartUpload';
      if (q.has('uploadId')) return 'CompleteMultipartUpload';
      if (q.has('delete')) return 'DeleteObjects';
      return 'POST';
    case 'GET':
      if (!hasKey) return bucketGet(q);
      return q.has('uploadId') ? 'ListParts' : `${presigned}GetObject`;
    case 'HEAD':
      return hasKey ? 'HeadObject' : 'HeadBucket';
    case 'DELETE':
      if (!hasKey) return 'DeleteBucket';
      return q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    default:
      return req.method;
  }
}

/** "hex SHA-256", "UNSIGNED-PAYLOAD", "STREAMING-…", or for a presigned URL "presigned, unsigned body". */
export function sha256Kind(req: RecordedRequest): string {
  const v = header(req, 'x-amz-content-sha256');
  if (v === undefined) return /[?&]X-Amz-Signature=/.test(req.target) ? 'presigned, unsigned body' : 'no x-amz-content-sha256';
  return /^[0-9a-f]{64}$/.test(v) ? 'hex SHA-256' : v;
}

/**
 * Names of the trailer fields after the final chunk of an aws-chunked body (x-amz-trailer-signature too).
 * Lines may end in LF alone: minio-go ends a signed trailer's checksum line with "\n\r\n".
 */
export function awsChunkedTrailers(req: RecordedRequest): string[] {
  const tail = req.bodyTail.toString('latin1');
  let end = -1;
  for (const m of tail.matchAll(/(?:^|\r\n)0(?:;[^\r\n]*)?\r\n/g)) end = m.index + m[0].length;
  if (end < 0) return [];
  return tail.slice(end).split(/\r?\n/).filter((l) => l.includes(':')).map((l) => l.slice(0, l.indexOf(':')).trim().toLowerCase());
}

/**
 * How the payload travelled: hash kind, chunked transfer, Content-Encoding, x-amz-decoded-content-length,
 * the declared trailer and where it really was, x-amz-checksum-* headers. (Content-MD5 and Expect are
 * left out: the first is the caller's choice, the second depends on the body size.)
 */
export function payloadKind(req: RecordedRequest): string {
  const parts = [sha256Kind(req)];
  if (req.framing === 'chunked') parts.push('Transfer-Encoding: chunked');
  const ce = header(req, 'content-encoding');
  if (ce) parts.push(`Content-Encoding: ${ce}`);
  if (header(req, 'x-amz-decoded-content-length') !== undefined) parts.push('x-amz-decoded-content-length');
  const trailer = header(req, 'x-amz-trailer');
  if (trailer) {
    const where = req.trailers.some(([k]) => k === trailer) ? 'HTTP trailer'
      : awsChunkedTrailers(req).includes(trailer) ? 'in the aws-chunked body' : 'declared, not sent';
    parts.push(`trailer ${trailer} (${where})`);
  }
  for (const [k] of req.headers) if (k.startsWith('x-amz-checksum-') && k !== 'x-amz-checksum-mode') parts.push(`${k} header`);
  return parts.join(' · ');
}

/** Operation, payload kind, and the extras left out of payloadKind: one diagnostic line per request. */
export function describeRequest(req: RecordedRequest, domain: string): string {
  const extras: string[] = [];
  if (header(req, 'content-md5') !== undefined) extras.push('Content-MD5');
  if (/100-continue/i.test(header(req, 'expect') ?? '')) extras.push('Expect: 100-continue');
  return [`${operationOf(req, domain)}: ${payloadKind(req)}`, ...extras].join(' · ');
}

/** Operations that carry object data: the ones whose payload kind the gateway must handle. */
const DATA_OPS = /^(presigned )?(PutObject|UploadPart)$/;

/** The distinct "Operation: payload kind" lines of the object-data uploads among `requests`, sorted. */
export function uploadKinds(requests: RecordedRequest[], domain: string): string[] {
  const kinds = requests.map((r) => [operationOf(r, domain), r] as const)
    .filter(([op]) => DATA_OPS.test(op))
    .map(([op, r]) => `${op}: ${payloadKind(r)}`);
  return [...new Set(kinds)].sort();
}

/** Every distinct request description with a count, for the test's diagnostics. */
export function allKinds(requests: RecordedRequest[], domain: string): string[] {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const k = describeRequest(r, domain);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${n}× ${k}`);
}

/** Building blocks for a suite's expected upload kinds (the payloadKind lines, see uploadKinds). */
export const KIND = {
  hex: 'hex SHA-256',
  hexCrc32: 'hex SHA-256 · x-amz-checksum-crc32 header',
  unsigned: 'UNSIGNED-PAYLOAD',
  presigned: 'presigned, unsigned body',
  /** aws-chunked with an unsigned trailing checksum; `chunked`: sent with Transfer-Encoding: chunked (no Content-Length). */
  unsignedTrailer: (alg: string, chunked: boolean): string =>
    ['STREAMING-UNSIGNED-PAYLOAD-TRAILER', ...(chunked ? ['Transfer-Encoding: chunked'] : []), 'Content-Encoding: aws-chunked',
      'x-amz-decoded-content-length', `trailer x-amz-checksum-${alg} (in the aws-chunked body)`].join(' · '),
  /** Signed aws-chunked (every chunk signed), as minio-go sends it: no Content-Encoding header. */
  signedChunks: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD · x-amz-decoded-content-length',
  signedChunksTrailer: (alg: string): string =>
    `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER · x-amz-decoded-content-length · trailer x-amz-checksum-${alg} (in the aws-chunked body)`,
};

export const putObject = (kind: string): string => `PutObject: ${kind}`;
export const uploadPart = (kind: string): string => `UploadPart: ${kind}`;
export const presignedPut = `presigned PutObject: ${KIND.presigned}`;
