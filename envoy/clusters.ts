// Envoy clusters: one per backend (TLS with SNI from the request's host for https endpoints), and
// the HTTP/2 cluster through which Envoy reaches our gRPC services (Unix sockets, or TCP for someone
// else's Envoy), and the HTTP/1.1 ones beside the workers: ext_authz over HTTP, and /_/ready.
import { isIP } from 'node:net';
import type { BackendConfig } from '../core/config/types.ts';
import type { ServicesAddress } from '../wire/address.ts';
import { AUTHZ_HTTP_CLUSTER, authzHttpSocket, clusterName, READY_CLUSTER, readySocket, SERVICES_CLUSTER } from '../wire/names.ts';

const SYSTEM_CA = '/etc/ssl/certs/ca-certificates.crt';

function httpOptions(extra: Record<string, unknown>) {
  return {
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
      '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
      ...extra,
    },
  };
}

/**
 * TLS to an upstream, verified with `caFile`. With `san`, its certificate must name that host or IP (the
 * backends' names follow each request's :authority instead: auto_san_validation on their cluster).
 */
function upstreamTls(caFile: string, sni: string | undefined, opts: { san?: string; alpn?: string[] } = {}) {
  const san = opts.san && { san_type: isIP(opts.san) ? 'IP_ADDRESS' : 'DNS', matcher: { exact: opts.san } };
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      ...(sni ? { sni } : {}),
      common_tls_context: {
        validation_context: { trusted_ca: { filename: caFile }, ...(san ? { match_typed_subject_alt_names: [san] } : {}) },
        ...(opts.alpn ? { alpn_protocols: opts.alpn } : {}),
      },
    },
  };
}

function address(a: { pipe: string } | { host: string; port: number }) {
  return 'pipe' in a ? { pipe: { path: a.pipe } } : { socket_address: { address: a.host, port_value: a.port } };
}

function loadAssignment(name: string, addresses: Array<{ pipe: string } | { host: string; port: number }>) {
  return { cluster_name: name, endpoints: [{ lb_endpoints: addresses.map((a) => ({ endpoint: { address: address(a) } })) }] };
}

/**
 * One endpoint per services worker (or process: Unix sockets or TCP); least-request balancing keeps a slow
 * one from queueing. With `caFile`, the services serve TLS (HTTP/2 by ALPN) and Envoy verifies them with it.
 */
export function servicesCluster(addresses: ServicesAddress[], caFile?: string) {
  const tcp = addresses.find((a): a is { host: string; port: number } => 'host' in a);
  return {
    name: SERVICES_CLUSTER,
    // A Kubernetes Service name is resolved (and re-resolved); sockets and IPs are static.
    type: addresses.some((a) => 'host' in a && !isIP(a.host)) ? 'STRICT_DNS' : 'STATIC',
    connect_timeout: '1s',
    lb_policy: 'LEAST_REQUEST',
    typed_extension_protocol_options: httpOptions({ explicit_http_config: { http2_protocol_options: {} } }),
    load_assignment: loadAssignment(SERVICES_CLUSTER, addresses.map((a) => ('socket' in a ? { pipe: a.socket } : a))),
    ...(caFile ? { transport_socket: upstreamTls(caFile, tcp && !isIP(tcp.host) ? tcp.host : undefined, { san: tcp?.host, alpn: ['h2'] }) } : {}),
  };
}

/** An HTTP/1.1 endpoint beside each worker's gRPC socket, one cluster for each kind. */
function besideWorkers(name: string, socketPaths: string[], socketOf: (s: string) => string) {
  return {
    name,
    type: 'STATIC',
    connect_timeout: '1s',
    lb_policy: 'LEAST_REQUEST',
    typed_extension_protocol_options: httpOptions({ explicit_http_config: { http_protocol_options: {} } }),
    load_assignment: loadAssignment(name, socketPaths.map((s) => ({ pipe: socketOf(s) }))),
  };
}

/** The workers' HTTP authorization endpoints (envoy.ext_authz: http). */
export const authzHttpCluster = (socketPaths: string[]) => besideWorkers(AUTHZ_HTTP_CLUSTER, socketPaths, authzHttpSocket);

/** The workers' readiness endpoints (/_/ready). */
export const readyCluster = (socketPaths: string[]) => besideWorkers(READY_CLUSTER, socketPaths, readySocket);

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
    ...(tls ? { transport_socket: upstreamTls(SYSTEM_CA, b.endpoint.host) } : {}),
  };
}
