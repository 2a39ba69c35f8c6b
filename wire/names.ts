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

/** Envoy cluster that carries a backend's traffic. Backend names are [a-z0-9_-], valid here. */
export function clusterName(backend: string): string {
  return `backend_${backend}`;
}
