// The http2 transport against raw node:http2 client sessions: what grpc-js's client cannot send.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { binding, type Observed } from './handlers.ts';
import {
  activeTimers,
  CHECK,
  checkRequest,
  closeAll,
  decodeCheck,
  decodeProcess,
  encodeCheck,
  encodeProcess,
  frame,
  headersMessage,
  LIMIT,
  MiB,
  PROCESS,
  rawRequest,
  rawSession,
  sleep,
  splitFrames,
  start,
  until,
  WirePeer,
} from './helpers.ts';

const observedNew = (): Observed => ({ messages: 0, ends: 0, cancels: 0 });
after(closeAll); // whatever a failed test left open

// First in this file: it counts the process's active timers, which no earlier test's handler may hold.
test('peer RST_STREAM (without half-close, as Envoy resets) and a lost connection → onCancel, timers cleared', LIMIT, async () => {
  const observed = observedNew();
  const server = await start('http2', binding(observed));
  const peer = new WirePeer(server.socket);
  const other = new WirePeer(server.socket);
  try {
    const baseline = activeTimers();
    peer.open(1, PROCESS, frame(encodeProcess(headersMessage('/a'))), [['grpc-timeout', '1H']]);
    await until(() => observed.messages === 1, 2000, 'first message');
    assert.equal(activeTimers(), baseline + 1, 'the deadline timer runs');
    peer.reset(1);
    await until(() => observed.cancels === 1, 2000, 'onCancel after RST_STREAM');
    assert.equal(activeTimers(), baseline, 'deadline timer cleared');

    // RST_STREAM(NO_ERROR) mid-call is a cancel too (node:http2 ends the readable side first).
    peer.open(3, PROCESS, frame(encodeProcess(headersMessage('/b'))));
    await until(() => observed.messages === 2, 2000, 'second message');
    peer.reset(3, http2.constants.NGHTTP2_NO_ERROR);
    await until(() => observed.cancels === 2, 2000, 'onCancel after RST_STREAM(NO_ERROR)');

    // Connection lost with two calls open: both cancelled.
    other.open(1, PROCESS, frame(encodeProcess(headersMessage('/c'))), [['grpc-timeout', '1H']]);
    other.open(3, PROCESS, frame(encodeProcess(headersMessage('/d'))), [['grpc-timeout', '1H']]);
    await until(() => observed.messages === 4, 2000, 'two more messages');
    other.socket.destroy();
    await until(() => observed.cancels === 4, 2000, 'onCancel after connection loss');
    assert.equal(observed.ends, 0);
    assert.equal(activeTimers(), baseline, 'deadline timers cleared');

    // The server is fine: a normal call on a new connection.
    const session = rawSession(server.socket);
    try {
      const { stream, result } = rawRequest(session, CHECK);
      stream.end(frame(encodeCheck(checkRequest('/after'))));
      assert.equal((await result).trailers?.['grpc-status'], '0');
    } finally {
      session.destroy();
    }
  } finally {
    peer.socket.destroy();
    other.socket.destroy();
    await server.close();
  }
});

test('response: :status 200, content-type application/grpc, one message, trailers grpc-status 0', LIMIT, async () => {
  const server = await start('http2', binding());
  const session = rawSession(server.socket);
  try {
    const { stream, result } = rawRequest(session, CHECK);
    stream.end(frame(encodeCheck(checkRequest('/x'))));
    const r = await result;
    assert.equal(r.headers[':status'], 200);
    assert.equal(r.headers['content-type'], 'application/grpc');
    assert.equal(r.headers['grpc-status'], undefined);
    assert.equal(r.trailers?.['grpc-status'], '0');
    const [message, ...rest] = splitFrames(r.body);
    assert.equal(rest.length, 0);
    assert.equal(decodeCheck(message!).ok_response.headers[0].header.value, '/x');
  } finally {
    session.destroy();
    await server.close();
  }
});

test('a message split byte by byte across DATA frames, and two messages in one DATA frame', LIMIT, async () => {
  const observed = observedNew();
  const server = await start('http2', binding(observed));
  const session = rawSession(server.socket);
  try {
    const unary = rawRequest(session, CHECK);
    const bytes = frame(encodeCheck(checkRequest('/split/by/bytes')));
    for (let i = 0; i < bytes.length; i++) {
      unary.stream.write(bytes.subarray(i, i + 1));
      if (i % 7 === 0) await sleep(1); // separate DATA frames, not one coalesced write
    }
    unary.stream.end();
    const r1 = await unary.result;
    assert.equal(r1.trailers?.['grpc-status'], '0');
    assert.equal(decodeCheck(splitFrames(r1.body)[0]!).ok_response.headers[0].header.value, '/split/by/bytes');

    const bidi = rawRequest(session, PROCESS);
    const two = Buffer.concat([frame(encodeProcess(headersMessage('/one'))), frame(encodeProcess(headersMessage('/two')))]);
    // One write: two messages, the second split into the next write.
    bidi.stream.write(two.subarray(0, two.length - 3));
    await sleep(5);
    bidi.stream.end(two.subarray(two.length - 3));
    const r2 = await bidi.result;
    assert.equal(r2.trailers?.['grpc-status'], '0');
    const paths = splitFrames(r2.body).map((m) => decodeProcess(m).request_headers.response.header_mutation.set_headers[0].header.raw_value.toString());
    assert.deepEqual(paths, ['/one', '/two']);
    assert.equal(observed.ends, 1);
  } finally {
    session.destroy();
    await server.close();
  }
});

test('errors before any message are trailers-only: unknown method UNIMPLEMENTED, bad grpc-timeout, unary with 0 or 2 messages', LIMIT, async () => {
  const server = await start('http2', binding());
  const session = rawSession(server.socket);
  try {
    const cases: [string, Record<string, string>, Buffer, number, RegExp][] = [
      ['/envoy.service.auth.v3.Authorization/Nope', {}, Buffer.alloc(0), 12, /not implemented/],
      [CHECK, { 'grpc-timeout': '1.5S' }, frame(encodeCheck(checkRequest('/'))), 13, /invalid grpc-timeout/],
      [CHECK, { 'grpc-encoding': 'gzip' }, frame(encodeCheck(checkRequest('/'))), 12, /grpc-encoding gzip/],
      [CHECK, {}, Buffer.alloc(0), 13, /0 request messages/],
      [CHECK, {}, Buffer.concat([frame(encodeCheck(checkRequest('/'))), frame(encodeCheck(checkRequest('/')))]), 13, /2 request messages/],
      [CHECK, {}, frame(encodeCheck(checkRequest('/'))).subarray(0, 8), 13, /ended inside a message/],
      [CHECK, {}, frame(Buffer.from([0xff, 0xff, 0xff])), 13, /could not parse request/],
    ];
    for (const [path, headers, body, code, message] of cases) {
      const { stream, result } = rawRequest(session, path, headers);
      stream.end(body);
      const r = await result;
      assert.equal(r.headers[':status'], 200, path);
      assert.equal(r.headers['content-type'], 'application/grpc');
      assert.equal(r.headers['grpc-status'], String(code), `${path} ${JSON.stringify(headers)}`);
      assert.match(r.message ?? '', message);
      assert.equal(r.trailers, undefined, 'trailers-only');
      assert.equal(r.body.length, 0);
    }
  } finally {
    session.destroy();
    await server.close();
  }
});

test('a message with the compressed flag set → INTERNAL with a message (no grpc-encoding was negotiated)', LIMIT, async () => {
  const server = await start('http2', binding());
  const session = rawSession(server.socket);
  try {
    const { stream, result } = rawRequest(session, CHECK);
    stream.end(frame(encodeCheck(checkRequest('/')), true));
    const r = await result;
    assert.equal(r.status, 13);
    assert.match(r.message ?? '', /compressed message received/);
  } finally {
    session.destroy();
    await server.close();
  }
});

test('a message over maxReceiveBytes → RESOURCE_EXHAUSTED at its prefix, stream reset, other calls go on', LIMIT, async () => {
  const server = await start('http2', binding(), { maxReceiveBytes: MiB });
  const session = rawSession(server.socket);
  try {
    const slowCall = rawRequest(session, CHECK);
    slowCall.stream.end(frame(encodeCheck(checkRequest('/slow'))));
    const big = rawRequest(session, PROCESS);
    // Announce 64 MiB, send only the first 100 KiB: the answer must not wait for the rest.
    const prefix = Buffer.from([0, 0, 0, 0, 0]);
    prefix.writeUInt32BE(64 * MiB, 1);
    big.stream.write(Buffer.concat([prefix, Buffer.alloc(100 * 1024)]));
    const r = await big.result;
    assert.equal(r.status, 8);
    assert.match(r.message ?? '', /Received message larger than max \(67108864 vs\. 1048576\)/);
    assert.equal(r.rstCode, http2.constants.NGHTTP2_NO_ERROR); // told to stop sending
    // The same session keeps serving: the call in flight and a new one.
    const ok = rawRequest(session, CHECK);
    ok.stream.end(frame(encodeCheck(checkRequest('/after'))));
    assert.equal((await ok.result).trailers?.['grpc-status'], '0');
    assert.equal((await slowCall.result).trailers?.['grpc-status'], '0');
  } finally {
    session.destroy();
    await server.close();
  }
});

test('grpc-timeout: a unary handler still running → DEADLINE_EXCEEDED at the deadline; a bidi call gets onCancel', LIMIT, async () => {
  const observed = observedNew();
  const server = await start('http2', binding(observed));
  const session = rawSession(server.socket);
  try {
    const started = Date.now();
    const unary = rawRequest(session, CHECK, { 'grpc-timeout': '60000u' });
    unary.stream.end(frame(encodeCheck(checkRequest('/hang'))));
    const r = await unary.result;
    const elapsed = Date.now() - started;
    assert.equal(r.status, 4);
    assert.ok(elapsed >= 55 && elapsed < 1000, `answered after ${elapsed} ms, not when the handler was done`);

    const bidi = rawRequest(session, PROCESS, { 'grpc-timeout': '50m' });
    bidi.stream.write(frame(encodeProcess(headersMessage('/a'))));
    const rb = await bidi.result;
    assert.equal(rb.status, 4);
    assert.equal(splitFrames(rb.body).length, 1); // the answer written before the deadline arrived first
    assert.deepEqual(observed, { messages: 1, ends: 0, cancels: 1 });

    // A deadline not reached changes nothing.
    const fast = rawRequest(session, CHECK, { 'grpc-timeout': '10S' });
    fast.stream.end(frame(encodeCheck(checkRequest('/fast'))));
    assert.equal((await fast.result).trailers?.['grpc-status'], '0');
  } finally {
    session.destroy();
    await server.close();
  }
});

test('garbage instead of an HTTP/2 preface ends that connection only', LIMIT, async () => {
  const server = await start('http2', binding());
  try {
    const socket = net.connect(server.socket);
    socket.on('error', () => {});
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    socket.end('GET / HTTP/1.1\r\nHost: x\r\n\r\n' + 'garbage'.repeat(100));
    await new Promise((r) => socket.on('close', r));
    const bytes = Buffer.concat(received);
    assert.equal(bytes[3], 0x4, 'SETTINGS first');
    assert.equal(bytes[9 + 3], 0x7, 'then GOAWAY');
    assert.notEqual(bytes.readUInt32BE(9 + 9 + 4), http2.constants.NGHTTP2_NO_ERROR, 'GOAWAY with an error code');
    const session = rawSession(server.socket);
    try {
      const { stream, result } = rawRequest(session, CHECK);
      stream.end(frame(encodeCheck(checkRequest('/still'))));
      assert.equal((await result).trailers?.['grpc-status'], '0');
    } finally {
      session.destroy();
    }
  } finally {
    await server.close();
  }
});

test('backpressure: a client that stops reading stops the server reading; every answer arrives, in order, when it reads again', LIMIT, async () => {
  const observed = observedNew();
  const server = await start('http2', binding(observed));
  const session = rawSession(server.socket);
  try {
    const count = 48;
    const size = 256 * 1024; // 12 MiB in all, each answer as large as its request
    const { stream, result } = rawRequest(session, PROCESS);
    stream.pause(); // the client reads nothing for now
    for (let i = 0; i < count; i++) stream.write(frame(encodeProcess({ request_body: { body: Buffer.alloc(size, i) } })));
    stream.end();
    await sleep(300);
    const readWhilePaused = observed.messages;
    assert.ok(readWhilePaused >= 1 && readWhilePaused < count / 2, `server read ${readWhilePaused} of ${count} messages while the client did not read`);
    stream.resume();
    const r = await result;
    assert.equal(r.trailers?.['grpc-status'], '0');
    const bodies = splitFrames(r.body).map((m) => decodeProcess(m).request_body.response.body_mutation.body as Buffer);
    assert.equal(bodies.length, count);
    bodies.forEach((b, i) => assert.ok(b.length === size && b[0] === i && b[size - 1] === i, `answer ${i}`));
  } finally {
    session.destroy();
    await server.close();
  }
});

test('close(graceMs): GOAWAY, calls in flight finish, new streams refused, what remains is cancelled after graceMs', LIMIT, async () => {
  const observed = observedNew();
  const server = await start('http2', binding(observed));
  const session = rawSession(server.socket);
  const peer = new WirePeer(server.socket); // a peer that ignores GOAWAY
  try {
    await peer.ready;
    let goaway = false;
    session.on('goaway', () => (goaway = true));
    const slow = rawRequest(session, CHECK);
    slow.stream.end(frame(encodeCheck(checkRequest('/slow'))));
    const hanging = rawRequest(session, PROCESS);
    hanging.stream.write(frame(encodeProcess(headersMessage('/h'))));
    await until(() => observed.messages === 1, 2000, 'bidi message');

    const started = Date.now();
    const closed = server.close(600);
    await until(() => goaway, 2000, 'GOAWAY');
    assert.throws(() => session.request({ ':path': CHECK }), /GOAWAY/);
    peer.open(1, PROCESS, frame(encodeProcess(headersMessage('/late'))));
    const slowResult = await slow.result; // a 300 ms handler, within the grace
    assert.equal(slowResult.trailers?.['grpc-status'], '0');
    assert.equal(observed.messages, 1, 'no new call after GOAWAY');
    assert.equal(observed.cancels, 0);
    await closed;
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 550 && elapsed < 1500, `closed after ${elapsed} ms`);
    assert.equal(observed.cancels, 1, 'the hanging bidi call is cancelled');
    const h = await hanging.result;
    assert.equal(h.trailers, undefined);
    assert.notEqual(h.rstCode, undefined);
  } finally {
    session.destroy();
    peer.socket.destroy();
    await server.close();
  }
});

test('close() without calls in flight resolves at once; a closed transport accepts no connection', LIMIT, async () => {
  const server = await start('http2', binding());
  const session = rawSession(server.socket);
  try {
    const { stream, result } = rawRequest(session, CHECK);
    stream.end(frame(encodeCheck(checkRequest('/x'))));
    await result;
    const started = Date.now();
    await server.close(5000);
    assert.ok(Date.now() - started < 1000);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(server.socket);
      socket.on('error', () => resolve(true));
      socket.on('connect', () => {
        socket.destroy();
        resolve(false);
      });
    });
    assert.equal(refused, true);
  } finally {
    session.destroy();
    await server.close();
  }
});
