// envoy/bootstrap.ts + envoy/clusters.ts: the generated Envoy bootstrap, checked field by field and
// then by the real Envoy in validate mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GatewayConfig } from '../../../core/config/types.ts';
import {
  AUTHORITY_HEADER,
  AUTHZ_HTTP_CLUSTER,
  AUTHZ_METADATA_NAMESPACE,
  CLUSTER_HEADER,
  CONTENT_LENGTH_HEADER,
  EXTPROC_HEADER,
  PATH_HEADER,
  SERVICES_CLUSTER,
  STATUS_HEADER,
  WORK_HEADER,
} from '../../../wire/names.ts';
import { envoyBootstrap } from '../../../envoy/bootstrap.ts';
import { ENVOY_INSTALL_HINT, toolsDir } from '../../../launcher/tools.ts';
import { backend, gatewayConfig } from '../fixtures/unit-helpers/gateway.ts';
import { filter, hcmOf, SOCKET, type Json } from '../fixtures/unit-helpers/envoy.ts';

function withHttps(over: Partial<GatewayConfig> = {}): GatewayConfig {
  return gatewayConfig({
    backends: [
      backend('versity', 9100),
      backend('weed', 9200),
      backend('aws', 443, {
        endpoint: { scheme: 'https', host: 's3.eu-west-3.amazonaws.com', port: 443 },
        region: 'eu-west-3',
        addressing: 'virtual',
      }),
    ],
    ...over,
  });
}

const grpcAuthz = (over: Partial<GatewayConfig> = {}) => gatewayConfig({ envoy: { adminPort: 0, concurrency: 1, extAuthz: 'grpc' }, ...over });
const names = (b: Json) => (hcmOf(b).http_filters as Json[]).map((f) => f.name);
const clusterNames = (b: Json) => (b.static_resources.clusters as Json[]).map((c) => c.name);

test('ext_authz fails closed and re-resolves the route, over HTTP (the default) or gRPC', () => {
  for (const cfg of [gatewayConfig(), grpcAuthz()]) {
    const authz = filter(envoyBootstrap(cfg, { servicesSockets: [SOCKET] }), 'envoy.filters.http.ext_authz');
    assert.equal(authz['@type'], 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz');
    assert.equal(authz.failure_mode_allow, false);
    assert.equal(authz.clear_route_cache, true);
    assert.equal(authz.transport_api_version, 'V3');
  }
  const grpc = filter(envoyBootstrap(grpcAuthz(), { servicesSockets: [SOCKET] }), 'envoy.filters.http.ext_authz');
  assert.equal(grpc.grpc_service.envoy_grpc.cluster_name, SERVICES_CLUSTER);
  assert.equal(grpc.http_service, undefined);
});

test('ext_authz over HTTP: every request header in, the signed request and the ticket out, pseudo-headers by Lua', () => {
  const b = envoyBootstrap(gatewayConfig(), { servicesSockets: [SOCKET] }) as Json;
  const authz = filter(b, 'envoy.filters.http.ext_authz');
  assert.equal(authz.grpc_service, undefined);
  assert.equal(authz.http_service.server_uri.cluster, AUTHZ_HTTP_CLUSTER);
  assert.equal(authz.http_service.path_prefix, undefined, 'the check carries the client path as it came');
  // SigV4 may sign any header: all of them go to the check.
  assert.deepEqual(authz.allowed_headers, { patterns: [{ safe_regex: { regex: '.+' } }] });
  const r = authz.http_service.authorization_response;
  assert.deepEqual(r.allowed_upstream_headers.patterns.map((p: Json) => p.exact).sort(), [
    'accept-encoding', 'authorization', 'x-amz-content-sha256', 'x-amz-copy-source', 'x-amz-date',
    AUTHORITY_HEADER, CLUSTER_HEADER, EXTPROC_HEADER, PATH_HEADER,
  ].sort());
  assert.deepEqual(r.allowed_client_headers.patterns.map((p: Json) => p.exact), ['content-type', 'x-amz-request-id', STATUS_HEADER]);
  assert.deepEqual(r.dynamic_metadata_from_headers.patterns[0], { exact: WORK_HEADER });
  // The edge filter copies the client's content-length for the check and restores a 5xx denial's
  // status; the Lua filter after ext_authz moves the answer's path and authority into place.
  const lua = (name: string) => filter(b, name).default_source_code.inline_string as string;
  for (const h of [CONTENT_LENGTH_HEADER, STATUS_HEADER]) assert.ok(lua('bucketgate.check_edge').includes(`"${h}"`), h);
  assert.ok(lua('bucketgate.check_edge').includes('function bucketgate_error_hygiene'));
  for (const h of [PATH_HEADER, AUTHORITY_HEADER, CONTENT_LENGTH_HEADER]) assert.ok(lua('bucketgate.request_target').includes(`"${h}"`), h);
  assert.deepEqual(names(b), [
    'bucketgate.check_edge', 'envoy.filters.http.ext_authz', 'bucketgate.request_target',
    'envoy.filters.http.ext_proc', 'envoy.filters.http.header_mutation', 'envoy.filters.http.router',
  ]);
  assert.deepEqual(clusterNames(b).slice(0, 2), [SERVICES_CLUSTER, AUTHZ_HTTP_CLUSTER]);
  const pipe = b.static_resources.clusters[1].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.pipe.path;
  assert.equal(pipe, `${SOCKET}.http`);
  assert.ok(!clusterNames(envoyBootstrap(grpcAuthz(), { servicesSockets: [SOCKET] })).includes(AUTHZ_HTTP_CLUSTER));
});

test('ext_proc: request headers only, overridable, fed the ext_authz metadata', () => {
  const b = envoyBootstrap(gatewayConfig(), { servicesSockets: [SOCKET] }) as Json;
  const proc = filter(b, 'envoy.filters.http.ext_proc');
  assert.equal(proc['@type'], 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor');
  assert.equal(proc.failure_mode_allow, false);
  assert.equal(proc.processing_mode.request_header_mode, 'SEND');
  assert.equal(proc.processing_mode.request_body_mode, 'NONE');
  assert.equal(proc.processing_mode.response_header_mode, 'SKIP');
  assert.equal(proc.processing_mode.response_body_mode, 'NONE');
  assert.equal(proc.allow_mode_override, true);
  assert.deepEqual(proc.metadata_options.forwarding_namespaces.untyped, ['envoy.filters.http.ext_authz']);
  assert.equal(AUTHZ_METADATA_NAMESPACE, 'envoy.filters.http.ext_authz');
  // Only the POST Object form length may come back as metadata (for the Lua filter after ext_proc).
  assert.deepEqual(proc.metadata_options.receiving_namespaces.untyped, ['bucketgate.post_object']);
  assert.equal(proc.grpc_service.envoy_grpc.cluster_name, SERVICES_CLUSTER);

  // Order matters: authorize, then rewrite, then route.
  assert.deepEqual(names(envoyBootstrap(grpcAuthz(), { servicesSockets: [SOCKET] })), ['envoy.filters.http.ext_authz', 'envoy.filters.http.ext_proc', 'bucketgate.error_hygiene', 'envoy.filters.http.header_mutation', 'envoy.filters.http.router']);
});

test('the route follows the cluster header and strips it; paths are never normalized', () => {
  const b = envoyBootstrap(gatewayConfig(), { servicesSockets: [SOCKET] }) as Json;
  const hcm = hcmOf(b);
  assert.equal(hcm.normalize_path, false);
  assert.equal(hcm.merge_slashes, false);
  assert.equal(hcm.path_with_escaped_slashes_action, 'KEEP_UNCHANGED');
  const routes = (hcm.route_config.virtual_hosts.flatMap((v: Json) => v.routes) as Json[]).filter((r) => !r.name?.startsWith('preflight_') && r.name !== 'health' && r.name !== 'ready');
  assert.equal(CLUSTER_HEADER, 'x-bucketgate-cluster');
  assert.equal(EXTPROC_HEADER, 'x-bucketgate-extproc');
  // Two routes, each twice (idempotent methods first, with the wider retry), all to the cluster ext_authz names, all
  // dropping the headers set for the check and the route: the first runs ext_proc for the requests ext_authz marked,
  // the catch-all (which keeps ext_authz running for every request) has it disabled.
  assert.equal(routes.length, 4);
  for (const r of routes) {
    assert.equal(r.route.cluster_header, 'x-bucketgate-cluster');
    assert.deepEqual(r.request_headers_to_remove, ['x-bucketgate-cluster', 'x-bucketgate-extproc', 'x-bucketgate-source-ip']);
    assert.equal(r.route.retry_policy.num_retries, 2);
  }
  const idempotent = { name: ':method', string_match: { safe_regex: { regex: 'GET|HEAD|PUT|DELETE|OPTIONS' } } };
  const marked = { name: 'x-bucketgate-extproc', string_match: { exact: '1' } };
  assert.deepEqual(routes.map((r) => r.match), [
    { prefix: '/', headers: [marked, idempotent] }, { prefix: '/', headers: [marked] },
    { prefix: '/', headers: [idempotent] }, { prefix: '/' },
  ]);
  // A POST is retried only when nothing was written to the backend; an idempotent method also after.
  assert.deepEqual(routes.map((r) => r.route.retry_policy.retry_on), [
    'connect-failure,reset', 'connect-failure,reset-before-request', 'connect-failure,reset', 'connect-failure,reset-before-request',
  ]);
  for (const r of routes.slice(0, 2)) assert.equal(r.typed_per_filter_config, undefined);
  for (const r of routes.slice(2)) {
    assert.deepEqual(r.typed_per_filter_config['envoy.filters.http.ext_proc'], {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExtProcPerRoute', disabled: true,
    });
    assert.equal(r.request_headers_to_add, undefined, 'no POST Object length without ext_proc');
  }
  // Responses: the gateway's request id always, its region where a backend names one.
  const shown = (cfg: Parameters<typeof envoyBootstrap>[0]) =>
    (hcmOf(envoyBootstrap(cfg, { servicesSockets: [SOCKET] }) as Json).route_config.virtual_hosts[0].routes.at(-1).response_headers_to_add as Json[])
      .map((h) => [h.header.key, h.header.value, h.append_action]);
  assert.deepEqual(shown(gatewayConfig()), [
    ['x-amz-request-id', '%REQ(x-request-id)%', 'OVERWRITE_IF_EXISTS_OR_ADD'],
    ['x-amz-bucket-region', 'us-east-1', 'OVERWRITE_IF_EXISTS'],
  ]);
  assert.deepEqual(shown(gatewayConfig({ listen: { ...gatewayConfig().listen, region: 'eu-west-3' } }))[1], ['x-amz-bucket-region', 'eu-west-3', 'OVERWRITE_IF_EXISTS']);
  // The only header the route adds upstream: a POST Object form's new length, from ext_proc's metadata,
  // never from anything a client sends, and nothing when it is absent.
  for (const r of routes.slice(0, 2)) {
    assert.deepEqual(r.request_headers_to_add, [{
      header: { key: 'content-length', value: '%DYNAMIC_METADATA(bucketgate.post_object:content_length)%' },
      append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
      keep_empty_value: false,
    }]);
  }
  const listener = b.static_resources.listeners[0];
  assert.deepEqual(listener.address, { socket_address: { address: '127.0.0.1', port_value: 9000 } });
  assert.equal(listener.filter_chains[0].transport_socket, undefined, 'plain listener has no TLS');
});

test('one cluster per backend, plus the services cluster on the Unix socket', () => {
  const b = envoyBootstrap(withHttps(), { servicesSockets: [SOCKET] }) as Json;
  const clusters = b.static_resources.clusters as Json[];
  assert.deepEqual(
    clusters.map((c) => c.name),
    [SERVICES_CLUSTER, AUTHZ_HTTP_CLUSTER, 'bucketgate_ready', 'backend_versity', 'backend_weed', 'backend_aws'],
  );
  const services = clusters[0];
  assert.deepEqual(services.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address, { pipe: { path: SOCKET } });
  assert.ok(
    services.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'].explicit_http_config.http2_protocol_options,
    'gRPC needs HTTP/2',
  );

  const named = (n: string) => clusters.find((c) => c.name === n);
  const versity = named('backend_versity');
  assert.equal(versity.type, 'STATIC');
  assert.deepEqual(versity.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address, {
    socket_address: { address: '127.0.0.1', port_value: 9100 },
  });
  assert.equal(versity.transport_socket, undefined, 'http backend has no TLS');
  assert.deepEqual(named('backend_weed').load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, {
    address: '127.0.0.1',
    port_value: 9200,
  });

  const aws = named('backend_aws');
  assert.equal(aws.type, 'STRICT_DNS');
  assert.deepEqual(aws.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, {
    address: 's3.eu-west-3.amazonaws.com',
    port_value: 443,
  });
  assert.equal(aws.transport_socket.name, 'envoy.transport_sockets.tls');
  assert.equal(aws.transport_socket.typed_config['@type'], 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext');
  assert.equal(aws.transport_socket.typed_config.sni, 's3.eu-west-3.amazonaws.com');
  const http = aws.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
  assert.equal(http.upstream_http_protocol_options.auto_sni, true);
  assert.equal(http.upstream_http_protocol_options.auto_san_validation, true);
});

test('admin is bound to loopback only', () => {
  const b = envoyBootstrap(gatewayConfig({ listen: { address: '0.0.0.0', port: 80 }, envoy: { adminPort: 9901, concurrency: 2, extAuthz: 'grpc' } }), {
    servicesSockets: [SOCKET],
  }) as Json;
  assert.deepEqual(b.admin.address, { socket_address: { address: '127.0.0.1', port_value: 9901 } });
  assert.deepEqual(b.static_resources.listeners[0].address.socket_address, { address: '0.0.0.0', port_value: 80 });
});

test('the listener shares its port with no other process (no SO_REUSEPORT) unless envoy.reuse_port asks for it', () => {
  const reusePort = (cfg: GatewayConfig) => (envoyBootstrap(cfg, { servicesSockets: [SOCKET] }) as Json).static_resources.listeners[0].enable_reuse_port;
  assert.equal(reusePort(gatewayConfig()), false);
  assert.equal(reusePort(gatewayConfig({ envoy: { adminPort: 0, concurrency: 1, extAuthz: 'http', reusePort: true } })), true);
});

test('listen.tls puts a downstream TLS context on the filter chain', () => {
  const b = envoyBootstrap(gatewayConfig({ listen: { address: '127.0.0.1', port: 9443, tls: { certFile: '/c/cert.pem', keyFile: '/c/key.pem' } } }), {
    servicesSockets: [SOCKET],
  }) as Json;
  const ts = b.static_resources.listeners[0].filter_chains[0].transport_socket;
  assert.equal(ts.name, 'envoy.transport_sockets.tls');
  assert.equal(ts.typed_config['@type'], 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext');
  assert.deepEqual(ts.typed_config.common_tls_context.tls_certificates, [
    { certificate_chain: { filename: '/c/cert.pem' }, private_key: { filename: '/c/key.pem' } },
  ]);
});

// --- the real Envoy, validate mode -------------------------------------------------------------

const ENVOY = path.join(toolsDir(), 'bin', 'envoy');

function validate(cfg: GatewayConfig, dir: string, name: string): void {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(envoyBootstrap(cfg, { servicesSockets: [path.join(dir, 'services-0.sock'), path.join(dir, 'services-1.sock')] }), null, 2));
  const r = spawnSync(ENVOY, ['--mode', 'validate', '-c', file, '--log-level', 'warn'], { encoding: 'utf8', timeout: 60_000 });
  assert.match(r.stdout + r.stderr, /configuration '.*' OK/, `${name}: ${r.stdout}\n${r.stderr}`);
  assert.equal(r.status, 0, `envoy --mode validate ${name} exited ${r.status} (${r.signal ?? ''}):\n${r.stdout}\n${r.stderr}`);
}

test('Envoy validates the bootstrap: plain, https backend, TLS listener', (t) => {
  assert.ok(existsSync(ENVOY), `no Envoy at ${ENVOY}. ${ENVOY_INSTALL_HINT}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bucketgate-envoy-validate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  validate(gatewayConfig(), dir, 'plain');
  validate(grpcAuthz(), dir, 'ext_authz over gRPC');
  validate(withHttps(), dir, 'https-backend');

  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', key, '-out', cert],
    { stdio: 'pipe' },
  );
  validate(
    withHttps({ listen: { address: '127.0.0.1', port: 9443, tls: { certFile: cert, keyFile: key }, domain: 's3.example.test' } }),
    dir,
    'tls-listener',
  );
});

test('Envoy validate mode does reject a broken bootstrap (the check above can fail)', (t) => {
  assert.ok(existsSync(ENVOY), `no Envoy at ${ENVOY}. ${ENVOY_INSTALL_HINT}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bucketgate-envoy-validate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'broken.json');
  const b = envoyBootstrap(gatewayConfig(), { servicesSockets: [path.join(dir, 's.sock')] }) as Json;
  (hcmOf(b).http_filters as Json[]).find((f) => f.name === 'envoy.filters.http.ext_proc').typed_config.processing_mode.request_body_mode = 'NOT_A_MODE';
  writeFileSync(file, JSON.stringify(b));
  const r = spawnSync(ENVOY, ['--mode', 'validate', '-c', file, '--log-level', 'critical'], { encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(r.status, 0);
});

test("Envoy's own replies are S3 XML with AWS's codes: authz down, backend down, huge headers, idle client", () => {
  const b = envoyBootstrap(gatewayConfig(), { servicesSockets: [SOCKET] }) as Json;
  const mappers = hcmOf(b).local_reply_config.mappers as Json[];
  const byCode = new Map(mappers.map((m) => [/<Code>(\w+)<\/Code>/.exec(m.body_format_override.text_format_source.inline_string)![1], m]));
  assert.deepEqual([...byCode.keys()].sort(), ['InternalError', 'RequestHeaderSectionTooLarge', 'RequestTimeout', 'ServiceUnavailable'].sort());
  const idle = byCode.get('RequestTimeout')!;
  assert.equal(idle.status_code, 400);
  assert.equal(idle.filter.status_code_filter.comparison.value.default_value, 408);
  for (const m of mappers) assert.equal(m.body_format_override.content_type, 'application/xml');
  // A retry that cannot replay a body past Envoy's buffer: Envoy's plain 507 becomes S3's 503.
  const insufficient = mappers.find((m) => m.filter.status_code_filter?.comparison.value.default_value === 507)!;
  assert.equal(insufficient.status_code, 503);
  assert.match(insufficient.body_format_override.text_format_source.inline_string, /<Code>ServiceUnavailable<\/Code>/);
});

test('CORS preflights of configured S3 buckets are routed by Envoy alone, to the real bucket, with no gRPC call', () => {
  const cfg = withHttps({
    buckets: [...gatewayConfig().buckets, { name: 'cdn', backend: 'aws', realName: 'prod-cdn' }, { name: 'files', backend: 'fs', realName: 'files' }],
    backends: [...withHttps().backends, { ...backend('fs', 9300), type: 'filesystem', filesystem: { path: '/data' } }],
  });
  const routes = hcmOf(envoyBootstrap(cfg, { servicesSockets: [SOCKET] }) as Json).route_config.virtual_hosts[0].routes as Json[];
  const preflights = routes.filter((r) => r.name?.startsWith('preflight_'));
  // Ahead of the routes that call the services; none for a filesystem backend (keys are checked in Node).
  assert.deepEqual(routes.slice(0, preflights.length), preflights);
  assert.deepEqual(preflights.map((r) => r.name), ['preflight_releases', 'preflight_archive', 'preflight_media', 'preflight_cdn']);
  const archive = preflights[1];
  assert.deepEqual(archive.match.path_separated_prefix, '/archive');
  assert.deepEqual(archive.route.regex_rewrite, { pattern: { regex: '^/archive' }, substitution: '/prod-archive-2024' });
  assert.equal(archive.route.host_rewrite_literal, '127.0.0.1:9100');
  assert.equal(archive.route.cluster, 'backend_versity');
  // A virtual-host backend: the real bucket moves into the host.
  assert.deepEqual(preflights[3].route.regex_rewrite, { pattern: { regex: '^/cdn/?' }, substitution: '/' });
  assert.equal(preflights[3].route.host_rewrite_literal, 'prod-cdn.s3.eu-west-3.amazonaws.com');
  // Neither service runs on it; only credential-free OPTIONS whose path Node would not refuse or decode.
  for (const f of ['envoy.filters.http.ext_authz', 'envoy.filters.http.ext_proc']) assert.equal(archive.typed_per_filter_config[f].disabled, true);
  const headers = Object.fromEntries(archive.match.headers.map((h: Json) => [h.name, h]));
  assert.deepEqual(headers[':method'].string_match, { exact: 'OPTIONS' });
  assert.deepEqual([headers.authorization.present_match, headers.authorization.invert_match], [true, true]);
  assert.deepEqual([headers['x-amz-copy-source'].present_match, headers['x-amz-copy-source'].invert_match], [true, true]);
  assert.equal(headers[':path'].invert_match, true);
  // Envoy's safe_regex must match the whole value.
  const whole = (re: string, flags = '') => new RegExp(`^(?:${re})$`, flags);
  const mustGoToNode = whole(headers[':path'].string_match.safe_regex.regex);
  for (const p of ['/archive/a?X-Amz-Signature=x', '/archive/%2e%2e/x', '/archive/../secret-stuff', '/archive/./k', '/archive//k', '/archive/a%20b']) assert.ok(mustGoToNode.test(p), p);
  // Conservative: a key segment starting with '.' goes to Node too, though only '.' and '..' are refused.
  assert.ok(mustGoToNode.test('/archive/.hidden'));
  for (const p of ['/archive', '/archive/', '/archive/dir/file.txt', '/archive/a.b/c..d']) assert.ok(!mustGoToNode.test(p), p);
  assert.equal(headers[':authority'], undefined, 'no domain: no virtual-host requests to tell apart');
  // With a domain, virtual-host style requests (bucket in the Host) go to Node.
  const vcfg = gatewayConfig({ listen: { address: '127.0.0.1', port: 9000, domain: 's3.example.test' } });
  const vroute = (hcmOf(envoyBootstrap(vcfg, { servicesSockets: [SOCKET] }) as Json).route_config.virtual_hosts[0].routes as Json[])[0];
  const authority = vroute.match.headers.find((h: Json) => h.name === ':authority');
  assert.equal(authority.invert_match, true);
  const vhost = whole(authority.string_match.safe_regex.regex.replace('(?i)', ''), 'i');
  assert.ok(vhost.test('releases.s3.example.test:9000') && vhost.test('Releases.S3.Example.Test'));
  assert.ok(!vhost.test('s3.example.test:9000') && !vhost.test('127.0.0.1:9000'));
});
