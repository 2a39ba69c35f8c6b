import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import test from 'node:test';
import { backendProbe, readinessAnswer } from '../../../launcher/readiness.ts';
import { makeTestTls } from '../../../testkit/tls.ts';
import { backend } from '../fixtures/unit-helpers/gateway.ts';

test('ready only when every backend is reachable; the body names each state', () => {
  assert.deepEqual(readinessAnswer({ a: 'reachable', b: 'reachable' }), { status: 200, body: '{"status":"ready","backends":{"a":"reachable","b":"reachable"}}\n' });
  const down = readinessAnswer({ a: 'reachable', b: 'unreachable: ECONNREFUSED' });
  assert.equal(down.status, 503);
  assert.deepEqual(JSON.parse(down.body), { status: 'not ready', backends: { a: 'reachable', b: 'unreachable: ECONNREFUSED' } });
});

test('the probe asks each backend over HTTP (any answer will do, a closed connection will not), and shares one result for two seconds', async () => {
  const server = http.createServer((_, res) => res.writeHead(403).end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const up = (server.address() as net.AddressInfo).port;
  let accepted = 0;
  server.on('connection', () => accepted++);
  const closed = await new Promise<number>((r) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => r(p)); }); });
  const silent = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  let clock = 0;
  const probe = backendProbe([backend('up', up), backend('down', closed), backend('hangs-up', (silent.address() as net.AddressInfo).port)], () => clock);
  try {
    assert.deepEqual(await probe(), { up: 'reachable', down: 'unreachable: ECONNREFUSED', 'hangs-up': 'unreachable: ECONNRESET' });
    await Promise.all([probe(), probe(), probe()]);
    assert.equal(accepted, 1, 'asked again within the TTL: no new connection');
    clock = 2000;
    await probe();
    assert.equal(accepted, 2, 'after the TTL: probed again');
  } finally {
    server.close();
    silent.close();
  }
});

test('an https backend is reachable when it answers, whatever its certificate names (the probe carries no credentials)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-ready-tls-'));
  const tls = await makeTestTls(dir, ['DNS:storage.example.test']);
  const server = https.createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, (_, res) => res.writeHead(403).end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const b = { ...backend('tls', (server.address() as net.AddressInfo).port), endpoint: { scheme: 'https' as const, host: '127.0.0.1', port: (server.address() as net.AddressInfo).port } };
    assert.deepEqual(await backendProbe([b])(), { tls: 'reachable' });
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
