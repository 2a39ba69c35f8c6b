// Generates Envoy's whole bootstrap from the gateway config: one listener with ext_authz ->
// ext_proc -> router (filters.ts, routes.ts), one cluster per backend, admin on loopback only.
import type { GatewayConfig } from '../core/config/types.ts';
import { DEFAULT_LIMITS, type ListenLimits } from '../core/config/sections/listen.ts';
import { accessLogs } from './access-log.ts';
import { authzHttpCluster, backendCluster, readyCluster, servicesCluster } from './clusters.ts';
import { httpFilters } from './filters.ts';
import { localReplyConfig } from './local-reply.ts';
import { routeConfig } from './routes.ts';

export interface BootstrapOptions {
  /** Unix sockets on which the gRPC services (ext_authz + ext_proc) listen, one per worker. */
  servicesSockets: string[];
}

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

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

const limitsOf = (cfg: GatewayConfig): ListenLimits => cfg.listen.limits ?? DEFAULT_LIMITS;

/** What one request may send and how long it may take to: README "Limits". */
function headerLimits(l: ListenLimits) {
  return {
    max_request_headers_kb: l.maxRequestHeadersKb,
    request_headers_timeout: `${l.requestHeadersTimeout}s`,
    common_http_protocol_options: { max_headers_count: l.maxHeaders, idle_timeout: `${l.idleTimeout}s` },
    http2_protocol_options: { max_concurrent_streams: l.maxConcurrentStreams },
  };
}

/** Connections over all of Envoy's workers: past the limit new ones are refused at accept. */
function overloadManager(l: ListenLimits) {
  return {
    resource_monitors: [{
      name: 'envoy.resource_monitors.global_downstream_max_connections',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig',
        max_active_downstream_connections: l.maxConnections,
      },
    }],
  };
}

/** The connection manager's settings S3 needs, in whoever's Envoy it runs (envoy/fragment.ts names them too). */
export function s3ConnectionSettings(cfg: GatewayConfig) {
  return {
    // Authorize exactly the path the backend receives: Envoy must not rewrite it.
    normalize_path: false,
    merge_slashes: false,
    path_with_escaped_slashes_action: 'KEEP_UNCHANGED',
    // The client's address (policies' request.sourceIp, admission rules) is the connection's
    // peer, or behind trusted proxies the X-Forwarded-For entry they vouch for: never a header
    // a client chose (without use_remote_address Envoy would believe the last XFF entry).
    use_remote_address: true,
    xff_num_trusted_hops: cfg.listen.xffNumTrustedHops ?? 0,
    // Expect: 100-continue goes to the backend, which answers it once the request reached it:
    // a refused upload is refused before its client sends the body (Envoy would say 100 at once).
    proxy_100_continue: true,
    // Large objects stream for as long as they take; idle connections are cut.
    request_timeout: '0s',
    stream_idle_timeout: '300s',
  };
}

function listener(cfg: GatewayConfig) {
  return {
    name: 's3',
    address: { socket_address: { address: cfg.listen.address, port_value: cfg.listen.port } },
    // Envoy's default (true) lets a second process share the port unnoticed: off unless configured.
    enable_reuse_port: cfg.envoy.reusePort ?? false,
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
              ...s3ConnectionSettings(cfg),
              ...headerLimits(limitsOf(cfg)),
              local_reply_config: localReplyConfig(),
              access_log: accessLogs(cfg.accessLog),
              route_config: routeConfig(cfg),
              http_filters: httpFilters(cfg.envoy.extAuthz, cfg.listen.xffNumTrustedHops),
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
    overload_manager: overloadManager(limitsOf(cfg)),
    static_resources: {
      listeners: [listener(cfg)],
      clusters: [
        servicesCluster(opts.servicesSockets.map((socket) => ({ socket }))),
        ...(cfg.envoy.extAuthz === 'http' ? [authzHttpCluster(opts.servicesSockets)] : []),
        readyCluster(opts.servicesSockets),
        ...cfg.backends.map(backendCluster),
      ],
    },
  };
}
