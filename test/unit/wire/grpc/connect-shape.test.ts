// wire/grpc/connect-shape.ts: connect's messages (protoc-gen-es code generated from Envoy's protos by
// scripts/gen-connect.sh) turned into exactly what proto-loader decodes from the same bytes, and the
// handlers' replies encoded to the same bytes' meaning as proto-loader encodes them. Then the connect
// transport itself, driven by grpc-js's client, against the test handlers.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { create, equals, fromBinary, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { loadEnvoyMethods } from '../../../../wire/protos.ts';
import { fromLoaderShape, toLoaderShape } from '../../../../wire/grpc/connect-shape.ts';
import { GENERATED_DIR } from '../../../../wire/grpc/connect-transport.ts';
import { binding, type Observed } from './handlers.ts';
import { authzClient, check, checkRequest, closeAll, extProcClient, headersMessage, LIMIT, processAll, start } from './helpers.ts';

execFileSync('bash', [path.join(import.meta.dirname, '../../../../scripts/gen-connect.sh')], { stdio: 'inherit' });
const gen = async (file: string) => import(pathToFileURL(path.join(GENERATED_DIR, file)).href);
const auth = await gen('envoy/service/auth/v3/external_auth_pb.js');
const extproc = await gen('envoy/service/ext_proc/v3/external_processor_pb.js');
const methods = loadEnvoyMethods();
after(closeAll); // whatever a failed test left open

const struct = {
  fields: {
    s: { stringValue: 'x', kind: 'stringValue' },
    b: { boolValue: true, kind: 'boolValue' },
    n: { numberValue: 1.5, kind: 'numberValue' },
    z: { nullValue: 'NULL_VALUE', kind: 'nullValue' },
    l: { listValue: { values: [{ stringValue: 'a', kind: 'stringValue' }] }, kind: 'listValue' },
    o: { structValue: { fields: { inner: { boolValue: false, kind: 'boolValue' } } }, kind: 'structValue' },
  },
};

const checkRequests = [
  checkRequest('/bucket/key'),
  {
    attributes: {
      source: { address: { socket_address: { address: '127.0.0.1', port_value: 4711 }, address: 'socket_address' }, principal: 'p' },
      destination: { address: { pipe: { path: '/tmp/s', mode: 420 }, address: 'pipe' } },
      request: {
        time: { seconds: 1700000000, nanos: 5 },
        http: {
          id: '123', method: 'PUT', path: '/b/k?x=1', host: 'h.example', scheme: 'http', protocol: 'HTTP/1.1', size: 4096,
          headers: { host: 'h.example', 'x-amz-date': '20260101T000000Z' },
          header_map: { headers: [{ key: 'a', raw_value: Buffer.from('b') }] },
          body: 'text', raw_body: Buffer.from([0, 1, 2]),
        },
      },
      context_extensions: { k: 'v' },
      metadata_context: { filter_metadata: { ns: struct } },
      route_metadata_context: { filter_metadata: { r: { fields: {} } } },
      tls_session: { sni: 'x' },
    },
  },
];

const processRequests = [
  headersMessage('/b/k'),
  {
    request_headers: { headers: { headers: [{ key: ':path', raw_value: Buffer.from('/') }, { key: 'e', value: 'v' }] } },
    metadata_context: { filter_metadata: { 'envoy.filters.http.ext_authz': struct } },
    attributes: { a: struct },
    observability_mode: true,
  },
  { request_body: { body: Buffer.from('hello'), end_of_stream: true } },
  // Envoy never sends a proto3 default (protobufjs would: `end_of_stream: false` is on its wire).
  { request_body: {} },
  { response_headers: { headers: { headers: [{ key: ':status', raw_value: Buffer.from('200') }] } } },
  { response_body: { end_of_stream: true } },
  { request_trailers: { trailers: {} } },
];

const checkResponses = [
  {
    status: { code: 0 },
    ok_response: {
      headers: [{ header: { key: ':path', value: '/x' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }, { header: { key: 'k', raw_value: Buffer.from('v') }, append: { value: true } }],
      headers_to_remove: ['authorization'],
      query_parameters_to_set: [{ key: 'a', value: 'b' }],
    },
    dynamic_metadata: { fields: { principal: { stringValue: 'u' }, presigned: { boolValue: false }, nested: { structValue: { fields: { n: { numberValue: 2 } } } } } },
  },
  { status: { code: 7, message: 'no' }, denied_response: { status: { code: 403 }, headers: [{ header: { key: 'content-type', value: 'application/xml' } }], body: '<Error/>' } },
  { status: { code: 0 }, ok_response: { headers: [], response_headers_to_add: [{ header: { key: 'x', value: 'y' }, append_action: 'ADD_IF_ABSENT' }] } },
];

const processResponses = [
  {
    request_headers: {
      response: {
        status: 'CONTINUE',
        header_mutation: { set_headers: [{ header: { key: 'x', raw_value: Buffer.from('y') }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }], remove_headers: ['authorization'] },
        clear_route_cache: true,
      },
    },
    mode_override: { request_body_mode: 'BUFFERED_PARTIAL', response_header_mode: 'SEND' },
  },
  { request_body: { response: { status: 'CONTINUE', body_mutation: { body: Buffer.from('new') } } }, dynamic_metadata: { fields: { ns: { structValue: { fields: { len: { stringValue: '3' } } } } } } },
  { request_body: { response: { status: 'CONTINUE' } } },
  { response_body: { response: { body_mutation: { clear_body: true } } } },
  { immediate_response: { status: { code: 'RequestTimeout' }, body: Buffer.from('<Error/>'), headers: { set_headers: [] }, details: 'd', grpc_status: { status: 4 } } },
  { request_headers: {}, override_message_timeout: { seconds: 5, nanos: 0 } },
  { response_headers: { response: { status: 'CONTINUE_AND_REPLACE' } } },
];

/** protobufjs decodes bytes fields as Buffer; compare them by value. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x) => (x && x.type === 'Buffer' && Array.isArray(x.data) ? { buffer: x.data } : x)));

function requestParity(desc: DescMessage, def: { requestSerialize(r: object): Buffer; requestDeserialize(b: Buffer): any }, req: object) {
  const bytes = def.requestSerialize(req);
  const expected = def.requestDeserialize(bytes);
  const got = toLoaderShape(desc, fromBinary(desc, bytes));
  assert.deepEqual(plain(got), plain(expected));
  for (const [k, v] of Object.entries(got)) if (Buffer.isBuffer(v)) assert.ok(Buffer.isBuffer(expected[k]), k);
}

/**
 * The same message as proto-loader's encoding, compared as protobuf-es messages: protobufjs also puts
 * proto3 defaults a handler sets (`code: 0`) on the wire, which means the same to Envoy as leaving them out.
 */
function responseParity(desc: DescMessage, def: { responseSerialize(r: object): Buffer }, res: object) {
  const expected = fromBinary(desc, def.responseSerialize(res));
  const got = fromBinary(desc, toBinary(desc, create(desc, fromLoaderShape(desc, res))));
  assert.ok(equals(desc, got, expected), `${JSON.stringify(plain(res))}`);
}

test('a CheckRequest from connect has proto-loader’s shape', () => {
  for (const r of checkRequests) requestParity(auth.CheckRequestSchema, methods.check, r);
});

test('a ProcessingRequest from connect has proto-loader’s shape', () => {
  for (const r of processRequests) requestParity(extproc.ProcessingRequestSchema, methods.process, r);
});

test('a CheckResponse in proto-loader’s shape encodes as proto-loader encodes it', () => {
  for (const r of checkResponses) responseParity(auth.CheckResponseSchema, methods.check, r);
});

test('a ProcessingResponse in proto-loader’s shape encodes as proto-loader encodes it', () => {
  for (const r of processResponses) responseParity(extproc.ProcessingResponseSchema, methods.process, r);
});

test('the connect transport serves Check and Process to grpc-js’s client', LIMIT, async () => {
  const observed: Observed = { messages: 0, ends: 0, cancels: 0 };
  const running = await start('connect', binding(observed));
  try {
    const authz = authzClient(running.socket);
    const ok = await check(authz, checkRequest('/async/a'));
    // protobuf-es leaves the proto3 default code 0 off the wire (protobufjs writes it): the same to Envoy.
    assert.equal(ok.status.code ?? 0, 0);
    assert.equal(ok.ok_response.headers[0].header.value, '/async/a');
    await assert.rejects(check(authz, checkRequest('/throw')), (e: any) => e.code === 13 && /boom/.test(e.details));
    authz.close();

    const ep = extProcClient(running.socket);
    const { responses, status } = await processAll(ep, [headersMessage('/p'), { request_body: { body: Buffer.from('b'), end_of_stream: true } }]);
    assert.equal(status.code, 0);
    assert.equal(responses.length, 2);
    assert.equal(responses[0].request_headers.response.header_mutation.set_headers[0].header.raw_value.toString(), '/p');
    assert.equal(responses[1].request_body.response.body_mutation.body.toString(), 'b');
    assert.equal(observed.ends, 1);
    const failed = await processAll(ep, [headersMessage('/throw')]);
    assert.equal(failed.status.code, 13);
    ep.close();
  } finally {
    await running.close();
  }
});
