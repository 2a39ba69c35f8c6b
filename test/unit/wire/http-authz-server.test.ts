// wire/http-authz-server.ts against a real HTTP/1.1 client on a Unix socket, as Envoy's ext_authz
// http_service calls it: the check in (method, target, raw headers), the answer out; a throwing
// handler is a bodiless 500 (Envoy makes that its own 503); close() ends kept-alive connections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createHttpAuthzServer, type HttpAuthzAnswer, type HttpAuthzCheck } from '../../../wire/http-authz-server.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bucketgate-http-authz-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

function request(socket: string, method: string, target: string, headers: Record<string, string>, agent?: http.Agent) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ socketPath: socket, method, path: target, headers, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the check as sent, the answer as given: status, headers, body, content-length', { timeout: 10_000 }, async () => {
  const seen: HttpAuthzCheck[] = [];
  const server = createHttpAuthzServer((check): HttpAuthzAnswer => {
    seen.push(check);
    return check.url.startsWith('/ok')
      ? { status: 200, headers: { 'x-bucketgate-path': '/real/k%20y' }, body: '' }
      : { status: 403, headers: { 'content-type': 'application/xml' }, body: '<Error><Code>AccessDenied</Code></Error>' };
  });
  const socket = path.join(dir, 'a.sock');
  await server.listen({ socket });
  try {
    const ok = await request(socket, 'PUT', '/ok/k%20y?x-id=PutObject', { 'X-Amz-Date': '20240506T070809Z', 'content-length': '0' });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-bucketgate-path'], '/real/k%20y');
    assert.equal(ok.headers['content-length'], '0');
    assert.equal(seen[0]!.method, 'PUT');
    assert.equal(seen[0]!.url, '/ok/k%20y?x-id=PutObject', 'the target exactly as received');
    assert.ok(seen[0]!.rawHeaders.includes('X-Amz-Date'), 'raw header names, case kept for the decision to fold');
    const denied = await request(socket, 'GET', '/no', {});
    assert.equal(denied.status, 403);
    assert.equal(denied.body, '<Error><Code>AccessDenied</Code></Error>');
    assert.equal(Number(denied.headers['content-length']), denied.body.length);
  } finally {
    await server.close();
  }
});

test('a throwing handler answers a bodiless 500 and the server goes on', { timeout: 10_000 }, async () => {
  let calls = 0;
  const server = createHttpAuthzServer(() => {
    if (calls++ === 0) throw new Error('boom');
    return { status: 200, headers: {}, body: '' };
  });
  const socket = path.join(dir, 'b.sock');
  await server.listen({ socket });
  const logged: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    const failed = await request(socket, 'GET', '/x', {});
    assert.equal(failed.status, 500);
    assert.equal(failed.body, '');
    assert.equal(logged.length, 1);
    assert.equal((await request(socket, 'GET', '/x', {})).status, 200);
  } finally {
    console.error = original;
    await server.close();
  }
});

test('close(): kept-alive connections are ended and the socket refuses new ones', { timeout: 10_000 }, async () => {
  const server = createHttpAuthzServer(() => ({ status: 200, headers: {}, body: '' }));
  const socket = path.join(dir, 'c.sock');
  await server.listen({ socket });
  const agent = new http.Agent({ keepAlive: true });
  try {
    assert.equal((await request(socket, 'GET', '/x', {}, agent)).status, 200);
    const started = Date.now();
    await server.close(100);
    assert.ok(Date.now() - started < 2000, 'an idle kept-alive connection does not hold close()');
    await assert.rejects(request(socket, 'GET', '/x', {}));
  } finally {
    agent.destroy();
  }
});
