// envoy/: the client's address for the check. Envoy decides it from the connection (use_remote_address,
// xff_num_trusted_hops from listen.xff_num_trusted_hops); over HTTP the first Lua filter always writes
// it into x-bucketgate-source-ip, over gRPC only behind trusted proxies; no route lets it reach a
// backend; admission rules turn off the preflight routes that skip the check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayConfig } from '../../../core/config/types.ts';
import { envoyBootstrap } from '../../../envoy/bootstrap.ts';
import { SOURCE_IP_HEADER } from '../../../wire/names.ts';
import { gatewayConfig } from '../fixtures/unit-helpers/gateway.ts';

type Json = any;
const hcm = (cfg: GatewayConfig): Json => (envoyBootstrap(cfg, { servicesSockets: ['/tmp/s.sock'] }) as Json).static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
const filters = (cfg: GatewayConfig) => (hcm(cfg).http_filters as Json[]);
const lua = (f: Json): string => f.typed_config.default_source_code.inline_string;
const over = (transport: 'http' | 'grpc', hops?: number, extra: Partial<GatewayConfig> = {}) =>
  gatewayConfig({
    listen: { address: '127.0.0.1', port: 9000, ...(hops !== undefined && { xffNumTrustedHops: hops }) },
    envoy: { adminPort: 0, concurrency: 1, extAuthz: transport },
    ...extra,
  });

test('the address is the peer unless trusted hops are configured; never the last X-Forwarded-For entry', () => {
  for (const t of ['http', 'grpc'] as const) {
    assert.deepEqual([hcm(over(t)).use_remote_address, hcm(over(t)).xff_num_trusted_hops], [true, 0], t);
    assert.equal(hcm(over(t, 2)).xff_num_trusted_hops, 2, t);
  }
});

test('over HTTP the first filter sets the header from Envoy\'s address, removing a client\'s first', () => {
  const [first] = filters(over('http'));
  assert.equal(first.name, 'bucketgate.check_edge');
  const source = lua(first);
  assert.match(source, /function bucketgate_source_ip/);
  assert.match(source, /downstreamRemoteAddress\(\)/);
  assert.match(source, new RegExp(`headers:remove\\("${SOURCE_IP_HEADER}"\\)\\s+headers:add\\("${SOURCE_IP_HEADER}"`));
  assert.match(source, /envoy_on_request[\s\S]*bucketgate_source_ip\(handle\)/);
});

test('over gRPC the check reads the peer: no filter, unless trusted hops make Envoy\'s address differ from it', () => {
  assert.deepEqual(filters(over('grpc')).map((f) => f.name), ['envoy.filters.http.ext_authz', 'envoy.filters.http.ext_proc', 'bucketgate.error_hygiene', 'envoy.filters.http.header_mutation', 'envoy.filters.http.router']);
  const behind = filters(over('grpc', 1));
  assert.equal(behind[0].name, 'bucketgate.source_ip');
  assert.match(lua(behind[0]), /function envoy_on_request\(handle\)\s+bucketgate_source_ip\(handle\)/);
});

test('no route forwards the header to a backend, preflight routes included; admission rules take preflights to the check', () => {
  const routes = (cfg: GatewayConfig): Json[] => hcm(cfg).route_config.virtual_hosts[0].routes;
  const plain = routes(over('http'));
  assert.ok(plain.some((r) => r.name?.startsWith('preflight_')));
  for (const r of plain) assert.ok(r.request_headers_to_remove.includes(SOURCE_IP_HEADER), r.name ?? JSON.stringify(r.match));
  const admitted = routes(over('http', 0, { admission: [{ match: { sourceIpList: ['203.0.113.0/24'] }, action: 'deny' }] }));
  assert.equal(admitted.filter((r) => r.name?.startsWith('preflight_')).length, 0);
});
