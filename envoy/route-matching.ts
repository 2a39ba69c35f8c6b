// Pieces the routes Envoy answers without the services share: which requests are not virtual-host
// style (the bucket is in the Host, so the path is a key), and switching the services' filters off.
import type { GatewayConfig } from '../core/config/types.ts';

const EXT_AUTHZ_PER_ROUTE = 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute';
export const EXT_PROC_PER_ROUTE = 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExtProcPerRoute';

export const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Header matchers that leave out virtual-host style requests (`bucket.<listen.domain>`); none without a domain. */
export function notVirtualHostStyle(cfg: GatewayConfig): object[] {
  return cfg.listen.domain === undefined
    ? []
    : [{ name: ':authority', string_match: { safe_regex: { regex: String.raw`(?i).+\.${escapeRe(cfg.listen.domain)}(:\d+)?` } }, invert_match: true }];
}

/** Neither ext_authz nor ext_proc runs on the route: Envoy answers (or forwards) by itself. */
export const WITHOUT_SERVICES = {
  'envoy.filters.http.ext_authz': { '@type': EXT_AUTHZ_PER_ROUTE, disabled: true },
  'envoy.filters.http.ext_proc': { '@type': EXT_PROC_PER_ROUTE, disabled: true },
};
