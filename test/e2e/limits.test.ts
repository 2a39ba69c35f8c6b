// The limits a public endpoint needs (listen.limits), each driven past its bound against a real Envoy:
// too many or too large request headers are S3's 400, a client trickling its headers is cut off, an
// idle connection is closed, connections past the cap are refused — and the next good request works.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { useOneBucketGateway } from '../../testkit/one-bucket.ts';
import { USERS } from '../../testkit/world.ts';
import { errorCode, send, signedRequest } from '../../testkit/raw-request.ts';

const ALICE = USERS.alice;
const LIMITS = { max_connections: 6, max_request_headers_kb: 8, max_headers: 40, request_headers_timeout: 1, idle_timeout: 2 };

describe('listen.limits', () => {
  const one = useOneBucketGateway({ bucket: 'releases', listen: `limits: ${JSON.stringify(LIMITS)}` });

  const listing = async (extra: Record<string, string> = {}) => {
    const res = await send(one().gateway.endpoint, await signedRequest(one().gateway.endpoint, ALICE, 'GET', '/releases?list-type=2', { headers: extra }));
    return `${res.status} ${errorCode(res.body) ?? ''}`.trim();
  };

  /** A raw connection to the gateway, and a promise of the moment the gateway closes it (with what it sent). */
  function connect(): Promise<{ socket: net.Socket; closed: Promise<string> }> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(one().gateway.port, '127.0.0.1');
      let received = '';
      socket.on('data', (d) => { received += d.toString(); });
      const closed = new Promise<string>((done) => socket.once('close', () => done(received)));
      socket.once('connect', () => resolve({ socket, closed }));
      socket.once('error', reject);
    });
  }

  it('headers: more than max_headers or past max_request_headers_kb → 400 RequestHeaderSectionTooLarge; within both, served', async () => {
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-extra-${i}`, 'v']));
    assert.equal(await listing(many(20)), '200');
    assert.equal(await listing(many(45)), '400 RequestHeaderSectionTooLarge');
    assert.equal(await listing({ 'x-extra-big': 'a'.repeat(6 * 1024) }), '200');
    assert.equal(await listing({ 'x-extra-big': 'a'.repeat(9 * 1024) }), '400 RequestHeaderSectionTooLarge');
    assert.equal(await listing(), '200');
  });

  it('a client that trickles its headers is cut off after request_headers_timeout; one that stays idle after idle_timeout', async () => {
    const slow = await connect();
    const started = Date.now();
    slow.socket.write('GET /releases HTTP/1.1\r\nHost: 127.0.0.1\r\nx-one: 1\r\n');
    const answer = await slow.closed;
    const took = Date.now() - started;
    assert.ok(took >= 900 && took < 5_000, `closed after ${took} ms`);
    // Whatever Envoy wrote before closing is S3's error, not a half request passed on.
    if (answer !== '') assert.match(answer, /^HTTP\/1\.1 400[\s\S]*<Code>RequestTimeout<\/Code>/);

    const idle = await connect();
    const opened = Date.now();
    const idleFor = await idle.closed.then(() => Date.now() - opened);
    assert.ok(idleFor >= 1_900 && idleFor < 6_000, `idle connection closed after ${idleFor} ms`);
    assert.equal(await listing(), '200');
  });

  it('connections past max_connections are refused at accept; once some close, requests are served again', async () => {
    // One after another, each given time to be accepted: Envoy counts a connection once a worker took it.
    const held = [];
    for (let i = 0; i < LIMITS.max_connections; i++) {
      held.push(await connect());
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(held.every((c) => c.socket.readyState === 'open'), 'a connection within the limit was closed');
    const extra = await connect();
    const refused = await Promise.race([extra.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1_500))]);
    assert.equal(refused, true, 'the connection past the limit stayed open');
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await listing(), '200');
  });
});
