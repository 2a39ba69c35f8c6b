// `bucketgate services --tls-cert/--tls-key`: each transport serves gRPC over TLS on TCP; a client that
// trusts the CA is answered, one that trusts another CA or speaks cleartext is not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createTransport, type TransportName } from '../../../../wire/grpc/transport.ts';
import { makeTestTls, type TestTls } from '../../../../testkit/tls.ts';
import { freePort } from '../../../../testkit/ports.ts';
import { trackTempDir } from '../../../../testkit/process.ts';
import { binding } from './handlers.ts';
import { authzClient, check, checkRequest, MiB } from './helpers.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-grpc-tls-'));
const tmp = trackTempDir(dir);
let tls: TestTls;
let other: TestTls;
before(async () => {
  tls = await makeTestTls(dir, ['IP:127.0.0.1']);
  other = await makeTestTls(mkdtempSync(path.join(dir, 'other-')), ['IP:127.0.0.1']);
});
after(() => tmp.remove());

for (const name of ['http2', 'grpc-js', 'connect'] as TransportName[]) {
  test(`${name} over TLS: answered with the CA, refused with another CA or in cleartext`, async () => {
    const port = await freePort();
    const transport = createTransport(name, binding({ messages: 0, ends: 0, cancels: 0 }), {
      maxReceiveBytes: MiB, maxSendBytes: MiB, tls: { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
    });
    await transport.listen({ host: '127.0.0.1', port });
    try {
      const trusted = authzClient(`127.0.0.1:${port}`, grpc.credentials.createSsl(readFileSync(tls.caFile)));
      assert.ok(await check(trusted, checkRequest('/bucket/key')));
      const deadline = () => ({ deadline: Date.now() + 3000 });
      const wrongCa = authzClient(`127.0.0.1:${port}`, grpc.credentials.createSsl(readFileSync(other.caFile)));
      await assert.rejects(check(wrongCa, checkRequest('/bucket/key'), deadline()), (e: { code: number }) => e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.DEADLINE_EXCEEDED);
      const cleartext = authzClient(`127.0.0.1:${port}`);
      await assert.rejects(check(cleartext, checkRequest('/bucket/key'), deadline()), (e: { code: number }) => e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.DEADLINE_EXCEEDED || e.code === grpc.status.INTERNAL);
    } finally {
      await transport.close();
    }
  });
}
