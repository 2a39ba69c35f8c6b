// The fragment as the YAML a user reads and merges: each part says where it goes and why its settings matter.
import { Document, isMap, isScalar } from 'yaml';
import type { EnvoyFragment } from './fragment.ts';

const HEADER = `Bucketgate for an Envoy you run (bucketgate envoy-config --fragment). Merge each part below into
your bootstrap; the services run beside it (bucketgate services --listen ADDR, the address the
bucketgate_services cluster names). Nothing here changes your other listeners, virtual hosts or routes.`;

const WHERE: Record<keyof EnvoyFragment, string> = {
  http_filters: `Into the http_filters of the HTTP connection manager that serves S3, in this order, before your
router. Each is disabled by default and enabled only by the virtual host below. ext_authz fails closed
(failure_mode_allow: false: an unreachable service denies with 503) and clears the route cache, because
the route follows the cluster header it sets; ext_proc is enabled only on the route for the requests
ext_authz marked, in request-headers mode with per-request overrides, allow_all_routing for the
re-signed :path and :authority, and timeouts that bound a stalled body.`,
  virtual_host: `Into that manager's route_config.virtual_hosts. domains: the host names S3 clients use,
listen.domain and its subdomains for virtual-host style buckets; Envoy matches the port a client sends
too, so on a port other than 80/443 set route_config.ignore_port_in_host_matching: true. The
routes: CORS preflights, then the request ext_authz sends to ext_proc, then the rest; a connection to a
backend that fails before the backend acted is retried.`,
  clusters: `Into static_resources.clusters: the services (HTTP/2, gRPC for both ext_authz and ext_proc) and one
cluster per backend, named as ext_authz names them.`,
  connection_manager: `Settings of that connection manager S3 needs: paths reach ext_authz exactly as signed (no
normalization or slash merging), the client address comes from the connection (or from trusted
X-Forwarded-For hops, listen.xff_num_trusted_hops), Expect: 100-continue waits for the backend, and large
objects are not cut by a request timeout. They apply to your other routes too: check they suit them.`,
  local_reply_config: `Optional, for the same connection manager: Envoy's own replies (an unreachable backend or service)
as S3 XML errors. It applies to every reply that manager generates, your routes' included; without it,
those replies stay Envoy's plain text.`,
};

export function fragmentYaml(fragment: EnvoyFragment): string {
  const doc = new Document(fragment);
  doc.commentBefore = ` ${HEADER.replaceAll('\n', '\n ')}`;
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      if (isScalar(pair.key)) pair.key.commentBefore = ` ${WHERE[pair.key.value as keyof EnvoyFragment].replaceAll('\n', '\n ')}`;
    }
  }
  return doc.toString({ lineWidth: 0 });
}
