// The tools the client suites rely on for their findings, tested on requests whose bytes we know: the
// request parser (bodies split anywhere, chunked with HTTP trailers, aws-chunked trailers), the recorder
// as a TLS relay (client verifies the test CA, SNI reaches the server), the CONNECT proxy, and the
// Python resolver hook. No gateway here: this file runs in about a second.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { toolsDir } from '../../testkit/backends.ts';
import { trackTempDir } from '../../testkit/process.ts';
import { makeTestTls, type TestTls } from '../../testkit/tls.ts';
import { PYTHON_HOOKS } from './clients/python-env.ts';
import { mustRun } from './clients/cli.ts';
import { startConnectProxy } from './clients/connect-proxy.ts';
import { clientEnv } from './clients/env.ts';
import { lookupFor, RESOLVE_ENV, RESOLVE_LOG_ENV, resolveSpec } from './clients/node-lookup.ts';
import { KIND, operationOf, payloadKind, uploadKinds, putObject } from './clients/payload-kinds.ts';
import { startRecorder } from './clients/recorder.ts';
import { RequestParser, type RecordedRequest } from './clients/request-parser.ts';

const DOMAIN = 's3.example.test';

/** Feeds `wire` to a parser in pieces of `step` bytes. */
function parse(wire: string, step: number): RecordedRequest[] {
  const out: RecordedRequest[] = [];
  const p = new RequestParser((r) => out.push(r));
  const bytes = Buffer.from(wire, 'latin1');
  for (let i = 0; i < bytes.length; i += step) p.push(bytes.subarray(i, i + step));
  return out;
}

const head = (lines: string[]): string => `${lines.join('\r\n')}\r\n\r\n`;
const sha = 'a'.repeat(64);

describe('request parser and payload kinds', () => {
  // minio-go's signed trailer, as captured: the checksum line ends "\n\r\n".
  const signed = '3;chunk-signature=s1\r\nabc\r\n0;chunk-signature=s2\r\nx-amz-checksum-crc32c:YXFUyQ==\n\r\nx-amz-trailer-signature:s3\r\n\r\n';
  const wire =
    head(['PUT /media/k1 HTTP/1.1', 'Host: 127.0.0.1:9', `x-amz-content-sha256: ${sha}`, 'Content-Length: 5']) + 'hello' +
    head(['PUT /media/k2?partNumber=1&uploadId=u HTTP/1.1', 'Host: 127.0.0.1:9', 'x-amz-content-sha256: UNSIGNED-PAYLOAD',
      'Transfer-Encoding: chunked', 'Trailer: x-amz-checksum-crc32']) + '3\r\nabc\r\n0\r\nx-amz-checksum-crc32: AAAAAA==\r\n\r\n' +
    head(['PUT /k3 HTTP/1.1', `Host: media.${DOMAIN}:9`, 'x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length: 3', 'x-amz-trailer: x-amz-checksum-crc32c', `Content-Length: ${signed.length}`]) + signed +
    head(['GET /media?list-type=2&prefix=a HTTP/1.1', 'Host: 127.0.0.1:9']);

  for (const step of [1, 7, 100_000]) {
    it(`reads four requests fed ${step} byte(s) at a time`, () => {
      const reqs = parse(wire, step);
      assert.deepEqual(reqs.map((r) => [r.method, r.target, r.framing, r.bodyBytes]), [
        ['PUT', '/media/k1', 'length', 5],
        ['PUT', '/media/k2?partNumber=1&uploadId=u', 'chunked', 3],
        ['PUT', '/k3', 'length', signed.length],
        ['GET', '/media?list-type=2&prefix=a', 'none', 0],
      ]);
      assert.deepEqual(reqs[1]!.trailers, [['x-amz-checksum-crc32', 'AAAAAA==']]);
      assert.deepEqual(reqs.map((r) => operationOf(r, DOMAIN)), ['PutObject', 'UploadPart', 'PutObject', 'ListObjectsV2']);
      assert.equal(payloadKind(reqs[0]!), KIND.hex);
      assert.equal(payloadKind(reqs[2]!), KIND.signedChunksTrailer('crc32c'));
      assert.deepEqual(uploadKinds(reqs, DOMAIN), [putObject(KIND.hex), putObject(KIND.signedChunksTrailer('crc32c')), 'UploadPart: UNSIGNED-PAYLOAD · Transfer-Encoding: chunked'].sort());
    });
  }

  it('a declared trailer that never comes is reported as such', () => {
    const [req] = parse(head(['PUT /b/k HTTP/1.1', 'Host: h', 'x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-trailer: x-amz-checksum-sha256', 'Content-Length: 10']) + '5\r\nabcde\r\n', 1000);
    assert.match(payloadKind(req!), /trailer x-amz-checksum-sha256 \(declared, not sent\)/);
  });

  it('reduces an absolute-form request line (client using us as its HTTP proxy) to origin form, keeping the authority', () => {
    const [a, b] = parse(head(['GET http://media.s3.example.test:8080/k%20x?range HTTP/1.1', 'Host: media.s3.example.test:8080'])
      + head(['GET http://s3.example.test:8080 HTTP/1.1', 'Host: s3.example.test:8080']), 7);
    assert.equal(a!.target, '/k%20x?range');
    assert.equal(a!.absoluteAuthority, 'media.s3.example.test:8080');
    assert.equal(b!.target, '/');
    assert.equal(b!.absoluteAuthority, 's3.example.test:8080');
  });

  it('refuses bytes that are not HTTP/1.1', () => {
    assert.throws(() => parse('\u0016\u0003\u0001'.padEnd(70_000, 'z'), 70_000), /not HTTP\/1\.1/);
  });
});

describe('recorder (TLS relay), CONNECT proxy, resolver hooks', () => {
  let material: TestTls;
  let server: https.Server;
  let port = 0;
  const seen: Array<{ sni: string | false | null; host: string | undefined }> = [];
  let tmp: { remove(): void };
  before(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-capture-'));
    tmp = trackTempDir(dir);
    material = await makeTestTls(dir, ['IP:127.0.0.1', `DNS:${DOMAIN}`, `DNS:*.${DOMAIN}`]);
    server = https.createServer({ cert: readFileSync(material.certFile), key: readFileSync(material.keyFile) }, (req, res) => {
      seen.push({ sni: (req.socket as tls.TLSSocket).servername, host: req.headers.host });
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as net.AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    tmp.remove();
  });

  it('relays TLS: the client verifies the test CA, the server gets the SNI and the request, the recorder the headers', async () => {
    const rec = await startRecorder({ upstreamPort: port, tls: material });
    try {
      const body = await new Promise<string>((resolve, reject) => {
        https.request(`https://media.${DOMAIN}:${rec.port}/key?x=1`, {
          method: 'PUT', ca: readFileSync(material.caFile), lookup: lookupFor(DOMAIN), headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        }, (res) => { let b = ''; res.on('data', (d) => { b += d; }); res.on('end', () => resolve(b)); }).on('error', reject).end('12345');
      });
      assert.equal(body, 'ok');
      assert.deepEqual(seen.at(-1), { sni: `media.${DOMAIN}`, host: `media.${DOMAIN}:${rec.port}` });
      const [req] = rec.requests();
      assert.equal(req?.target, '/key?x=1');
      assert.equal(req?.bodyBytes, 5);
      assert.deepEqual(rec.errors(), []);
    } finally {
      await rec.stop();
    }
  });

  it('a client without the test CA refuses the relay (verification is real), and the relay counts it', async () => {
    const rec = await startRecorder({ upstreamPort: port, tls: material });
    try {
      await assert.rejects(new Promise((resolve, reject) => {
        https.get(`https://127.0.0.1:${rec.port}/`, resolve).on('error', reject);
      }), /self[- ]signed|unable to (get|verify)/i);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(rec.refusedHandshakes(), 1);
      assert.deepEqual(rec.requests(), []);
    } finally {
      await rec.stop();
    }
  });

  it('the CONNECT proxy tunnels names under the domain to 127.0.0.1 and refuses others', async () => {
    const proxy = await startConnectProxy(DOMAIN);
    const connect = (target: string): Promise<string> => new Promise((resolve, reject) => {
      const s = net.connect(Number(new URL(proxy.url).port), '127.0.0.1', () => s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
      s.once('data', (d) => { resolve(d.toString('latin1').split('\r\n')[0]!); s.destroy(); });
      s.once('error', reject);
    });
    try {
      assert.match(await connect(`media.${DOMAIN}:${port}`), / 200 /);
      assert.match(await connect(`example.com:443`), / 403 /);
      assert.deepEqual(proxy.tunnels(), [`media.${DOMAIN}:${port}`]);
    } finally {
      await proxy.stop();
    }
  });

  it('the Python hook resolves the domain (and logs it) and leaves other names alone', async () => {
    const log = path.join(os.tmpdir(), `bg-resolve-${process.pid}.log`);
    const script = [
      'import socket',
      'print(socket.getaddrinfo("media.s3.example.test", 1)[0][4][0])',
      'try:\n  socket.getaddrinfo("s3.example.test.invalid", 1)\n  print("resolved")\nexcept socket.gaierror:\n  print("not resolved")',
    ].join('\n');
    const res = await mustRun(path.join(toolsDir, 'venv', 'bin', 'python'), ['-c', script], {
      env: clientEnv({ PYTHONPATH: PYTHON_HOOKS, [RESOLVE_ENV]: resolveSpec(DOMAIN), [RESOLVE_LOG_ENV]: log }),
    });
    assert.deepEqual(res.stdout.trim().split('\n'), ['127.0.0.1', 'not resolved']);
    assert.equal(readFileSync(log, 'utf8'), `media.${DOMAIN}\n`);
    trackTempDir(log).remove();
  });
});
