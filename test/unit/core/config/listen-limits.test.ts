// core/config/sections/listen.ts `limits` and what envoy/bootstrap.ts makes of them: every limit has a
// default a public endpoint can live with, each can be set within its bounds, and each reaches Envoy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS } from '../../../../core/config/sections/listen.ts';
import { envoyBootstrap } from '../../../../envoy/bootstrap.ts';
import { doc, lint, onlyProblem } from '../../fixtures/config/helpers.ts';

const withLimits = (limits: string) => doc({}, [`listen: { limits: ${limits} }`]);

test('defaults when unset; each limit as configured', () => {
  assert.deepEqual(lint(doc({}, [])).config!.listen.limits, DEFAULT_LIMITS);
  const { problems, config } = lint(withLimits('{ max_connections: 50, max_request_headers_kb: 16, max_headers: 60, request_headers_timeout: 3, idle_timeout: 30, max_concurrent_streams: 8 }'));
  assert.deepEqual(problems, []);
  assert.deepEqual(config!.listen.limits, { maxConnections: 50, maxRequestHeadersKb: 16, maxHeaders: 60, requestHeadersTimeout: 3, idleTimeout: 30, maxConcurrentStreams: 8 });
  assert.deepEqual(lint(withLimits('{ max_headers: 50 }')).config!.listen.limits, { ...DEFAULT_LIMITS, maxHeaders: 50 });
});

test('out of bounds, of the wrong type, or unknown: refused at the field', () => {
  const zero = onlyProblem(withLimits('{ max_connections: 0 }'), '/listen/limits/max_connections', 12);
  assert.match(zero.message, /must be a whole number of connections from 1 to 1000000/);
  onlyProblem(withLimits('{ max_request_headers_kb: 97 }'), '/listen/limits/max_request_headers_kb', 12);
  onlyProblem(withLimits('{ max_headers: 10 }'), '/listen/limits/max_headers', 12);
  onlyProblem(withLimits('{ request_headers_timeout: 1.5 }'), '/listen/limits/request_headers_timeout', 12);
  onlyProblem(withLimits('{ idle_timeout: "5m" }'), '/listen/limits/idle_timeout', 12);
  onlyProblem(withLimits('{ max_streams: 5 }'), '/listen/limits/max_streams', 12);
});

test('the bootstrap: header limits and timeouts on the listener, the connection cap in the overload manager', () => {
  const config = lint(withLimits('{ max_connections: 50, max_request_headers_kb: 16, max_headers: 60, request_headers_timeout: 3, idle_timeout: 30, max_concurrent_streams: 8 }')).config!;
  const boot = envoyBootstrap(config, { servicesSockets: ['/tmp/s.sock'] }) as any;
  const hcm = boot.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  assert.equal(hcm.max_request_headers_kb, 16);
  assert.equal(hcm.request_headers_timeout, '3s');
  assert.deepEqual(hcm.common_http_protocol_options, { max_headers_count: 60, idle_timeout: '30s' });
  assert.deepEqual(hcm.http2_protocol_options, { max_concurrent_streams: 8 });
  const [monitor] = boot.overload_manager.resource_monitors;
  assert.equal(monitor.name, 'envoy.resource_monitors.global_downstream_max_connections');
  assert.equal(monitor.typed_config.max_active_downstream_connections, 50);
  // A config built in code without limits gets the defaults.
  const bare = envoyBootstrap({ ...config, listen: { address: '127.0.0.1', port: 9000 } }, { servicesSockets: ['/tmp/s.sock'] }) as any;
  assert.equal(bare.overload_manager.resource_monitors[0].typed_config.max_active_downstream_connections, DEFAULT_LIMITS.maxConnections);
});
