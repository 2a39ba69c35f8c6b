// The bad-input corpus (issue 11): malformed and hostile requests written byte for byte to the real
// gateway's socket — smuggling, injection, bad encodings, odd request forms, replays, truncated bodies.
// Each gets a clear S3 error (XML with a <Code>) or a closed connection, never anything from the backend
// (Envoy's upstream counter does not move), and the next good request is served.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { useOneBucketGateway } from '../../testkit/one-bucket.ts';
import { USERS } from '../../testkit/world.ts';
import { errorCode, presignedPath, send, signedRequest } from '../../testkit/raw-request.ts';

const ALICE = USERS.alice;

/** What the gateway did with bytes written to its socket: its answer (status, S3 code) or a close. */
interface Outcome {
  status?: number;
  code?: string;
  closed: boolean;
  /** Interim answers before the final one (100 Continue). */
  interim: string[];
}

describe('bad-input corpus through the gateway', () => {
  const one = useOneBucketGateway({ bucket: 'releases' });

  const host = () => `127.0.0.1:${one().gateway.port}`;

  /** Writes `bytes`, reads until the gateway closes or 3 s pass, and reads the first answer. */
  function exchange(bytes: string | Buffer, keepWriting?: (s: net.Socket) => void): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(one().gateway.port, '127.0.0.1');
      let received = '';
      const finish = (closed: boolean) => {
        clearTimeout(timer);
        socket.destroy();
        // The final answer: an interim 100 Continue would come first.
        const statuses = [...received.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((m) => m[1]!);
        const status = statuses.find((s) => !s.startsWith('1'));
        const interim = statuses.filter((s) => s.startsWith('1'));
        const code = errorCode(received);
        resolve({ ...(status && { status: Number(status) }), ...(code && { code }), closed, interim });
      };
      const timer = setTimeout(() => finish(false), 3_000);
      socket.on('data', (d) => { received += d.toString('latin1'); });
      socket.once('close', () => finish(true));
      socket.once('error', (e) => (received ? finish(true) : reject(e)));
      socket.once('connect', () => { socket.write(bytes); keepWriting?.(socket); });
    });
  }

  /** A correctly signed request's head for `method path` (the host it was signed for), CRLF-joined, no final blank line. */
  async function signedHead(method: string, path: string, headers: Record<string, string> = {}, signedHost = host()): Promise<string> {
    const req = await signedRequest(`http://${signedHost}`, ALICE, method, path, { headers });
    return [`${method} ${path} HTTP/1.1`, ...Object.entries(req.headers!).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  }

  /**
   * An answer that is an S3 error with this status (a code in XML); or, when `orClosed`, a connection the
   * gateway closed — with no answer, or with this status as Envoy's HTTP codec words it (plain text:
   * what it refuses before any filter runs never reaches the gateway's S3 error bodies).
   */
  function assertRefused(o: Outcome, status: number, what: string, orClosed = false): void {
    if (orClosed && o.code === undefined) {
      assert.equal(o.closed, true, `${what}: neither an S3 error nor closed: ${JSON.stringify(o)}`);
      if (o.status !== undefined) assert.equal(o.status, status, `${what}: ${JSON.stringify(o)}`);
      return;
    }
    assert.equal(o.status, status, `${what}: ${JSON.stringify(o)}`);
    assert.ok(o.code, `${what}: no S3 <Code> in the answer`);
  }

  async function cases(table: [string, () => Promise<Outcome>, (o: Outcome, what: string) => void][]): Promise<void> {
    for (const [what, run, check] of table) {
      const seen = await one().gateway.upstreamRequests('versity');
      check(await run(), what);
      assert.equal(await one().gateway.upstreamRequests('versity'), seen, `${what}: the backend saw it`);
      const ok = await send(one().gateway.endpoint, await signedRequest(one().gateway.endpoint, ALICE, 'GET', '/releases?list-type=2'));
      assert.equal(ok.status, 200, `after ${what}: the next good request failed: ${ok.body.slice(0, 200)}`);
    }
  }

  it('a good request written the same way is served (so the refusals below mean something)', async () => {
    const o = await exchange(`${await signedHead('GET', '/releases?list-type=2')}\r\nconnection: close\r\n\r\n`);
    assert.equal(o.status, 200, JSON.stringify(o));
  });

  it('framing: smuggling, truncated and oversized bodies, HTTP/1.0 without Host, absolute form, CONNECT', async () => {
    await cases([
      ['Content-Length and Transfer-Encoding both', async () =>
        exchange(`${await signedHead('PUT', '/releases/smuggle.txt', { 'content-length': '5' })}\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\nGET /releases/x HTTP/1.1\r\nhost: ${host()}\r\n\r\n`),
        (o, w) => assertRefused(o, 400, w, true)],
      ['two Content-Length headers that differ', async () =>
        exchange(`${await signedHead('PUT', '/releases/two-lengths.txt', { 'content-length': '5' })}\r\ncontent-length: 7\r\n\r\nhello12`),
        (o, w) => assertRefused(o, 400, w, true)],
      ['a chunked body cut off mid-chunk (unsigned PUT: refused before the body)', async () =>
        exchange(`PUT /releases/cut.txt HTTP/1.1\r\nhost: ${host()}\r\ntransfer-encoding: chunked\r\n\r\n10\r\nabc`),
        (o, w) => assertRefused(o, 403, w, true)],
      // Envoy accepts no HTTP/1.0 (426 Upgrade Required, then it closes).
      ['HTTP/1.0 without Host', async () => exchange('GET /releases HTTP/1.0\r\n\r\n'), (o, w) => assertRefused(o, 426, w, true)],
      ['absolute-form target naming another host', async () =>
        exchange(`GET http://169.254.169.254/latest/meta-data HTTP/1.1\r\nhost: ${host()}\r\nconnection: close\r\n\r\n`),
        (o, w) => assertRefused(o, 403, w, true)],
      ['CONNECT', async () => exchange(`CONNECT 127.0.0.1:22 HTTP/1.1\r\nhost: 127.0.0.1:22\r\n\r\n`), (o, w) => assertRefused(o, 403, w, true)],
      ['a request line that is not HTTP', async () => exchange('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n'), (o, w) => assertRefused(o, 400, w, true)],
    ]);
  });

  it('headers: CR/LF injection, a NUL, duplicated Authorization, Expect: 100-continue refused before the body', async () => {
    await cases([
      // Envoy reads a bare LF as a line end: the smuggled header is an unsigned x-amz-* one.
      ['a bare LF inside a header value (a second header smuggled)', async () =>
        exchange(`${await signedHead('GET', '/releases?list-type=2')}\r\nx-amz-meta-a: 1\nx-amz-meta-b: 2\r\nconnection: close\r\n\r\n`),
        (o, w) => { assertRefused(o, 403, w, true); if (o.code) assert.equal(o.code, 'AccessDenied', w); }],
      ['a NUL in a header value', async () =>
        exchange(`${await signedHead('GET', '/releases?list-type=2')}\r\nx-amz-meta-a: a\0b\r\nconnection: close\r\n\r\n`),
        (o, w) => assertRefused(o, 400, w, true)],
      ['two Authorization headers', async () => {
        const head = await signedHead('GET', '/releases?list-type=2');
        const auth = /\r\nauthorization: ([^\r]+)/.exec(head)![1]!;
        return exchange(`${head}\r\nauthorization: ${auth.replace(/Signature=\w+/, `Signature=${'0'.repeat(64)}`)}\r\nconnection: close\r\n\r\n`);
      }, (o, w) => assertRefused(o, 400, w)],
      ['Expect: 100-continue on an unsigned PUT: the refusal comes instead of 100 Continue', async () =>
        exchange(`PUT /releases/expect.txt HTTP/1.1\r\nhost: ${host()}\r\ncontent-length: 1048576\r\nexpect: 100-continue\r\n\r\n`),
        (o, w) => { assertRefused(o, 403, w); assert.equal(o.code, 'AccessDenied', w); assert.deepEqual(o.interim, [], `${w}: 100 Continue was sent`); }],
    ]);
  });

  it('paths: invalid UTF-8, overlong encodings, %00 and %2F and .. in bucket and key', async () => {
    const get = (path: string) => async () => exchange(`${await signedHead('GET', path)}\r\nconnection: close\r\n\r\n`);
    await cases([
      ['an overlong-encoded slash in a key (%C0%AF)', get('/releases/a%C0%AFb'), (o, w) => assertRefused(o, 400, w)],
      ['an invalid UTF-8 byte in a key (%FF)', get('/releases/a%FFb'), (o, w) => assertRefused(o, 400, w)],
      ['a raw byte over 0x7F in the path', async () => exchange(Buffer.concat([Buffer.from('GET /releases/a'), Buffer.from([0xff]), Buffer.from(`b HTTP/1.1\r\nhost: ${host()}\r\nconnection: close\r\n\r\n`)])), (o, w) => assertRefused(o, 400, w, true)],
      ['%00 in a key', get('/releases/a%00b'), (o, w) => assertRefused(o, 400, w)],
      ['%2F in a bucket name', get('/rel%2Feases/x'), (o, w) => assertRefused(o, 400, w)],
      ['%00 in a bucket name', get('/releases%00/x'), (o, w) => assertRefused(o, 400, w)],
      ['.. reaching another bucket', get('/releases/../secret/x'), (o, w) => assertRefused(o, 400, w)],
      ['%2e%2e reaching another bucket', get('/releases/%2e%2e/secret/x'), (o, w) => assertRefused(o, 400, w)],
    ]);
  });

  it('signatures: duplicated presign parameters, and a signature over one host replayed to another', async () => {
    await cases([
      ['a presigned URL with X-Amz-Signature twice', async () => {
        const path = await presignedPath(one().gateway.endpoint, ALICE, 'GET', '/releases/x', 300);
        return exchange(`GET ${path}&X-Amz-Signature=${'0'.repeat(64)} HTTP/1.1\r\nhost: ${host()}\r\nconnection: close\r\n\r\n`);
      }, (o, w) => assertRefused(o, 400, w)],
      ['a presigned URL with X-Amz-Credential twice', async () => {
        const path = await presignedPath(one().gateway.endpoint, ALICE, 'GET', '/releases/x', 300);
        return exchange(`GET ${path}&X-Amz-Credential=AKIAOTHER%2F20260101%2Fus-east-1%2Fs3%2Faws4_request HTTP/1.1\r\nhost: ${host()}\r\nconnection: close\r\n\r\n`);
      }, (o, w) => assertRefused(o, 400, w)],
      ['a request signed for another host, sent here', async () => {
        const head = await signedHead('GET', '/releases?list-type=2', {}, 'storage.example.com');
        return exchange(`${head.replace(/\r\nhost: [^\r]+/, `\r\nhost: ${host()}`)}\r\nconnection: close\r\n\r\n`);
      }, (o, w) => { assertRefused(o, 403, w); assert.equal(o.code, 'SignatureDoesNotMatch', w); }],
    ]);
  });
});
