// Generates Envoy's whole bootstrap from the gateway config: one listener with ext_authz ->
// ext_proc -> router, one cluster per backend, admin on loopback only.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { shownRegion } from '../core/config/model.ts';
import type { GatewayConfig } from '../core/config/types.ts';
import { AUTHZ_METADATA_NAMESPACE, POST_OBJECT_METADATA_NAMESPACE } from '../core/route-decision.ts';
import { CLUSTER_HEADER } from '../authz/server.ts';
import { backendCluster, SERVICES_CLUSTER, servicesCluster } from './clusters.ts';
import { localReplyConfig } from './local-reply.ts';

export interface BootstrapOptions {
  /** Unix sockets on which the gRPC services (ext_authz + ext_proc) listen, one per worker. */
  servicesSockets: string[];
}

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

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
      // Request headers only: bodies never pass through Node on this path (signed aws-chunked uploads and
      // POST Object forms switch a body phase on per request). Response phases are
      // switched on per request (mode_override) where a response body must be rewritten.
      processing_mode: {
        request_header_mode: 'SEND', response_header_mode: 'SKIP', request_body_mode: 'NONE',
        response_body_mode: 'NONE', request_trailer_mode: 'SKIP', response_trailer_mode: 'SKIP',
      },
      allow_mode_override: true,
      message_timeout: '5s',
      max_message_timeout: '30s',
      mutation_rules: { allow_all_routing: true },
      // Only what ext_proc reads: fewer headers are less for Envoy to encode and Node to decode.
      forward_rules: {
        allowed_headers: {
          patterns: [
            { prefix: 'x-amz-' },
            ...[':path', ':method', ':authority', ':scheme', ':status', 'authorization', 'content-md5', 'content-type', 'content-length', 'location', 'x-request-id'].map((exact) => ({ exact })),
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

function downstreamTls(cfg: GatewayConfig) {
  const tls = cfg.listen.tls;
  if (!tls) return {};
  return {
    transport_socket: {
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
        common_tls_context: {
          tls_certificates: [{ certificate_chain: { filename: tls.certFile }, private_key: { filename: tls.keyFile } }],
        },
      },
    },
  };
}

function listener(cfg: GatewayConfig) {
  return {
    name: 's3',
    address: { socket_address: { address: cfg.listen.address, port_value: cfg.listen.port } },
    filter_chains: [
      {
        ...downstreamTls(cfg),
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': HCM,
              stat_prefix: 's3',
              codec_type: 'AUTO',
              // The backend's Server header would name it.
              server_name: 'Bucketgate',
              server_header_transformation: 'OVERWRITE',
              // Authorize exactly the path the backend receives: Envoy must not rewrite it.
              normalize_path: false,
              merge_slashes: false,
              path_with_escaped_slashes_action: 'KEEP_UNCHANGED',
              // Large objects stream for as long as they take; idle connections are cut.
              request_timeout: '0s',
              stream_idle_timeout: '300s',
              local_reply_config: localReplyConfig(),
              route_config: {
                name: 's3',
                virtual_hosts: [
                  {
                    name: 's3',
                    domains: ['*'],
                    routes: [
                      {
                        match: { prefix: '/' },
                        route: { cluster_header: CLUSTER_HEADER, timeout: '0s' },
                        request_headers_to_remove: [CLUSTER_HEADER],
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
                        // Responses carry the gateway's request id, not the backend's, and the gateway's region
                        // where a backend names its own (HeadBucket: SDKs sign for it next).
                        response_headers_to_remove: ['x-amz-id-2'],
                        response_headers_to_add: [
                          { header: { key: 'x-amz-request-id', value: '%REQ(x-request-id)%' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
                          { header: { key: 'x-amz-bucket-region', value: shownRegion(cfg.listen) }, append_action: 'OVERWRITE_IF_EXISTS' },
                        ],
                      },
                    ],
                  },
                ],
              },
              http_filters: [
                extAuthzFilter(),
                extProcFilter(),
                luaFilter('bucketgate.error_hygiene', 'error-hygiene.lua'),
                { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } },
              ],
            },
          },
        ],
      },
    ],
  };
}

export function envoyBootstrap(cfg: GatewayConfig, opts: BootstrapOptions) {
  return {
    node: { id: 'bucketgate', cluster: 'bucketgate' },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: cfg.envoy.adminPort } } },
    layered_runtime: {
      layers: [
        {
          name: 'static',
          // Without graceful close, Node's HTTP/2 stack reads Envoy's per-stream resets as an attack.
          static_layer: { 'envoy.reloadable_features.ext_proc_graceful_grpc_close': true },
        },
      ],
    },
    static_resources: {
      listeners: [listener(cfg)],
      clusters: [servicesCluster(opts.servicesSockets), ...cfg.backends.map(backendCluster)],
    },
  };
}
