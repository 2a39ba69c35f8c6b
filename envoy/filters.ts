// The listener's HTTP filters, in order: ext_authz (identity, policy, and the backend request's
// headers), ext_proc (only on the route that needs it: bodies and responses), error hygiene, router.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AUTHZ_METADATA_NAMESPACE, POST_OBJECT_METADATA_NAMESPACE, SERVICES_CLUSTER } from '../wire/names.ts';
import { REQUEST_HEADERS_ONLY } from '../wire/modes.ts';

function extAuthzFilter() {
  return {
    name: 'envoy.filters.http.ext_authz',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz',
      grpc_service: { envoy_grpc: { cluster_name: SERVICES_CLUSTER }, timeout: '2s' },
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
      // Only what ext_proc reads: fewer headers are less for Envoy to encode and Node to decode.
      forward_rules: {
        allowed_headers: {
          patterns: [
            ...[':path', ':scheme', ':status', 'content-type', 'content-length', 'location', 'x-request-id', 'x-amz-content-sha256', 'x-amz-decoded-content-length']
              .map((exact) => ({ exact })),
          ],
        },
      },
      metadata_options: {
        forwarding_namespaces: { untyped: [AUTHZ_METADATA_NAMESPACE] },
        // The length of a re-signed POST Object form, for the route's request_headers_to_add.
        receiving_namespaces: { untyped: [POST_OBJECT_METADATA_NAMESPACE] },
      },
    },
  };
}

/** A Lua filter running the script beside this module, read at generation time and inlined. */
function luaFilter(name: string, script: string) {
  return {
    name,
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua',
      default_source_code: { inline_string: readFileSync(fileURLToPath(new URL(`./${script}`, import.meta.url)), 'utf8') },
    },
  };
}

export function httpFilters() {
  return [
    extAuthzFilter(),
    extProcFilter(),
    luaFilter('bucketgate.error_hygiene', 'error-hygiene.lua'),
    { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } },
  ];
}
