// The http2 transport against a real peer: grpc-js's client with Envoy's protos, on a Unix socket.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { binding, type Observed } from './handlers.ts';
import {
  authzClient,
  bareClient,
  capturingStderr,
  check,
  checkRequest,
  closeAll,
  extProcClient,
  headersMessage,
  LIMIT,
  MiB,
  processAll,
  start,
} from './helpers.ts';

after(closeAll); // whatever a failed test left open

test('unary Check: sync and async handlers answer with the decoded request (keepCase, oneof names)', LIMIT, async () => {
  const server = await start('http2', binding());
  const client = authzClient(server.socket);
  try {
    const res = await check(client, checkRequest('/bucket/key?list-type=2'));
    assert.deepEqual(res.ok_response.headers, [{ header: { key: 'x-path', value: '/bucket/key?list-type=2' } }]);
    assert.equal(res.http_response, 'ok_response');
    assert.equal(res.status.code, 0);
    const asyncRes = await check(client, checkRequest('/async/1'));
    assert.equal(asyncRes.ok_response.headers[0].header.value, '/async/1');
    // Many calls at once on one connection (concurrent streams).
    const paths = Array.from({ length: 50 }, (_, i) => `/p/${i}`);
    const all = await Promise.all(paths.map((p) => check(client, checkRequest(p))));
    assert.deepEqual(all.map((r) => r.ok_response.headers[0].header.value), paths);
  } finally {
    client.close();
    await server.close();
  }
});

test('bidi Process: answers in order, onEnd then status OK', LIMIT, async () => {
  const observed: Observed = { messages: 0, ends: 0, cancels: 0 };
  const server = await start('http2', binding(observed));
  const client = extProcClient(server.socket);
  try {
    const paths = ['/a', '/b/c', '/d?e=f'];
    const { responses, status } = await processAll(client, paths.map(headersMessage));
    assert.equal(status.code, grpc.status.OK);
    assert.deepEqual(
      responses.map((r) => r.request_headers.response.header_mutation.set_headers[0].header.raw_value.toString()),
      paths,
    );
    assert.equal(responses[0].request_headers.response.status, 'CONTINUE'); // enums as strings
    assert.deepEqual(observed, { messages: 3, ends: 1, cancels: 0 });
  } finally {
    client.close();
    await server.close();
  }
});

test('8 MiB messages round-trip both ways', LIMIT, async () => {
  const server = await start('http2', binding());
  const client = extProcClient(server.socket);
  try {
    const body = Buffer.alloc(8 * MiB);
    for (let i = 0; i < body.length; i += 4096) body.writeUInt32BE(i, i);
    const { responses, status } = await processAll(client, [{ request_body: { body, end_of_stream: true } }, { request_body: { body } }]);
    assert.equal(status.code, grpc.status.OK);
    assert.equal(responses.length, 2);
    for (const r of responses) assert.ok(Buffer.compare(r.request_body.response.body_mutation.body, body) === 0);
  } finally {
    client.close();
    await server.close();
  }
});

test('a throwing or rejecting handler gives INTERNAL with its message, logged once; the server goes on', LIMIT, async () => {
  const observed: Observed = { messages: 0, ends: 0, cancels: 0 };
  const server = await start('http2', binding(observed));
  const authz = authzClient(server.socket);
  const extproc = extProcClient(server.socket);
  try {
    const { logged } = await capturingStderr(async () => {
      await assert.rejects(check(authz, checkRequest('/throw')), (e: any) => e.code === grpc.status.INTERNAL && e.details === 'boom: ü 100%');
      await assert.rejects(check(authz, checkRequest('/reject')), (e: any) => e.code === grpc.status.INTERNAL && e.details === 'rejected');
      const { status } = await processAll(extproc, [headersMessage('/ok'), headersMessage('/throw'), headersMessage('/never')]);
      assert.equal(status.code, grpc.status.INTERNAL);
      assert.equal(status.details, 'process boom');
    });
    assert.equal(logged.length, 3);
    assert.match(String(logged[0]![0]), /Check failed/);
    assert.match(String(logged[2]![0]), /Process failed/);
    assert.equal(observed.cancels, 1); // the failed stream is cancelled for its handler
    assert.equal(observed.messages, 2); // nothing delivered after the failure
    const res = await check(authz, checkRequest('/fine'));
    assert.equal(res.ok_response.headers[0].header.value, '/fine');
  } finally {
    authz.close();
    extproc.close();
    await server.close();
  }
});

test('unknown method → UNIMPLEMENTED', LIMIT, async () => {
  const server = await start('http2', binding());
  const client = bareClient(server.socket);
  try {
    const err = await new Promise<any>((resolve) =>
      client.makeUnaryRequest('/envoy.service.auth.v3.Authorization/Nope', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (e) => resolve(e)),
    );
    assert.equal(err?.code, grpc.status.UNIMPLEMENTED);
  } finally {
    client.close();
    await server.close();
  }
});

test('a response over maxSendBytes → RESOURCE_EXHAUSTED; a request over maxReceiveBytes → RESOURCE_EXHAUSTED', LIMIT, async () => {
  const server = await start('http2', binding(), { maxSendBytes: 1 * MiB, maxReceiveBytes: 1 * MiB });
  const authz = authzClient(server.socket);
  const extproc = extProcClient(server.socket);
  try {
    const fits = await check(authz, checkRequest(`/big?${MiB - 100}`));
    assert.equal(fits.denied_response.body.length, MiB - 100);
    await assert.rejects(check(authz, checkRequest(`/big?${MiB + 1}`)), (e: any) => e.code === grpc.status.RESOURCE_EXHAUSTED && /Sent message larger/.test(e.details));
    const { status } = await processAll(extproc, [{ request_body: { body: Buffer.alloc(MiB + 1) } }]);
    assert.equal(status.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(status.details, /Received message larger than max/);
    const after = await processAll(extproc, [headersMessage('/after')]);
    assert.equal(after.status.code, grpc.status.OK);
  } finally {
    authz.close();
    extproc.close();
    await server.close();
  }
});

test('a client deadline on a slow unary call ends it with DEADLINE_EXCEEDED', LIMIT, async () => {
  const server = await start('http2', binding());
  const client = authzClient(server.socket);
  try {
    const started = Date.now();
    await assert.rejects(check(client, checkRequest('/hang'), { deadline: Date.now() + 80 }), (e: any) => e.code === grpc.status.DEADLINE_EXCEEDED);
    assert.ok(Date.now() - started < 1000, 'did not wait for the handler');
  } finally {
    client.close();
    await server.close();
  }
});
