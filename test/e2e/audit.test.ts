// The audit log through the real gateway (issue 17): `audit: { sink: file }` with two services workers
// writes one JSON line per decision, whose requestId is the x-amz-request-id the client got; after
// logrotate's move and a SIGHUP to the launcher, the next decisions go to a new file at the path, the
// moved file keeps the old lines, and the gateway (Envoy and its workers) goes on as it was. A POST
// form has one line, ext_proc's. A second gateway on the same backend writes to its stdout.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createBucketDirect, directClient, startVersitygw, type Backend } from '../../testkit/backends.ts';
import { assertCanary } from '../../testkit/canary.ts';
import { startGateway, type RunningGateway } from '../../testkit/gateway.ts';
import { descendants } from '../../testkit/pids.ts';
import { dumpLogsOnFailure, waitUntil } from '../../testkit/process.ts';
import { postForm } from '../../testkit/post-form.ts';
import { send, signedRequest, type RawResponse } from '../../testkit/raw-request.ts';

const ALICE = { accessKeyId: 'AKIAALICE0000000001', secretAccessKey: 'alice-secret-one-0123456789' };

function configYaml(versity: Backend, ports: { port: number; adminPort: number }, audit = '{ sink: file, path: audit.jsonl }', workers = 2): string {
  return `
listen: { address: 127.0.0.1, port: ${ports.port} }
backends:
  - { name: versity, type: s3, endpoint: ${versity.endpoint}, credentials: { access_key_id: ${versity.accessKey}, secret_access_key: ${versity.secretKey} } }
buckets:
  logs: { backend: versity }
  private: { backend: versity }
users:
  - { name: alice, buckets: [logs], access_keys: [ { access_key_id: ${ALICE.accessKeyId}, secret_access_key: ${ALICE.secretAccessKey} } ] }
audit: ${audit}
envoy: { admin_port: ${ports.adminPort} }
services: { workers: ${workers} }
`;
}

const records = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the audit log', () => {
  let versity: Backend;
  let gateway: RunningGateway;
  let file: string;
  /** The same backend behind a gateway whose sink is stdout, with one worker. */
  let onStdout: RunningGateway;

  before(async () => {
    versity = await startVersitygw({ accessKey: 'VERSITYROOTKEY', secretKey: 'versity-root-secret-0123456789' });
    // The canary first: the backend must reject a wrong secret, or nothing below proves anything.
    await assertCanary(versity);
    await createBucketDirect(versity, 'logs');
    const direct = directClient(versity);
    await direct.send(new PutObjectCommand({ Bucket: 'logs', Key: 'a.txt', Body: 'a' }));
    direct.destroy();
    gateway = await startGateway((p) => configYaml(versity, p));
    file = path.join(path.dirname(gateway.configFile), 'audit.jsonl');
    onStdout = await startGateway((p) => configYaml(versity, p, '{ sink: stdout }', 1));
  }, { timeout: 120_000 });
  after(async () => {
    await onStdout?.stop();
    await gateway?.stop();
    await versity?.stop();
  });
  dumpLogsOnFailure(() => [...[gateway, onStdout].filter(Boolean).map((g) => g.proc), ...(versity ? [{ name: 'versitygw', logs: versity.logs }] : [])]);

  /** A signed GET; the x-amz-request-id the client was given. */
  async function get(rawPath: string, status: number): Promise<string> {
    const res = await send(gateway.endpoint, await signedRequest(gateway.endpoint, ALICE, 'GET', rawPath));
    assert.equal(res.status, status, res.body);
    const id = res.headers['x-amz-request-id'];
    assert.ok(typeof id === 'string' && id !== '', 'no x-amz-request-id');
    return id;
  }

  const lineOf = (f: string, requestId: string) => records(f).filter((r) => r.requestId === requestId).at(0);
  const linesOf = (f: string, requestId: string) => records(f).filter((r) => r.requestId === requestId);

  /** A browser form upload; the x-amz-request-id the client was given. */
  async function post(bucket: string, key: string, status: number): Promise<string> {
    const { body, contentType } = postForm({ creds: ALICE, bucket, key, file: Buffer.from('form') });
    const res: RawResponse = await send(gateway.endpoint, { method: 'POST', path: `/${bucket}`, headers: { 'content-type': contentType, 'content-length': String(body.length) }, body });
    assert.equal(res.status, status, res.body);
    return res.headers['x-amz-request-id'] as string;
  }

  it('a POST form has one line, written when its credentials are read from the body', async () => {
    const allowed = await post('logs', 'forms/a.bin', 204);
    const denied = await post('private', 'forms/b.bin', 403);
    await waitUntil('the forms\' lines', async () => existsSync(file) && !!lineOf(file, allowed) && !!lineOf(file, denied), { proc: gateway.proc, timeoutMs: 5000 });
    const pick = (r: Record<string, unknown>) => [r.principal, r.authMethod, r.keyId, r.operation, r.bucket, r.key, r.decision, r.status, r.error];
    assert.deepEqual(linesOf(file, allowed).map(pick), [['alice', 'post-form', ALICE.accessKeyId, 'PostObject', 'logs', 'forms/a.bin', 'allow', null, null]]);
    assert.deepEqual(linesOf(file, denied).map(pick), [['alice', 'post-form', ALICE.accessKeyId, 'PostObject', 'private', 'forms/b.bin', 'deny', 403, 'AccessDenied']]);
  });


  it('one line per decision, under the id the client got; SIGHUP after a move starts a new file', async () => {
    const allowed = await get('/logs/a.txt', 200);
    const denied = await get('/other/a.txt', 403);
    await waitUntil('both lines in the audit file', async () => existsSync(file) && !!lineOf(file, allowed) && !!lineOf(file, denied), { proc: gateway.proc, timeoutMs: 5000 });
    assert.deepEqual(
      { ...lineOf(file, allowed), time: undefined },
      { time: undefined, requestId: allowed, principal: 'alice', authMethod: 'sigv4', keyId: ALICE.accessKeyId, sourceIp: '127.0.0.1', operation: 'GetObject', bucket: 'logs', key: 'a.txt', decision: 'allow', rule: '(buckets of alice)[0]', status: null, error: null },
    );
    assert.deepEqual([lineOf(file, denied)!.decision, lineOf(file, denied)!.status, lineOf(file, denied)!.error], ['deny', 403, 'AccessDenied']);
    assert.ok(!readFileSync(file, 'utf8').includes(ALICE.secretAccessKey));

    // What logrotate does: move the file, then signal the launcher.
    const workers = descendants(gateway.proc.pid).filter((c) => /services-worker/.test(c.cmdline)).map((c) => c.pid).sort();
    assert.equal(workers.length, 2, 'two services workers');
    const rotated = `${file}.1`;
    renameSync(file, rotated);
    process.kill(gateway.proc.pid, 'SIGHUP');
    // Each worker reopens on its own; the file appears with the first, and a moment covers the second.
    await waitUntil('the audit file reopened at its path', async () => existsSync(file), { proc: gateway.proc, timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 300));
    const later = [await get('/logs/a.txt', 200), await get('/logs/a.txt', 200), await get('/logs/a.txt', 200)];
    await waitUntil('the new lines in the new file', async () => later.every((id) => !!lineOf(file, id)), { proc: gateway.proc, timeoutMs: 5000 });
    assert.deepEqual(records(rotated).filter((r) => later.includes(r.requestId as string)), [], 'a line went to the moved file');
    assert.ok(lineOf(rotated, allowed) && lineOf(rotated, denied), 'the moved file keeps its lines');
    // Nothing restarted: the same workers serve, under the same launcher.
    assert.equal(gateway.proc.exitStatus(), null);
    assert.deepEqual(descendants(gateway.proc.pid).filter((c) => /services-worker/.test(c.cmdline)).map((c) => c.pid).sort(), workers);
  });

  it('whole JSON lines on the launcher\'s stdout, unprefixed, beside its log', async () => {
    const res = await send(onStdout.endpoint, await signedRequest(onStdout.endpoint, ALICE, 'GET', '/private/x'));
    assert.equal(res.status, 403, res.body);
    const id = res.headers['x-amz-request-id'] as string;
    const line = () => onStdout.proc.logs().find((l) => l.startsWith('{') && l.includes(id));
    await waitUntil('the audit line on stdout', async () => line() !== undefined, { proc: onStdout.proc, timeoutMs: 5000 });
    const r = JSON.parse(line()!) as Record<string, unknown>;
    assert.deepEqual([r.requestId, r.principal, r.operation, r.bucket, r.decision, r.status, r.error], [id, 'alice', 'GetObject', 'private', 'deny', 403, 'AccessDenied']);
  });
});
