// authz/upstream.ts through authorize(): the backend request ext_authz hands Envoy (one gRPC call for
// a plain request) — applied to the client's request as Envoy applies it, it must verify with the
// backend's own secret; and the ext_proc ticket names exactly the work left for ext_proc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, type AuthzOutcome } from '../../../authz/decide.ts';
import type { AuthzRequest } from '../../../authz/upstream.ts';
import { SigningKeyCache } from '../../../core/sigv4/signing-key.ts';
import { verifySigV4, type IncomingRequest } from '../../../core/sigv4/verify.ts';
import { okResponse } from '../../../authz/response.ts';
import { okHttpAnswer } from '../../../authz/http-check.ts';
import { fromStruct } from '../../../wire/headers.ts';
import { workFromStruct } from '../../../wire/route-decision.ts';
import { ALICE, anonymous, authzDeps, backend, encPath, gatewayConfig, NOW, presigned, signed } from '../fixtures/unit-helpers/gateway.ts';

const config = gatewayConfig({
  backends: [backend('versity', 9100), backend('weed', 9200), { ...backend('fs', 9300), type: 'filesystem', filesystem: { path: '/nonexistent-bucketgate-unit' } }],
  buckets: [
    ...gatewayConfig().buckets,
    { name: 'files', backend: 'fs', realName: 'files' },
  ],
  users: [{ name: 'alice', accessKeys: [ALICE], buckets: '*' }],
});
const deps = authzDeps(config);
const run = (req: AuthzRequest): Extract<AuthzOutcome, { ok: true }> => {
  const out = authorize(req, { ...deps, now: NOW });
  if (!out.ok) assert.fail(`${out.error.code}: ${out.error.message}`);
  return out;
};

/** The client's request with ext_authz's header mutations applied, as Envoy forwards it. */
function asForwarded(req: AuthzRequest, out: ReturnType<typeof run>): IncomingRequest {
  const headers = new Map(Object.entries(req.headers));
  for (const name of out.upstream.headers.remove) headers.delete(name);
  for (const [name, value] of out.upstream.headers.set) headers.set(name, value);
  const path = headers.get(':path')!;
  headers.set('host', headers.get(':authority')!);
  const q = path.indexOf('?');
  const names = [...headers.keys()].filter((n) => !n.startsWith(':'));
  return { method: req.method, rawPath: q < 0 ? path : path.slice(0, q), rawQuery: q < 0 ? '' : path.slice(q + 1), header: (n) => headers.get(n), headerNames: () => names };
}

function verifiesAtBackend(req: AuthzRequest, out: ReturnType<typeof run>, name: string): IncomingRequest {
  const b = deps.buckets.backend(name)!;
  const fwd = asForwarded(req, out);
  const id = verifySigV4(fwd, (ak) => (ak === b.credentials.accessKeyId ? b.credentials.secretAccessKey : undefined), NOW, new SigningKeyCache());
  assert.equal(id.accessKeyId, b.credentials.accessKeyId);
  return fwd;
}

test('a plain GET: the signed backend request travels in the ext_authz answer, and no ext_proc ticket', async () => {
  const aliased = await signed(ALICE, { path: encPath('archive', 'a b/ü') });
  assert.equal(asForwarded(aliased, run(aliased)).rawPath, '/prod-archive-2024/a%20b/%C3%BC');
  const req = await signed(ALICE, { path: encPath('releases', 'a b/ü'), query: { 'x-id': 'GetObject' } });
  const out = run(req);
  assert.equal(out.upstream.ticket, undefined);
  const fwd = verifiesAtBackend(req, out, 'versity');
  assert.equal(fwd.rawPath, '/releases/a%20b/%C3%BC');
  assert.equal(fwd.rawQuery, 'x-id=GetObject');
  assert.equal(fwd.header('host'), '127.0.0.1:9100');
  // Envoy gets the route header, ext_proc marked off, and for metadata only the mark that the request was checked.
  const res = okResponse(out) as any;
  const header = (k: string) => res.ok_response.headers.find((h: any) => h.header.key === k)?.header.value;
  assert.equal(header('x-bucketgate-cluster'), 'backend_versity');
  assert.equal(header('x-bucketgate-extproc'), '0');
  assert.deepEqual(res.dynamic_metadata, { fields: { checked: { boolValue: true } } });
  assert.deepEqual(res.ok_response.headers_to_remove, ['x-amz-security-token']);
});

test('presigned: the X-Amz-* query is dropped from :path and the request is header-signed for the backend', async () => {
  const req = await presigned(ALICE, { path: encPath('releases', 'k'), query: { 'response-content-type': 'text/plain' } });
  const out = run(req);
  const fwd = verifiesAtBackend(req, out, 'versity');
  assert.match(fwd.rawQuery, /^response-content-type=text%2Fplain(&|$)/);
  assert.doesNotMatch(fwd.rawQuery, /X-Amz-(Signature|Credential|Algorithm|Date|Expires|SignedHeaders)=/);
  assert.equal(fwd.header('x-amz-content-sha256'), 'UNSIGNED-PAYLOAD');
});

test('copy source: rewritten to the real source bucket and signed', async () => {
  const req = await signed(ALICE, { method: 'PUT', path: encPath('releases', 'copy'), headers: { 'x-amz-copy-source': '/archive/src%20k' } });
  const out = run(req);
  const fwd = verifiesAtBackend(req, out, 'versity');
  assert.equal(fwd.header('x-amz-copy-source'), '/prod-archive-2024/src%20k');
});

test('a client cannot smuggle the ext_proc mark or a cluster: ext_authz always overwrites both', async () => {
  const req = await signed(ALICE, { path: encPath('releases', 'k') });
  const smuggled = { ...req, headers: { ...req.headers, 'x-bucketgate-extproc': '1', 'x-bucketgate-cluster': 'backend_weed' } };
  const res = okResponse(run(smuggled)) as any;
  const set = res.ok_response.headers.filter((h: any) => h.header.key.startsWith('x-bucketgate-'));
  assert.deepEqual(set.map((h: any) => [h.header.key, h.header.value, h.append_action]), [
    ['x-bucketgate-cluster', 'backend_versity', 'OVERWRITE_IF_EXISTS_OR_ADD'],
    ['x-bucketgate-extproc', '0', 'OVERWRITE_IF_EXISTS_OR_ADD'],
  ]);
});

test('the ext_proc ticket: only requests with body or response work get one, naming that work', async () => {
  const stages = async (r: Parameters<typeof signed>[1]) => run(await signed(ALICE, r)).upstream.ticket?.stages;
  assert.equal(await stages({ path: encPath('releases', 'k') }), undefined);
  assert.equal(await stages({ method: 'PUT', path: encPath('releases', 'k') }), undefined);
  assert.equal(await stages({ path: '/releases', query: { 'list-type': '2' } }), undefined, 'an unaliased ListObjectsV2 streams');
  assert.deepEqual(await stages({ path: encPath('archive', 'k') }), ['rewrite-errors'], 'an alias: its errors name the real bucket');
  assert.deepEqual(await stages({ path: '/releases', query: { 'list-type': '2', 'fetch-owner': 'true' } }), ['rewrite-errors', 'rewrite-success']);
  assert.deepEqual(await stages({ path: '/releases', query: { 'list-type': '2', 'encoding-type': 'url' } }), ['rewrite-errors', 'rewrite-success', 'listing-url-encoding']);
  assert.deepEqual(await stages({ path: '/files', query: { 'list-type': '2' } }), ['rewrite-errors', 'rewrite-success', 'listing-fs-hide']);
  assert.deepEqual(await stages({ path: '/' }), ['list-buckets']);
  const chunked = await signed(ALICE, {
    method: 'PUT', path: encPath('releases', 'k'),
    headers: { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'x-amz-decoded-content-length': '5' },
  });
  const out = run(chunked);
  assert.deepEqual(out.upstream.ticket?.stages, ['signed-chunks']);
  // The chain seeds: the client's signature and scope, and the one just made for the backend.
  const seeds = out.upstream.ticket!.chunks!;
  assert.equal(seeds.client.signature, /Signature=(\w+)/.exec(chunked.header('authorization')!)![1]);
  assert.equal(seeds.client.credential, `${ALICE.accessKeyId}/20240506/us-east-1/s3/aws4_request`);
  const backendAuth = out.upstream.headers.set.find(([k]) => k === 'authorization')![1];
  assert.equal(seeds.backend.signature, /Signature=(\w+)/.exec(backendAuth)![1]);
  assert.equal(seeds.backend.credential, 'versity-admin/20240506/us-east-1/s3/aws4_request');
  verifiesAtBackend(chunked, out, 'versity');
});

test('POST Object and CORS preflights: routed to the real bucket unsigned (the form is ext_proc\'s)', () => {
  const form = anonymous({ method: 'POST', path: '/archive', headers: { 'content-type': 'multipart/form-data; boundary=x' } });
  const out = run(form);
  assert.deepEqual(out.upstream.ticket?.stages, ['post-form', 'rewrite-errors', 'rewrite-success']);
  assert.equal(out.upstream.ticket?.clientAuthority, '127.0.0.1:9000');
  // Its answer is rewritten, so it is asked for uncompressed.
  assert.deepEqual(Object.fromEntries(out.upstream.headers.set), { ':path': '/prod-archive-2024', ':authority': '127.0.0.1:9100', 'accept-encoding': 'identity' });
  const preflight = run(anonymous({ method: 'OPTIONS', path: encPath('archive', 'k'), headers: { origin: 'https://a.example', 'access-control-request-method': 'PUT' } }));
  assert.equal(preflight.upstream.ticket, undefined);
  assert.deepEqual(Object.fromEntries(preflight.upstream.headers.set), { ':path': '/prod-archive-2024/k', ':authority': '127.0.0.1:9100' });
});

test('the ticket survives the metadata Struct (what ext_proc reads back is what ext_authz decided)', async () => {
  const chunked = await signed(ALICE, {
    method: 'PUT', path: encPath('archive', 'k'),
    headers: { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', 'x-amz-decoded-content-length': '5' },
    sourceIp: '2001:db8::7',
  });
  const out = run(chunked);
  const res = okResponse(out) as any;
  assert.deepEqual(workFromStruct(res.dynamic_metadata), { decision: out.decision, ticket: out.upstream.ticket });
  // ext_proc's own decisions (POST forms, ListBuckets) see the address ext_authz established.
  assert.equal(workFromStruct(res.dynamic_metadata)?.decision.sourceIp, '2001:db8::7');
  // Unknown stages or missing fields are not a ticket: ext_proc fails closed on them.
  assert.equal(workFromStruct({ fields: { ...res.dynamic_metadata.fields, stages: { stringValue: 'rewrite-errors,bogus' } } }), undefined);
  assert.equal(workFromStruct({ fields: {} }), undefined);
});

test('with an access log, the answer names who, what and which bucket, in the metadata (gRPC) or as headers Envoy files there (HTTP); without one, nothing', async () => {
  const plain = run(await signed(ALICE, { path: encPath('releases', 'k') }));
  const ticketed = run(await signed(ALICE, { path: encPath('archive', 'k') }));
  assert.ok(ticketed.upstream.ticket, 'an alias has a ticket');
  const fields = { 'x-bucketgate-log-principal': 'alice', 'x-bucketgate-log-operation': 'GetObject' };
  for (const [out, bucket] of [[plain, 'releases'], [ticketed, 'archive']] as const) {
    const md = fromStruct((okResponse(out, { accessLog: true }) as any).dynamic_metadata);
    assert.deepEqual({ p: md['x-bucketgate-log-principal'], o: md['x-bucketgate-log-operation'], b: md['x-bucketgate-log-bucket'] }, { p: fields['x-bucketgate-log-principal'], o: fields['x-bucketgate-log-operation'], b: bucket });
    const without = fromStruct((okResponse(out) as any).dynamic_metadata);
    assert.ok(!Object.keys(without).some((k) => k.startsWith('x-bucketgate-log-')));
    const http = okHttpAnswer(out, { accessLog: true }).headers;
    assert.equal(http['x-bucketgate-log-bucket'], bucket);
    assert.ok(!Object.keys(okHttpAnswer(out).headers).some((k) => k.startsWith('x-bucketgate-log-')));
  }
  // The ticket still reads back with the log fields beside it.
  assert.deepEqual(workFromStruct((okResponse(ticketed, { accessLog: true }) as any).dynamic_metadata)?.ticket.stages, ticketed.upstream.ticket!.stages);
});
