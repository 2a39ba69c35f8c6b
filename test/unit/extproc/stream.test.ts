// extproc/stream.ts + plan.ts, driven as Envoy drives them, with tickets that authz/decide.ts made:
// the request-headers answer, the body stages and the response stage each do what the ticket names,
// and nothing without a ticket gets through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthzRequest } from '../../../authz/upstream.ts';
import { chunkSignature, type ChainContext } from '../../../core/sigv4/chunk-signature.ts';
import { credentialScope, parseCredential } from '../../../core/sigv4/scope.ts';
import { signingKey } from '../../../core/sigv4/signing-key.ts';
import { errors } from '../../../core/errors.ts';
import { headerMapToRecord } from '../../../wire/headers.ts';
import { ALICE, authzDeps, encPath, gatewayConfig, NOW, signed } from '../fixtures/unit-helpers/gateway.ts';
import { extprocStream, requestHeadersMsg as helperMsg } from '../fixtures/unit-helpers/extproc.ts';

const config = gatewayConfig();
const deps = authzDeps(config);
const extproc = (c = config, now = NOW) => extprocStream(c, now);
const requestHeadersMsg = (req: AuthzRequest, d = deps) => helperMsg(req, d);

test('no ticket, no service: a request Envoy sends without ext_authz metadata is refused', () => {
  const answer = extproc().handle({ request: 'request_headers', request_headers: { headers: { headers: [{ key: 'x-request-id', raw_value: Buffer.from('r') }] } } });
  assert.equal(answer.immediate_response.status.code, 403);
  assert.match(answer.immediate_response.body.toString(), /<Code>AccessDenied<\/Code>/);
});

test("checked by ext_authz with nothing to do (a mesh that runs ext_proc on every route): passed on unchanged; a forged or missing mark is not", async () => {
  const { out, msg } = requestHeadersMsg(await signed(ALICE, { path: encPath('releases', 'k') }), deps);
  assert.equal(out.upstream.ticket, undefined, 'a plain GET has no ticket');
  assert.deepEqual(extproc().handle(msg), { request_headers: { response: {} } });
  // The mark lives in metadata only; a header of the same name, or a mark with another value, is nothing.
  for (const metadata of [undefined, { fields: { checked: { stringValue: 'true' } } }, { fields: { checked: { boolValue: false } } }]) {
    const forged = { ...msg, metadata_context: { filter_metadata: { 'envoy.filters.http.ext_authz': metadata } } };
    forged.request_headers.headers.headers.push({ key: 'checked', raw_value: Buffer.from('true') });
    assert.equal(extproc().handle(forged).immediate_response.status.code, 403, JSON.stringify(metadata));
  }
});

test('ListBuckets is answered from the config: only the buckets the user may use', async () => {
  const { msg } = requestHeadersMsg(await signed(ALICE, { path: '/' }));
  const answer = extproc().handle(msg);
  assert.equal(answer.immediate_response.status.code, 200);
  const xml = answer.immediate_response.body.toString();
  assert.deepEqual([...xml.matchAll(/<Name>([^<]+)<\/Name>/g)].map((m) => m[1]), ['archive', 'releases']);
  assert.match(xml, new RegExp(`<ID>${ALICE.accessKeyId}</ID>`));
});

test('an alias: error bodies and Location are rewritten into the client\'s view, success bodies stream', async () => {
  const { msg } = requestHeadersMsg(await signed(ALICE, { path: encPath('archive', 'k') }));
  const s = extproc();
  const first = s.handle(msg);
  assert.equal(first.mode_override.response_header_mode, 'SEND');
  assert.equal(first.mode_override.request_body_mode, 'NONE');
  const ok = s.handle({ request: 'response_headers', response_headers: { headers: { headers: [{ key: ':status', raw_value: Buffer.from('200') }, { key: 'content-type', raw_value: Buffer.from('application/octet-stream') }] } } });
  assert.equal(ok.mode_override, undefined, 'an object body is never buffered');
  const s2 = extproc();
  s2.handle(msg);
  const err = s2.handle({ request: 'response_headers', response_headers: { headers: { headers: [{ key: ':status', raw_value: Buffer.from('404') }, { key: 'content-type', raw_value: Buffer.from('application/xml') }] } } });
  assert.equal(err.mode_override.response_body_mode, 'BUFFERED');
  const body = s2.handle({ request: 'response_body', response_body: { body: Buffer.from('<Error><Code>NoSuchKey</Code><BucketName>prod-archive-2024</BucketName></Error>') } });
  const out = body.response_body.response.body_mutation.body.toString();
  assert.equal(out, '<Error><Code>NoSuchKey</Code><BucketName>archive</BucketName></Error>');
  assert.equal(headerMapToRecord({ headers: body.response_body.response.header_mutation.set_headers.map((h: any) => ({ key: h.header.key, raw_value: h.header.raw_value })) })['content-length'], String(out.length));
});

test('a signed aws-chunked PUT: every chunk verified with the client\'s chain and re-signed on the backend\'s', async () => {
  const data = [Buffer.from('hello '), Buffer.from('world')];
  const decoded = data.reduce((n, b) => n + b.length, 0);
  const req = await signed(ALICE, {
    method: 'PUT', path: encPath('releases', 'k'),
    headers: { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'x-amz-decoded-content-length': String(decoded) },
  });
  const { out, msg } = requestHeadersMsg(req);
  const seeds = out.upstream.ticket!.chunks!;
  const ctx = (seed: typeof seeds.client, secret: string): ChainContext => {
    const c = parseCredential(seed.credential, () => errors.internal());
    return { key: signingKey(secret, c.date, c.region, 's3'), datetime: seed.datetime, scope: credentialScope(c) };
  };
  const client = ctx(seeds.client, ALICE.secretAccessKey);
  const ours = ctx(seeds.backend, 'versity-secret');
  const frames = (c: ChainContext, seed: string) => {
    let prev = seed;
    return [...data, Buffer.alloc(0)].map((d) => {
      prev = chunkSignature(c, prev, d);
      return Buffer.concat([Buffer.from(`${d.length.toString(16)};chunk-signature=${prev}\r\n`), d, Buffer.from('\r\n')]);
    });
  };
  const s = extproc();
  const first = s.handle(msg);
  assert.equal(first.mode_override.request_body_mode, 'STREAMED');
  assert.ok(s.awaitingBody());
  const sent = frames(client, seeds.client.signature);
  const forwarded = sent.map((f, i) => s.handle({ request: 'request_body', request_body: { body: f, end_of_stream: i === sent.length - 1 } }).request_body.response.body_mutation.body);
  assert.deepEqual(Buffer.concat(forwarded), Buffer.concat(frames(ours, seeds.backend.signature)));
  assert.ok(!s.awaitingBody());
  // A chunk signed with another key is refused, with AWS's error.
  const bad = extproc();
  bad.handle(msg);
  const wrong = frames({ ...client, key: signingKey('not-the-secret', '20240506', 'us-east-1', 's3') }, seeds.client.signature);
  const refused = bad.handle({ request: 'request_body', request_body: { body: wrong[0], end_of_stream: false } });
  assert.equal(refused.immediate_response.status.code, 403);
  assert.match(refused.immediate_response.body.toString(), /SignatureDoesNotMatch/);
});

test('a listing broader than the grant: ext_proc filters the body with the policy, at the instant ext_authz decided', async () => {
  // shared/ is readable only until one second after NOW: ext_proc's clock is an hour later.
  const timed = gatewayConfig({
    users: [{ name: 'alice', accessKeys: [ALICE], policies: ['team'] }],
    policies: [{
      name: 'team',
      rules: [
        { effect: 'allow', actions: ['read', 'list'], resources: ['releases/team-a/*'] },
        { effect: 'allow', actions: ['read', 'list'], resources: ['releases/shared/*'], when: 'request.time < timestamp("2024-05-06T07:08:10Z")' },
      ],
    }],
  });
  const { msg } = requestHeadersMsg(await signed(ALICE, { path: encPath('releases'), query: { 'list-type': '2', delimiter: '/' } }), authzDeps(timed));
  const later = new Date(NOW.getTime() + 3_600_000);
  const listed = (m: typeof msg) => {
    const s = extproc(timed, later);
    assert.equal(s.handle(m).mode_override.response_header_mode, 'SEND');
    const headers = s.handle({ request: 'response_headers', response_headers: { headers: { headers: [{ key: ':status', raw_value: Buffer.from('200') }, { key: 'content-type', raw_value: Buffer.from('application/xml') }] } } });
    assert.equal(headers.mode_override.response_body_mode, 'BUFFERED');
    const body =
      '<ListBucketResult><Name>releases</Name><Prefix></Prefix><Delimiter>/</Delimiter><KeyCount>4</KeyCount><IsTruncated>false</IsTruncated>' +
      '<Contents><Key>top.txt</Key></Contents><CommonPrefixes><Prefix>shared/</Prefix></CommonPrefixes>' +
      '<CommonPrefixes><Prefix>team-a/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>team-b/</Prefix></CommonPrefixes></ListBucketResult>';
    const out = s.handle({ request: 'response_body', response_body: { body: Buffer.from(body) } }).response_body.response.body_mutation.body.toString();
    return { prefixes: [...out.matchAll(/<Prefix>([^<]+)<\/Prefix>/g)].map((p) => p[1]), keyCount: /<KeyCount>(\d+)/.exec(out)?.[1], out };
  };
  assert.deepEqual(listed(msg), { ...listed(msg), prefixes: ['shared/', 'team-a/'], keyCount: '2' });
  assert.doesNotMatch(listed(msg).out, /top\.txt|team-b/);
  // Without the ticket's time ext_proc would have asked at its own clock, and shared/ would be gone.
  const fields = { ...msg.metadata_context.filter_metadata['envoy.filters.http.ext_authz'].fields };
  delete fields.requestTime;
  const untimed = { ...msg, metadata_context: { filter_metadata: { 'envoy.filters.http.ext_authz': { fields } } } };
  assert.deepEqual(listed(untimed).prefixes, ['team-a/']);
});

test('a response ext_proc must rewrite is asked for uncompressed, and one that comes compressed anyway is refused, never passed on', async () => {
  const { out, msg } = requestHeadersMsg(await signed(ALICE, { path: encPath('archive'), query: { 'list-type': '2' } }));
  assert.ok(out.upstream.headers.set.some(([k, v]) => k === 'accept-encoding' && v === 'identity'));
  const responseHeaders = (encoding?: string) => ({
    request: 'response_headers',
    response_headers: { headers: { headers: [
      { key: ':status', raw_value: Buffer.from('200') }, { key: 'content-type', raw_value: Buffer.from('application/xml') },
      ...(encoding ? [{ key: 'content-encoding', raw_value: Buffer.from(encoding) }] : []),
    ] } },
  });
  for (const encoding of ['gzip', 'zstd', 'br']) {
    const s = extproc();
    s.handle(msg);
    const answer = s.handle(responseHeaders(encoding));
    assert.equal(answer.immediate_response?.status.code, 500, encoding);
    assert.match(answer.immediate_response.body.toString(), /<Code>InternalError<\/Code>/);
  }
  const plain = extproc();
  plain.handle(msg);
  assert.equal(plain.handle(responseHeaders('identity')).mode_override.response_body_mode, 'BUFFERED');
  // A plain GET of an unaliased bucket's object is not rewritten: the client's Accept-Encoding stands.
  const { out: get } = requestHeadersMsg(await signed(ALICE, { path: encPath('releases', 'a.txt'), headers: { 'accept-encoding': 'gzip' } }));
  assert.ok(!get.upstream.headers.set.some(([k]) => k === 'accept-encoding'));
});
