// The names Envoy and the services agree on: headers ext_authz sets for the route, metadata
// namespaces, cluster names. One place, so that the bootstrap and both services cannot drift apart.

/** Envoy routes on this header (route `cluster_header`); ext_authz always sets it. */
export const CLUSTER_HEADER = 'x-bucketgate-cluster';

/**
 * '1' when the request needs ext_proc (a body or a response to change, an answer of the gateway's
 * own); '0' otherwise. ext_authz always sets it, so a client's value never survives, and the route
 * that enables ext_proc matches only '1'. Both headers are removed before the request goes upstream.
 */
export const EXTPROC_HEADER = 'x-bucketgate-extproc';

/** Namespace Envoy files ext_authz's dynamic metadata under. */
export const AUTHZ_METADATA_NAMESPACE = 'envoy.filters.http.ext_authz';
/** Namespace ext_proc files a re-signed POST Object form's length under (the route makes it content-length). */
export const POST_OBJECT_METADATA_NAMESPACE = 'bucketgate.post_object';

/** The HTTP/2 cluster through which Envoy reaches the gRPC services. */
export const SERVICES_CLUSTER = 'bucketgate_services';

// ext_authz over HTTP (envoy.ext_authz: http). Its answer cannot set pseudo-headers, so it sends the
// backend's :path and :authority as headers that a Lua filter moves into place; Envoy replaces the
// check request's content-length with 0, so the client's is copied aside before the check.

/** The HTTP/1.1 cluster through which Envoy reaches the authorization service's HTTP endpoint. */
export const AUTHZ_HTTP_CLUSTER = 'bucketgate_authz_http';
/** The backend's `:path?query`, exactly as signed; always set by the HTTP authorization answer. */
export const PATH_HEADER = 'x-bucketgate-path';
/** The backend's :authority; always set by the HTTP authorization answer. */
export const AUTHORITY_HEADER = 'x-bucketgate-authority';
/** The client's content-length, copied before the check (a client's own value is removed first). */
export const CONTENT_LENGTH_HEADER = 'x-bucketgate-content-length';
/** ext_proc's ticket in the HTTP answer; Envoy files it as dynamic metadata under the ext_authz namespace. */
export const WORK_HEADER = 'x-bucketgate-work';
/**
 * A denial's real status when it is 5xx: Envoy takes a 5xx check answer for a failed service (and drops
 * its body), so such a denial is answered as 403 with this header, which a Lua filter turns back.
 */
export const STATUS_HEADER = 'x-bucketgate-status';
/**
 * The client's address as Envoy determined it (the peer, or the X-Forwarded-For entry that
 * listen.xff_num_trusted_hops points at), port stripped: set, always overwriting a client's own, by the
 * first Lua filter; removed before the backend. Over gRPC without trusted hops, the check reads the
 * CheckRequest's source address instead and no filter is added.
 */
export const SOURCE_IP_HEADER = 'x-bucketgate-source-ip';

/** Whether the first Lua filter sets SOURCE_IP_HEADER: always over HTTP (the check is not told the peer), over gRPC only behind trusted proxies. */
export function sourceIpFromEdge(transport: 'http' | 'grpc', xffNumTrustedHops = 0): boolean {
  return transport === 'http' || xffNumTrustedHops > 0;
}

/**
 * What the access log says of a request ext_authz allowed, when the config has one: filed by Envoy under the
 * ext_authz metadata namespace, from the gRPC answer's metadata or the HTTP answer's headers (which go
 * nowhere else: not upstream, not to the client).
 */
export const ACCESS_LOG_FIELDS = {
  principal: 'x-bucketgate-log-principal',
  operation: 'x-bucketgate-log-operation',
  bucket: 'x-bucketgate-log-bucket',
} as const;

/** Envoy's ext_authz HTTP contract: request headers the answer asks to remove, comma-separated. */
export const HEADERS_TO_REMOVE_HEADER = 'x-envoy-auth-headers-to-remove';

/** Liveness (Envoy answers it itself) and readiness (a services worker answers it), on the gateway's port. */
export const HEALTH_PATH = '/_/health';
export const READY_PATH = '/_/ready';
/** The HTTP/1.1 cluster of the workers' readiness endpoints. */
export const READY_CLUSTER = 'bucketgate_ready';

/** A worker's readiness endpoint's Unix socket, beside its gRPC socket. */
export function readySocket(servicesSocket: string): string {
  return `${servicesSocket}.ready`;
}

/** The HTTP authorization endpoint's Unix socket, beside the worker's gRPC socket. */
export function authzHttpSocket(servicesSocket: string): string {
  return `${servicesSocket}.http`;
}

/** Every socket file a worker listens on: what a restart or exit removes. */
export function workerSocketFiles(servicesSocket: string): string[] {
  return [servicesSocket, authzHttpSocket(servicesSocket), readySocket(servicesSocket)];
}

/** Envoy cluster that carries a backend's traffic. Backend names are [a-z0-9_-], valid here. */
export function clusterName(backend: string): string {
  return `backend_${backend}`;
}
