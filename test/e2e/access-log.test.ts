// Envoy's JSON access log (issue 14): one line per request with who (ext_authz's decision, over HTTP and
// over gRPC), what, status, bytes, times and backend; never a signature, a query or a credential; to a
// file that logrotate can move (SIGHUP: Envoy reopens it) or to the gateway's stdout as bare JSON lines.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { directClient } from '../../testkit/backends.ts';
import { useOneBucketGateway } from '../../testkit/one-bucket.ts';
import { trackTempDir, waitUntil } from '../../testkit/process.ts';
import { send } from '../../testkit/raw-request.ts';
import { USERS } from '../../testkit/world.ts';

const ALICE = USERS.alice;
type Line = Record<string, unknown>;

const parseLines = (text: string): Line[] => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);

/** The traffic both suites send: a PUT and a GET by alice, a refused anonymous GET, a presigned GET. Their request ids. */
async function traffic(endpoint: string) {
  const s3 = directClient({ endpoint, accessKey: ALICE.accessKeyId, secretKey: ALICE.secretAccessKey });
  try {
    const body = Buffer.alloc(1000, 7);
    const put = await s3.send(new PutObjectCommand({ Bucket: 'logged', Key: 'k', Body: body }));
    const get = await s3.send(new GetObjectCommand({ Bucket: 'logged', Key: 'k' }));
    await get.Body!.transformToByteArray();
    const refused = await send(endpoint, { method: 'GET', path: '/logged/k' });
    const url = new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'logged', Key: 'k' }), { expiresIn: 300 }));
    const presigned = `${url.pathname}${url.search}`;
    const viaUrl = await send(endpoint, { method: 'GET', path: presigned });
    assert.equal(refused.status, 403, refused.body);
    assert.equal(viaUrl.status, 200, viaUrl.body);
    return {
      put: put.$metadata.requestId!, get: get.$metadata.requestId!,
      refused: String(refused.headers['x-amz-request-id']), presigned: String(viaUrl.headers['x-amz-request-id']), signature: new URL(presigned, endpoint).searchParams.get('X-Amz-Signature')!,
    };
  } finally {
    s3.destroy();
  }
}

function assertLines(lines: Line[], ids: Awaited<ReturnType<typeof traffic>>, raw: string) {
  const by = (id: string) => {
    const line = lines.find((l) => l.request_id === id);
    assert.ok(line, `no line for request ${id}`);
    return line!;
  };
  const put = by(ids.put);
  assert.deepEqual(
    { principal: put.principal, operation: put.operation, bucket: put.bucket, method: put.method, status: put.status, bytes_in: put.bytes_in, backend: put.backend },
    { principal: 'alice', operation: 'PutObject', bucket: 'logged', method: 'PUT', status: 200, bytes_in: 1000, backend: 'backend_versity' },
  );
  for (const k of ['duration_ms', 'upstream_ms', 'bytes_out']) assert.equal(typeof put[k], 'number', `${k}: ${String(put[k])}`);
  assert.match(String(put.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(put.client, '127.0.0.1');
  const get = by(ids.get);
  assert.deepEqual([get.operation, get.status, get.bytes_out], ['GetObject', 200, 1000]);
  // Refused by ext_authz: no decision to name, no backend reached.
  const refused = by(ids.refused);
  assert.deepEqual([refused.status, refused.principal ?? null, refused.backend ?? null], [403, null, null]);
  assert.deepEqual([by(ids.presigned).principal, by(ids.presigned).operation], ['alice', 'GetObject']);
  // Never a signature, a query, or a credential.
  for (const secret of [ids.signature, 'X-Amz-', 'AWS4-HMAC-SHA256', ALICE.secretAccessKey, 'Signature=']) assert.ok(!raw.includes(secret), `the log contains ${secret}`);
}

describe('access log to a file (ext_authz over HTTP), reopened on SIGHUP', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-alog-'));
  const tmp = trackTempDir(dir);
  after(() => tmp.remove());
  const file = path.join(dir, 'access.log');
  const one = useOneBucketGateway({ bucket: 'logged', more: `access_log: { sink: file, path: ${file} }` });

  it('one JSON line per request: who, what, status, bytes, times, backend; nothing secret', async () => {
    const ids = await traffic(one().gateway.endpoint);
    // The launcher has Envoy flush its access log every second.
    await waitUntil('the lines', async () => existsSync(file) && parseLines(readFileSync(file, 'utf8')).some((l) => l.request_id === ids.presigned), { timeoutMs: 5_000 });
    const raw = readFileSync(file, 'utf8');
    assertLines(parseLines(raw), ids, raw);
  });

  it('logrotate: the file moved away and SIGHUP sent, the next lines go to a new file', async () => {
    renameSync(file, `${file}.1`);
    process.kill(one().gateway.proc.pid, 'SIGHUP');
    await new Promise((r) => setTimeout(r, 500));
    const res = await send(one().gateway.endpoint, { method: 'GET', path: '/logged/after-rotate' });
    const id = String(res.headers['x-amz-request-id']);
    await waitUntil('a line in the new file', async () => existsSync(file) && parseLines(readFileSync(file, 'utf8')).some((l) => l.request_id === id), { timeoutMs: 5_000 });
    assert.ok(!parseLines(readFileSync(`${file}.1`, 'utf8')).some((l) => l.request_id === id), 'written to the moved file');
  });
});

describe('access log on stdout (ext_authz over gRPC): bare JSON lines among the gateway\'s own', () => {
  const one = useOneBucketGateway({ bucket: 'logged', extAuthz: 'grpc', more: 'access_log: { sink: stdout }' });

  it('the same fields from the gRPC answer\'s metadata', async () => {
    const ids = await traffic(one().gateway.endpoint);
    const logged = () => one().gateway.proc.logs().join('\n');
    await waitUntil('the lines', async () => parseLines(logged()).some((l) => l.request_id === ids.presigned), { timeoutMs: 5_000 });
    const lines = parseLines(logged());
    assertLines(lines, ids, lines.map((l) => JSON.stringify(l)).join('\n'));
    // The rest of the output is still the gateway's prefixed log.
    assert.ok(one().gateway.proc.logs().some((l) => l.startsWith('[gateway]')));
  });
});
