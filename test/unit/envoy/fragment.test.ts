import assert from 'node:assert/strict';
import test from 'node:test';
import { parse } from 'yaml';
import { fragmentYaml } from '../../../envoy/fragment-doc.ts';
import { envoyFragment, FragmentError } from '../../../envoy/fragment.ts';
import { filesystemBackend } from '../../../core/config/model.ts';
import { parseServicesAddress, formatServicesAddress } from '../../../wire/address.ts';
import { gatewayConfig } from '../fixtures/unit-helpers/gateway.ts';

type Json = Record<string, any>;

test('services addresses: Unix sockets and TCP in the spellings the commands accept, anything else refused', () => {
  assert.deepEqual(parseServicesAddress('unix:/run/bg.sock'), { socket: '/run/bg.sock' });
  assert.deepEqual(parseServicesAddress('/run/bg.sock'), { socket: '/run/bg.sock' });
  assert.deepEqual(parseServicesAddress('127.0.0.1:7000'), { host: '127.0.0.1', port: 7000 });
  assert.deepEqual(parseServicesAddress('bucketgate.svc:7000'), { host: 'bucketgate.svc', port: 7000 });
  assert.deepEqual(parseServicesAddress('[::1]:7000'), { host: '::1', port: 7000 });
  for (const bad of ['', 'unix:', '7000', 'host:', 'host:0', 'host:70000', '::1:7000', 'run/bg.sock', 'a:b:1']) {
    assert.throws(() => parseServicesAddress(bad), /is not an address: give unix:/, bad);
  }
  for (const text of ['unix:/run/bg.sock', '127.0.0.1:7000', '[::1]:7000']) assert.equal(formatServicesAddress(parseServicesAddress(text)), text);
});

test("the fragment's filters: ours renamed bucketgate.*, in our order, each disabled by default and enabled only by our virtual host", () => {
  const f = envoyFragment(gatewayConfig(), { host: '10.0.0.5', port: 7000 });
  const names = f.http_filters.map((x) => x.name);
  assert.deepEqual(names, ['bucketgate.ext_authz', 'bucketgate.ext_proc', 'bucketgate.error_hygiene', 'bucketgate.header_mutation']);
  for (const filter of f.http_filters) assert.equal(filter.disabled, true, filter.name);
  assert.deepEqual(Object.keys(f.virtual_host.typed_per_filter_config), names);
  // Each enabling config is a real per-route config of the filter's kind (Envoy refuses empty ones).
  const perFilter = f.virtual_host.typed_per_filter_config as Json;
  assert.match(perFilter['bucketgate.ext_authz']['@type'], /ExtAuthzPerRoute$/);
  assert.match(perFilter['bucketgate.ext_proc']['@type'], /ExtProcPerRoute$/);
  assert.deepEqual(perFilter['bucketgate.error_hygiene'], { '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.LuaPerRoute', name: 'bucketgate' });
  const lua = f.http_filters[2]!.typed_config;
  assert.equal(lua.default_source_code, undefined, 'a default script would run on the user\'s routes');
  assert.match(lua.source_codes.bucketgate.inline_string, /bucketgate_error_hygiene/);
  // The fingerprint removals live on our virtual host only.
  assert.equal(f.http_filters[3]!.typed_config.mutations, undefined);
  assert.ok(perFilter['bucketgate.header_mutation'].mutations.response_mutations.some((m: Json) => m.remove === 'x-amz-id-2'));
  // ext_authz fails closed over gRPC, to the one services cluster.
  const authz = f.http_filters[0]!.typed_config;
  assert.equal(authz.failure_mode_allow, false);
  assert.equal(authz.clear_route_cache, true);
  assert.equal(authz.grpc_service.envoy_grpc.cluster_name, 'bucketgate_services');
  // The routes' own switches (the catch-all's ext_proc off, the preflights' ext_authz off) follow the rename.
  const routes = f.virtual_host.routes as Json[];
  const keys = new Set(routes.flatMap((r) => Object.keys(r.typed_per_filter_config ?? {})));
  assert.ok(keys.has('bucketgate.ext_proc'));
  for (const k of keys) assert.ok(names.includes(k), k);
});

test('the fragment: the services cluster at the given address, one cluster per backend, the S3 settings of the connection manager', () => {
  const f = envoyFragment(gatewayConfig(), { host: '10.0.0.5', port: 7000 });
  assert.deepEqual(f.clusters.map((c) => c.name), ['bucketgate_services', 'backend_versity', 'backend_weed']);
  assert.deepEqual(f.clusters[0]!.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address, { socket_address: { address: '10.0.0.5', port_value: 7000 } });
  const onSocket = envoyFragment(gatewayConfig(), { socket: '/run/bg.sock' });
  assert.deepEqual(onSocket.clusters[0]!.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address, { pipe: { path: '/run/bg.sock' } });
  assert.equal(f.clusters[0]!.transport_socket, undefined, 'cleartext unless a CA is given');
  const tls = envoyFragment(gatewayConfig(), { host: 'bucketgate.svc', port: 7000 }, '/etc/ca.pem').clusters[0]!;
  assert.equal(tls.type, 'STRICT_DNS', 'a service name is resolved');
  assert.deepEqual(tls.transport_socket.typed_config.sni, 'bucketgate.svc');
  assert.deepEqual(tls.transport_socket.typed_config.common_tls_context, {
    validation_context: { trusted_ca: { filename: '/etc/ca.pem' }, match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: 'bucketgate.svc' } }] },
    alpn_protocols: ['h2'],
  });
  const byIp = envoyFragment(gatewayConfig(), { host: '10.0.0.5', port: 7000 }, '/etc/ca.pem').clusters[0]!;
  assert.equal(byIp.type, 'STATIC');
  assert.equal(byIp.transport_socket.typed_config.sni, undefined, 'no SNI for an IP');
  assert.deepEqual(byIp.transport_socket.typed_config.common_tls_context.validation_context.match_typed_subject_alt_names, [{ san_type: 'IP_ADDRESS', matcher: { exact: '10.0.0.5' } }]);
  assert.equal(f.connection_manager.normalize_path, false);
  assert.equal(f.connection_manager.merge_slashes, false);
  assert.equal(f.connection_manager.path_with_escaped_slashes_action, 'KEEP_UNCHANGED');
  assert.ok(f.local_reply_config.mappers.length > 0);
  assert.deepEqual(f.virtual_host.domains, ['*']);
  const withDomain = envoyFragment(gatewayConfig({ listen: { address: '0.0.0.0', port: 9000, domain: 's3.example.com' } }), { host: 'h', port: 1 });
  assert.deepEqual(withDomain.virtual_host.domains, ['s3.example.com', '*.s3.example.com']);
});

test('a config with a filesystem backend has no fragment: its versitygw runs under `bucketgate start` only', () => {
  const cfg = gatewayConfig({ backends: [filesystemBackend('local', '/srv/data')] });
  assert.throws(() => envoyFragment(cfg, { host: 'h', port: 1 }), (e: Error) => e instanceof FragmentError && /filesystem backends \(local\)/.test(e.message));
});

test('the fragment as YAML: every part commented with where it goes, and the same data back', () => {
  const f = envoyFragment(gatewayConfig(), { host: '10.0.0.5', port: 7000 });
  const text = fragmentYaml(f);
  assert.match(text, /^# Bucketgate for an Envoy you run/);
  for (const part of Object.keys(f)) assert.match(text, new RegExp(`#[^\\n]*\\n(?:#[^\\n]*\\n)*${part}:`), `${part} has no comment before it`);
  assert.deepEqual(parse(text), JSON.parse(JSON.stringify(f)));
});
