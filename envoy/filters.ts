// The listener's HTTP filters, in order. ext_authz over HTTP (the default): check edge (Lua: the
// client's content-length for the check; a 5xx denial's status; error hygiene), ext_authz (identity,
// policy, the backend request's headers), request target (Lua: the backend's :path and :authority),
// ext_proc (only on the route that needs it: bodies and responses), router. Over gRPC: ext_authz,
// ext_proc, error hygiene, router.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExtAuthzTransport } from '../core/config/sections/runtime.ts';
import {
  ACCESS_LOG_FIELDS,
  AUTHORITY_HEADER,
  AUTHZ_HTTP_CLUSTER,
  AUTHZ_METADATA_NAMESPACE,
  CLUSTER_HEADER,
  EXTPROC_HEADER,
  PATH_HEADER,
  POST_OBJECT_METADATA_NAMESPACE,
  SERVICES_CLUSTER,
  STATUS_HEADER,
  WORK_HEADER,
  sourceIpFromEdge,
} from '../wire/names.ts';
import { REQUEST_HEADERS_ONLY } from '../wire/modes.ts';
import { fingerprintFilter } from './fingerprints.ts';

const exact = (names: string[]) => ({ patterns: names.map((name) => ({ exact: name })) });

/** What the HTTP answer may set on the request (it always sets every one it needs, overwriting). */
const AUTHZ_UPSTREAM_HEADERS = [
  CLUSTER_HEADER, EXTPROC_HEADER, PATH_HEADER, AUTHORITY_HEADER,
  'authorization', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-copy-source', 'accept-encoding',
];

/** The HTTP check: every request header (SigV4 may sign any), the answer's headers, the ticket and the access log's fields as metadata. */
function httpService() {
  return {
    http_service: {
      server_uri: { uri: 'http://bucketgate-authz', cluster: AUTHZ_HTTP_CLUSTER, timeout: '2s' },
      authorization_response: {
        allowed_upstream_headers: exact(AUTHZ_UPSTREAM_HEADERS),
        // A denial reaches the client with its status, S3 XML body and these.
        allowed_client_headers: exact(['content-type', 'x-amz-request-id', STATUS_HEADER]),
        dynamic_metadata_from_headers: exact([WORK_HEADER, ...Object.values(ACCESS_LOG_FIELDS)]),
      },
    },
    allowed_headers: { patterns: [{ safe_regex: { regex: '.+' } }] },
  };
}

function extAuthzFilter(transport: ExtAuthzTransport) {
  return {
    name: 'envoy.filters.http.ext_authz',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz',
      ...(transport === 'http' ? httpService() : { grpc_service: { envoy_grpc: { cluster_name: SERVICES_CLUSTER }, timeout: '2s' } }),
      transport_api_version: 'V3',
      // Fail closed: an unreachable or failing authorization service denies (503, S3 XML body).
      failure_mode_allow: false,
      status_on_error: { code: 503 },
      // The route is chosen by the cluster header that ext_authz sets, so re-resolve it after.
      clear_route_cache: true,
    },
  };
}

function extProcFilter() {
  return {
    name: 'envoy.filters.http.ext_proc',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor',
      grpc_service: { envoy_grpc: { cluster_name: SERVICES_CLUSTER }, timeout: '30s' },
      failure_mode_allow: false,
      // Enabled only on the route for requests ext_authz marked (envoy/routes.ts). Request headers only:
      // signed aws-chunked uploads and POST Object forms switch a body phase on per request, and response
      // phases are switched on per request (mode_override) where a response body must be rewritten.
      processing_mode: REQUEST_HEADERS_ONLY,
      allow_mode_override: true,
      message_timeout: '5s',
      max_message_timeout: '30s',
      mutation_rules: { allow_all_routing: true },
      // Every header: the decisions ext_proc makes for ext_authz (a filtered listing's entries, a batch's
      // keys, a POST form) must see the request as ext_authz saw it, and a batch signed again needs
      // every header ext_authz signed. Only the few requests ext_authz marks come here.
      metadata_options: {
        forwarding_namespaces: { untyped: [AUTHZ_METADATA_NAMESPACE] },
        // The length of a re-signed POST Object form, for the route's request_headers_to_add.
        receiving_namespaces: { untyped: [POST_OBJECT_METADATA_NAMESPACE] },
      },
    },
  };
}

/** A Lua filter running the scripts beside this module, in order as one chunk, read at generation time and inlined. */
function luaFilter(name: string, ...scripts: string[]) {
  const source = scripts.map((script) => readFileSync(fileURLToPath(new URL(`./${script}`, import.meta.url)), 'utf8'));
  return {
    name,
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua',
      default_source_code: { inline_string: source.join('\n') },
    },
  };
}

// suppress_envoy_headers: no x-envoy-upstream-service-time (or other x-envoy-*) tells a client what runs here.
const ROUTER = {
  name: 'envoy.filters.http.router',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router', suppress_envoy_headers: true },
};

export function httpFilters(transport: ExtAuthzTransport, xffNumTrustedHops = 0) {
  if (transport === 'grpc') {
    // Behind trusted proxies the check's source address (the peer) is not the client: Envoy's trusted address goes as a header.
    const sourceIp = sourceIpFromEdge(transport, xffNumTrustedHops) ? [luaFilter('bucketgate.source_ip', 'source-ip.lua', 'source-ip-only.lua')] : [];
    return [...sourceIp, extAuthzFilter('grpc'), extProcFilter(), luaFilter('bucketgate.error_hygiene', 'error-hygiene.lua', 'error-hygiene-only.lua'), fingerprintFilter(), ROUTER];
  }
  // Error hygiene sits first here, so that it also sees the check's denials (local replies).
  return [
    luaFilter('bucketgate.check_edge', 'error-hygiene.lua', 'source-ip.lua', 'check-edge.lua'),
    extAuthzFilter('http'),
    luaFilter('bucketgate.request_target', 'request-target.lua'),
    extProcFilter(),
    fingerprintFilter(),
    ROUTER,
  ];
}
