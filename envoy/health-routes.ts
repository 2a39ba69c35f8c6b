// /_/health and /_/ready on the gateway's own port, for load balancers and Kubernetes probes, without
// authentication. `_` is no valid bucket name, so a path-style request can never mean these; a
// virtual-host style one (`bucket.<domain>/_/health`) names the key `_/health` and stays S3's, and so
// does every method but GET and HEAD. Live: Envoy answers it itself. Ready: a services worker answers
// (none up: Envoy's 503), and only once every backend accepts connections. Both come before admission
// rules and authentication: a probe from the kubelet's network must work wherever clients are refused.
import type { GatewayConfig } from '../core/config/types.ts';
import { HEALTH_PATH, READY_CLUSTER, READY_PATH, SOURCE_IP_HEADER } from '../wire/names.ts';
import { notVirtualHostStyle, WITHOUT_SERVICES } from './route-matching.ts';

function probe(cfg: GatewayConfig, path: string) {
  return { path, headers: [{ name: ':method', string_match: { safe_regex: { regex: 'GET|HEAD' } } }, ...notVirtualHostStyle(cfg)] };
}

export function healthRoutes(cfg: GatewayConfig) {
  return [
    {
      name: 'health',
      match: probe(cfg, HEALTH_PATH),
      direct_response: { status: 200, body: { inline_string: 'live\n' } },
      request_headers_to_remove: [SOURCE_IP_HEADER],
      response_headers_to_add: [{ header: { key: 'content-type', value: 'text/plain' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
      typed_per_filter_config: WITHOUT_SERVICES,
    },
    {
      name: 'ready',
      match: probe(cfg, READY_PATH),
      route: { cluster: READY_CLUSTER, timeout: '5s' },
      request_headers_to_remove: [SOURCE_IP_HEADER],
      typed_per_filter_config: WITHOUT_SERVICES,
    },
  ];
}
