// The same handlers on both transports (node:http2 and grpc-js), driven by grpc-js's client:
// identical answers, statuses and cancellation behaviour.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { TransportName } from '../../../../wire/grpc/transport.ts';
import { binding, type Observed } from './handlers.ts';
import {
  authzClient,
  bareClient,
  capturingStderr,
  check,
  checkRequest,
  closeAll,
  encodeProcess,
  extProcClient,
  frame,
  headersMessage,
  LIMIT,
  MiB,
  PROCESS,
  processAll,
  start,
  until,
  WirePeer,
} from './helpers.ts';

const transports: TransportName[] = ['http2', 'grpc-js'];
const observedNew = (): Observed => ({ messages: 0, ends: 0, cancels: 0 });
after(closeAll); // whatever a failed test left open

const outcome = (p: Promise<any>): Promise<any> => p.then((value) => ({ value }), (e: any) => ({ code: e.code, details: e.details }));

async function scenario(name: TransportName) {
  const observed = observedNew();
  const server = await start(name, binding(observed), { maxReceiveBytes: MiB, maxSendBytes: MiB });
  const authz = authzClient(server.socket);
  const extproc = extProcClient(server.socket);
  const raw = bareClient(server.socket);
  try {
    const { value, logged } = await capturingStderr(async () => ({
      ok: await outcome(check(authz, checkRequest('/bucket/key?x=1'))),
      async: await outcome(check(authz, checkRequest('/async/z'))),
      throws: await outcome(check(authz, checkRequest('/throw'))),
      rejects: await outcome(check(authz, checkRequest('/reject'))),
      tooBigToSend: await outcome(check(authz, checkRequest(`/big?${MiB + 10}`))).then((o: any) => o.code),
      deadline: await outcome(check(authz, checkRequest('/hang'), { deadline: Date.now() + 50 })).then((o: any) => o.code),
      process: await processAll(extproc, [headersMessage('/a'), { request_body: { body: Buffer.from('payload'), end_of_stream: true } }, headersMessage('/b')]),
      processThrows: await processAll(extproc, [headersMessage('/a'), headersMessage('/throw')]).then((r) => ({ n: r.responses.length, code: r.status.code, details: r.status.details })),
      tooBigToReceive: await processAll(extproc, [{ request_body: { body: Buffer.alloc(MiB + 1) } }]).then((r) => r.status.code),
      unimplemented: await new Promise<any>((resolve) =>
        raw.makeUnaryRequest('/envoy.service.auth.v3.Authorization/Nope', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (e) => resolve(e?.code)),
      ),
    }));
    return { ...value, logged: logged.length, observed };
  } finally {
    authz.close();
    extproc.close();
    raw.close();
    await server.close();
  }
}

test('same handlers, same answers and statuses on http2 and grpc-js', LIMIT, async () => {
  const [h2, gj] = [await scenario('http2'), await scenario('grpc-js')];
  // Stripped of what each stack adds on its own (status metadata), the outcomes must be equal.
  const norm = (r: any) => ({ ...r, process: { responses: r.process.responses, code: r.process.status.code } });
  assert.deepEqual(norm(h2), norm(gj));
  // And they are what the handlers mean (not two equal failures).
  assert.equal(h2.ok.value.ok_response.headers[0].header.value, '/bucket/key?x=1');
  assert.equal(h2.async.value.ok_response.headers[0].header.value, '/async/z');
  assert.deepEqual(h2.throws, { code: grpc.status.INTERNAL, details: 'boom: ü 100%' });
  assert.deepEqual(h2.rejects, { code: grpc.status.INTERNAL, details: 'rejected' });
  assert.equal(h2.tooBigToSend, grpc.status.RESOURCE_EXHAUSTED);
  assert.equal(h2.deadline, grpc.status.DEADLINE_EXCEEDED);
  assert.equal(h2.process.status.code, grpc.status.OK);
  assert.equal(h2.process.responses.length, 3);
  assert.equal(h2.process.responses[1].request_body.response.body_mutation.body.toString(), 'payload');
  assert.deepEqual(h2.processThrows, { n: 1, code: grpc.status.INTERNAL, details: 'process boom' });
  assert.equal(h2.tooBigToReceive, grpc.status.RESOURCE_EXHAUSTED);
  assert.equal(h2.unimplemented, grpc.status.UNIMPLEMENTED);
  assert.equal(h2.logged, 3); // throw, reject, process boom: each logged once
});

for (const name of transports) {
  test(`${name}: a peer's RST_STREAM and a server close after the grace both reach onCancel; calls in flight finish`, LIMIT, async () => {
    const observed = observedNew();
    const server = await start(name, binding(observed));
    const authz = authzClient(server.socket);
    const extproc = extProcClient(server.socket);
    try {
      // A bare RST_STREAM, as Envoy resets a stream (node's own client half-closes before resetting).
      const peer = new WirePeer(server.socket);
      await peer.ready;
      peer.open(1, PROCESS, frame(encodeProcess(headersMessage('/c'))));
      await until(() => observed.messages === 1, 2000, 'first message');
      peer.reset(1);
      await until(() => observed.cancels === 1, 2000, 'onCancel after RST_STREAM');
      peer.socket.destroy();

      const hanging = extproc.Process();
      const hangingStatus = new Promise<grpc.StatusObject>((resolve) => hanging.on('status', resolve));
      hanging.on('error', () => {});
      hanging.write(headersMessage('/h'));
      await until(() => observed.messages === 2, 2000, 'second message');
      const slow = check(authz, checkRequest('/slow'));
      await new Promise((r) => setTimeout(r, 20));
      const started = Date.now();
      await server.close(500);
      const elapsed = Date.now() - started;
      assert.equal((await slow).ok_response.headers[0].header.value, '/slow', 'the call in flight finished');
      assert.ok(elapsed >= 450 && elapsed < 1500, `closed after ${elapsed} ms`);
      assert.equal(observed.cancels, 2, 'the hanging stream was cancelled');
      assert.notEqual((await hangingStatus).code, grpc.status.OK);
      assert.equal(observed.ends, 0);
    } finally {
      authz.close();
      extproc.close();
      await server.close(); // at once if the test got that far (close() is idempotent in the helpers)
    }
  });
}
