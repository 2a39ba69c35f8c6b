// Envoy clusters: one per backend (TLS with SNI from the request's host for https endpoints), and
// the HTTP/2 cluster through which Envoy reaches our gRPC services on a Unix socket, and the HTTP/1.1
// one for ext_authz over HTTP.
import { isIP } from 'node:net';
import type { BackendConfig } from '../core/config/types.ts';
import type { ServicesAddress } from '../wire/address.ts';
import { AUTHZ_HTTP_CLUSTER, authzHttpSocket, clusterName, SERVICES_CLUSTER } from '../wire/names.ts';

const SYSTEM_CA = '/etc/ssl/certs/ca-certificates.crt';

function httpOptions(extra: Record<string, unknown>) {
  return {
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
      '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
      ...extra,
    },
  };
}

function address(a: { pipe: string } | { host: string; port: number }) {
  return 'pipe' in a ? { pipe: { path: a.pipe } } : { socket_address: { address: a.host, port_value: a.port } };
}

function loadAssignment(name: string, addresses: Array<{ pipe: string } | { host: string; port: number }>) {
  return { cluster_name: name, endpoints: [{ lb_endpoints: addresses.map((a) => ({ endpoint: { address: address(a) } })) }] };
}

/** One endpoint per services worker (or process: Unix sockets or TCP); least-request balancing keeps a slow one from queueing. */
export function servicesCluster(addresses: ServicesAddress[]) {
  return {
    name: SERVICES_CLUSTER,
    type: 'STATIC',
    connect_timeout: '1s',
    lb_policy: 'LEAST_REQUEST',
    typed_extension_protocol_options: httpOptions({ explicit_http_config: { http2_protocol_options: {} } }),
    load_assignment: loadAssignment(SERVICES_CLUSTER, addresses.map((a) => ('socket' in a ? { pipe: a.socket } : a))),
  };
}

/** The same workers' HTTP/1.1 authorization endpoints (envoy.ext_authz: http), one socket beside each. */
export function authzHttpCluster(socketPaths: string[]) {
  return {
    name: AUTHZ_HTTP_CLUSTER,
    type: 'STATIC',
    connect_timeout: '1s',
    lb_policy: 'LEAST_REQUEST',
    typed_extension_protocol_options: httpOptions({ explicit_http_config: { http_protocol_options: {} } }),
    load_assignment: loadAssignment(AUTHZ_HTTP_CLUSTER, socketPaths.map((s) => ({ pipe: authzHttpSocket(s) }))),
  };
}

export function backendCluster(b: BackendConfig) {
  const name = clusterName(b.name);
  const tls = b.endpoint.scheme === 'https';
  return {
    name,
    type: isIP(b.endpoint.host) ? 'STATIC' : 'STRICT_DNS',
    dns_lookup_family: 'V4_PREFERRED',
    connect_timeout: '5s',
    // Virtual-host backends see a different host per bucket: SNI and SAN checks follow :authority.
    typed_extension_protocol_options: httpOptions({
      explicit_http_config: { http_protocol_options: {} },
      ...(tls ? { upstream_http_protocol_options: { auto_sni: true, auto_san_validation: true } } : {}),
    }),
    load_assignment: loadAssignment(name, [{ host: b.endpoint.host, port: b.endpoint.port }]),
    ...(tls
      ? {
          transport_socket: {
            name: 'envoy.transport_sockets.tls',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
              sni: b.endpoint.host,
              common_tls_context: { validation_context: { trusted_ca: { filename: SYSTEM_CA } } },
            },
          },
        }
      : {}),
  };
}
