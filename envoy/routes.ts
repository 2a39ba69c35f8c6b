// The routes. First the CORS preflights Envoy routes by itself (preflight-routes.ts, no gRPC call) and
// the health endpoints (health-routes.ts);
// then two that follow the cluster header ext_authz sets: one, for requests ext_authz marked as
// needing ext_proc, runs it; the catch-all has ext_proc disabled, so a plain request costs one gRPC
// call. The catch-all also keeps ext_authz running for every other request: a request that matched
// no route before ext_authz would skip it.
import { shownRegion } from '../core/config/model.ts';
import type { GatewayConfig } from '../core/config/types.ts';
import { CLUSTER_HEADER, EXTPROC_HEADER, POST_OBJECT_METADATA_NAMESPACE, SOURCE_IP_HEADER } from '../wire/names.ts';
import { healthRoutes } from './health-routes.ts';
import { preflightRoutes } from './preflight-routes.ts';
import { EXT_PROC_PER_ROUTE } from './route-matching.ts';

/**
 * Responses carry the gateway's request id, not the backend's (x-amz-id-2 goes with the product headers,
 * envoy/fingerprints.ts), and the gateway's region where a backend names its own (HeadBucket: SDKs sign for it next).
 */
function responseHeaders(cfg: GatewayConfig) {
  return {
    response_headers_to_add: [
      { header: { key: 'x-amz-request-id', value: '%REQ(x-request-id)%' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'x-amz-bucket-region', value: shownRegion(cfg.listen) }, append_action: 'OVERWRITE_IF_EXISTS' },
    ],
  };
}

function forwarded(cfg: GatewayConfig) {
  return {
    route: { cluster_header: CLUSTER_HEADER, timeout: '0s' },
    request_headers_to_remove: [CLUSTER_HEADER, EXTPROC_HEADER, SOURCE_IP_HEADER],
    ...responseHeaders(cfg),
  };
}

/**
 * A backend connection that fails is tried again, at most twice. Refused, or closed before Envoy wrote
 * the request: safe for every operation. Closed after the request was written: Envoy cannot tell
 * whether the backend acted, so only the methods HTTP defines as idempotent are retried (S3's PUT and
 * DELETE are: the same bytes to the same key); a POST (CreateMultipartUpload, CompleteMultipartUpload,
 * a form) could act twice and is the client's to retry. A body past Envoy's buffer is never replayed.
 */
const IDEMPOTENT = { name: ':method', string_match: { safe_regex: { regex: 'GET|HEAD|PUT|DELETE|OPTIONS' } } };
const retry = (idempotent: boolean) => ({
  retry_on: idempotent ? 'connect-failure,reset' : 'connect-failure,reset-before-request',
  num_retries: 2,
});

type Route = { match: { prefix: string; headers?: object[] } } & Record<string, unknown>;

/** The route twice: idempotent methods first, with the wider retry, then every other method. */
function byIdempotence(r: Route): Route[] {
  const withRetry = (idempotent: boolean) => ({ ...r, route: { ...(r.route as object), retry_policy: retry(idempotent) } });
  return [{ ...withRetry(true), match: { ...r.match, headers: [...(r.match.headers ?? []), IDEMPOTENT] } }, withRetry(false)];
}

/** `health`: the /_/health and /_/ready routes (our own Envoy; a fragment for someone else's has none). */
export function routeConfig(cfg: GatewayConfig, { health = true } = {}) {
  return {
    name: 's3',
    virtual_hosts: [
      {
        name: 's3',
        domains: ['*'],
        routes: [
          ...preflightRoutes(cfg, responseHeaders(cfg)),
          ...(health ? healthRoutes(cfg) : []),
          ...byIdempotence({
            match: { prefix: '/', headers: [{ name: EXTPROC_HEADER, string_match: { exact: '1' } }] },
            ...forwarded(cfg),
            // A re-signed POST Object form has a new length, which Envoy does not let ext_proc set
            // in that body mode: ext_proc hands it over as dynamic metadata (clients cannot set
            // that), and it becomes content-length here. Other requests have none: no header.
            request_headers_to_add: [
              {
                header: { key: 'content-length', value: `%DYNAMIC_METADATA(${POST_OBJECT_METADATA_NAMESPACE}:content_length)%` },
                append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
                keep_empty_value: false,
              },
            ],
          }),
          ...byIdempotence({
            match: { prefix: '/' },
            ...forwarded(cfg),
            typed_per_filter_config: { 'envoy.filters.http.ext_proc': { '@type': EXT_PROC_PER_ROUTE, disabled: true } },
          }),
        ],
      },
    ],
  };
}
