// The bootstrap's parts for operating the gateway: the health routes and the access log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envoyBootstrap } from '../../../envoy/bootstrap.ts';
import { envoyFragment } from '../../../envoy/fragment.ts';
import { gatewayConfig } from '../fixtures/unit-helpers/gateway.ts';
import { filter, hcmOf, SOCKET, type Json } from '../fixtures/unit-helpers/envoy.ts';

test('/_/health and /_/ready: GET or HEAD only, never a virtual-host style key, without the services; ready goes to the workers', () => {
  const cfg = gatewayConfig({ listen: { address: '127.0.0.1', port: 9000, domain: 's3.example.test' } });
  const b = envoyBootstrap(cfg, { servicesSockets: [SOCKET, `${SOCKET}-2`] }) as Json;
  const routes = hcmOf(b).route_config.virtual_hosts[0].routes as Json[];
  const [health, ready] = ['health', 'ready'].map((n) => routes.find((r) => r.name === n)!);
  assert.deepEqual(health!.direct_response, { status: 200, body: { inline_string: 'live\n' } });
  assert.equal(health!.match.path, '/_/health');
  assert.equal(ready!.match.path, '/_/ready');
  assert.equal(ready!.route.cluster, 'bucketgate_ready');
  for (const r of [health!, ready!]) {
    for (const f of ['envoy.filters.http.ext_authz', 'envoy.filters.http.ext_proc']) assert.equal(r.typed_per_filter_config[f].disabled, true);
    const method = r.match.headers.find((h: Json) => h.name === ':method');
    assert.deepEqual(method.string_match, { safe_regex: { regex: 'GET|HEAD' } });
    assert.equal(r.match.headers.find((h: Json) => h.name === ':authority').invert_match, true);
  }
  // Ahead of the routes that call the services, which would take them for bucket `_`.
  assert.ok(routes.indexOf(ready!) < routes.findIndex((r) => r.route?.cluster_header));
  const cluster = (b.static_resources.clusters as Json[]).find((c) => c.name === 'bucketgate_ready');
  assert.deepEqual(cluster.load_assignment.endpoints[0].lb_endpoints.map((e: Json) => e.endpoint.address.pipe.path), [`${SOCKET}.ready`, `${SOCKET}-2.ready`]);
  // Someone else's Envoy gets none of it (no workers beside it).
  assert.ok(!(envoyFragment(cfg, { host: 'h', port: 1 }).virtual_host.routes as Json[]).some((r) => r.name === 'health' || r.name === 'ready'));
});

test('access_log: none unless configured; a file or stdout; JSON fields from ext_authz metadata; never the path, query or credentials', () => {
  assert.deepEqual(hcmOf(envoyBootstrap(gatewayConfig(), { servicesSockets: [SOCKET] }) as Json).access_log, []);
  const file = hcmOf(envoyBootstrap(gatewayConfig({ accessLog: { sink: 'file', path: '/var/log/bg.jsonl' } }), { servicesSockets: [SOCKET] }) as Json).access_log as Json[];
  assert.equal(file.length, 1);
  assert.equal(file[0].typed_config.path, '/var/log/bg.jsonl');
  const stdout = hcmOf(envoyBootstrap(gatewayConfig({ accessLog: { sink: 'stdout' } }), { servicesSockets: [SOCKET] }) as Json).access_log as Json[];
  assert.match(stdout[0].typed_config['@type'], /StdoutAccessLog$/);
  const format = file[0].typed_config.log_format.json_format as Record<string, string>;
  assert.equal(format.principal, '%DYNAMIC_METADATA(envoy.filters.http.ext_authz:x-bucketgate-log-principal)%');
  const all = JSON.stringify(format);
  for (const never of [':PATH', 'PATH)', 'AUTHORIZATION', 'QUERY', 'X-AMZ']) assert.ok(!all.toUpperCase().includes(never), never);
  // Over HTTP, Envoy files the answer's log headers as that metadata.
  const authz = filter(envoyBootstrap(gatewayConfig(), { servicesSockets: [SOCKET] }) as Json, 'envoy.filters.http.ext_authz');
  const filed = authz.http_service.authorization_response.dynamic_metadata_from_headers.patterns.map((p: Json) => p.exact);
  assert.deepEqual(filed, ['x-bucketgate-work', 'x-bucketgate-log-principal', 'x-bucketgate-log-operation', 'x-bucketgate-log-bucket']);
  assert.ok(!authz.http_service.authorization_response.allowed_upstream_headers.patterns.some((p: Json) => String(p.exact).startsWith('x-bucketgate-log-')), 'never upstream');
});
