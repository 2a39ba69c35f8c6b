// CORS preflights that Envoy routes by itself, with no gRPC call: a browser's OPTIONS carries no
// credentials, so there is no one to authenticate, and for a configured bucket the route (backend,
// real bucket) is known when the config is loaded. The backend answers from the bucket's CORS rules.
//
// Only requests whose decision needs nothing from Node take this route; anything else goes to
// ext_authz as before (authz/decide.ts routes preflights there too): a path with a query, a
// percent-escape (keys are decoded and checked in Node), a dot segment or '//'; any credential or
// x-amz-* query parameter; a copy-source header (refused by shape); a virtual-host style request
// (the bucket is in the Host); buckets on filesystem backends (keys are checked against the tree); and
// every preflight when the config has admission rules.
import { backendAuthority } from '../core/backend-authority.ts';
import type { BackendConfig, GatewayConfig } from '../core/config/types.ts';
import { clusterName, SOURCE_IP_HEADER } from '../wire/names.ts';
import { escapeRe, notVirtualHostStyle, WITHOUT_SERVICES } from './route-matching.ts';

/** What must not be in :path (Envoy's safe_regex matches the whole value; RE2 has no lookahead). */
const NEEDS_NODE_IN_PATH = String.raw`.*([?%]|/\.|//).*`;

function matchers(cfg: GatewayConfig) {
  const absent = (name: string) => ({ name, present_match: true, invert_match: true });
  return [
    { name: ':method', string_match: { exact: 'OPTIONS' } },
    absent('authorization'),
    absent('x-amz-copy-source'),
    { name: ':path', string_match: { safe_regex: { regex: NEEDS_NODE_IN_PATH } }, invert_match: true },
    ...notVirtualHostStyle(cfg),
  ];
}

function rewrite(b: BackendConfig, bucket: string, realBucket: string) {
  const prefix = `^/${escapeRe(bucket)}`;
  return b.addressing === 'virtual'
    ? { regex_rewrite: { pattern: { regex: `${prefix}/?` }, substitution: '/' }, host_rewrite_literal: backendAuthority(b, realBucket) }
    : { regex_rewrite: { pattern: { regex: prefix }, substitution: `/${realBucket}` }, host_rewrite_literal: backendAuthority(b, realBucket) };
}

/**
 * One route per configured bucket on an S3 backend, ahead of the routes that call the services; none
 * when there are admission rules, which must see every request (a preflight too: a blocked network).
 */
export function preflightRoutes(cfg: GatewayConfig, responseHeaders: object) {
  if ((cfg.admission ?? []).length > 0) return [];
  const backends = new Map(cfg.backends.map((b) => [b.name, b]));
  return cfg.buckets.flatMap((bucket) => {
    const b = backends.get(bucket.backend)!;
    if (b.type === 'filesystem') return [];
    return [{
      name: `preflight_${bucket.name}`,
      match: { path_separated_prefix: `/${bucket.name}`, headers: matchers(cfg) },
      route: { cluster: clusterName(b.name), timeout: '30s', ...rewrite(b, bucket.name, bucket.realName) },
      request_headers_to_remove: [SOURCE_IP_HEADER],
      ...responseHeaders,
      typed_per_filter_config: WITHOUT_SERVICES,
    }];
  });
}
