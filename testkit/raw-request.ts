// Sends S3 requests with exact, un-normalized paths (fetch would resolve `..`), signed by the real
// AWS signer or deliberately wrong, so tests can attack the gateway the way a hostile client would.
import http from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function signer(creds: Creds, region = 'us-east-1'): SignatureV4 {
  return new SignatureV4({ service: 's3', region, credentials: creds, sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });
}

export interface RawRequest {
  method: string;
  /** Path exactly as it goes on the wire, query included. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

export async function send(endpoint: string, req: RawRequest): Promise<RawResponse> {
  const res = await sendBytes(endpoint, req);
  return { ...res, body: res.body.toString('utf8') };
}

/** send(), the body kept as bytes (it may be compressed). */
export function sendBytes(endpoint: string, req: RawRequest): Promise<Omit<RawResponse, 'body'> & { body: Buffer }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers: req.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    r.on('error', reject);
    // Never hang a test: a gateway that stops answering is a failure, not a wait.
    r.setTimeout(30_000, () => r.destroy(new Error(`no answer within 30 s to ${req.method} ${req.path}`)));
    r.end(req.body);
  });
}

/** Header-signs `path` (raw, as it will be sent) for `endpoint`. */
export async function signedRequest(
  endpoint: string,
  creds: Creds,
  method: string,
  path: string,
  opts: { signingDate?: Date; headers?: Record<string, string>; region?: string } = {},
): Promise<RawRequest> {
  const url = new URL(endpoint);
  const q = path.indexOf('?');
  const query: Record<string, string> = {};
  if (q >= 0) for (const [k, v] of new URLSearchParams(path.slice(q + 1))) query[k] = v;
  const signed = await signer(creds, opts.region).sign(
    new HttpRequest({
      method,
      protocol: 'http:',
      hostname: url.host,
      path: q >= 0 ? path.slice(0, q) : path,
      query,
      headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...opts.headers },
    }),
    { signingDate: opts.signingDate ?? new Date() },
  );
  return { method, path, headers: signed.headers as Record<string, string> };
}

/** A presigned path for `path` on `endpoint`, as the AWS SDK presigner builds it. */
export async function presignedPath(endpoint: string, creds: Creds, method: string, path: string, expiresIn: number, signingDate = new Date()): Promise<string> {
  const url = new URL(endpoint);
  const p = await signer(creds).presign(
    new HttpRequest({ method, protocol: 'http:', hostname: url.host, path, query: {}, headers: { host: url.host } }),
    { expiresIn, signingDate },
  );
  const qs = Object.entries(p.query as Record<string, string>)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return `${path}?${qs}`;
}

export function errorCode(body: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
}
