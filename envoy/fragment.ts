// What a user adds to an Envoy they already run (`bucketgate envoy-config --fragment`): the same filters,
// routes and clusters as our own bootstrap, shaped to sit beside the user's own. Each filter is renamed
// `bucketgate.*` (so it cannot clash with one of theirs) and disabled by default: only the virtual host
// we hand over enables it, so the user's other routes run exactly as before. ext_authz goes over gRPC
// (one cluster for both services, reachable over TCP). Filesystem backends need the managed versitygw
// that only `bucketgate start` runs, so a config with one is refused here.
import { withoutLauncherProblem } from '../core/config/model.ts';
import type { GatewayConfig } from '../core/config/types.ts';
import type { ServicesAddress } from '../wire/address.ts';
import { s3ConnectionSettings } from './bootstrap.ts';
import { backendCluster, servicesCluster } from './clusters.ts';
import { httpFilters } from './filters.ts';
import { localReplyConfig } from './local-reply.ts';
import { routeConfig } from './routes.ts';

const ROUTER = 'envoy.filters.http.router';
const TYPE = 'type.googleapis.com/envoy.extensions.filters.http';

export class FragmentError extends Error {}

type Json = Record<string, any>;

/** `envoy.filters.http.ext_proc` → `bucketgate.ext_proc`; our Lua filters are `bucketgate.*` already. */
const renamed = (name: string) => name.replace(/^envoy\.filters\.http\./, 'bucketgate.');

function renameKeys(perFilter: Json | undefined): Json | undefined {
  return perFilter && Object.fromEntries(Object.entries(perFilter).map(([k, v]) => [renamed(k), v]));
}

/**
 * A filter disabled by default, and the per-route config that enables it on our virtual host: Envoy
 * refuses an empty one, so each kind gets a real one that changes nothing (Lua: the script by name;
 * header mutation: the mutations themselves, which the filter then lacks).
 */
function disabledByDefault(filter: Json): { filter: Json; enable: Json } {
  const { '@type': type, ...config } = filter.typed_config as Json;
  const off = (typed: Json) => ({ ...filter, name: renamed(filter.name), disabled: true, typed_config: { '@type': type, ...typed } });
  switch (type) {
    case `${TYPE}.ext_authz.v3.ExtAuthz`:
      return { filter: off(config), enable: { '@type': `${TYPE}.ext_authz.v3.ExtAuthzPerRoute`, check_settings: {} } };
    case `${TYPE}.ext_proc.v3.ExternalProcessor`:
      return { filter: off(config), enable: { '@type': `${TYPE}.ext_proc.v3.ExtProcPerRoute`, overrides: {} } };
    case `${TYPE}.lua.v3.Lua`:
      return {
        filter: off({ source_codes: { bucketgate: config.default_source_code } }),
        enable: { '@type': `${TYPE}.lua.v3.LuaPerRoute`, name: 'bucketgate' },
      };
    case `${TYPE}.header_mutation.v3.HeaderMutation`:
      return { filter: off({}), enable: { '@type': `${TYPE}.header_mutation.v3.HeaderMutationPerRoute`, mutations: config.mutations } };
    default:
      throw new Error(`no per-route enabling known for ${type}`);
  }
}

export interface EnvoyFragment {
  http_filters: Json[];
  virtual_host: Json;
  clusters: Json[];
  connection_manager: Json;
  local_reply_config: Json;
}

/** `servicesCa`: the services serve TLS, verified with this CA file. */
export function envoyFragment(cfg: GatewayConfig, services: ServicesAddress, servicesCa?: string): EnvoyFragment {
  const problem = withoutLauncherProblem(cfg.backends);
  if (problem) throw new FragmentError(problem);
  const filters = httpFilters('grpc', cfg.listen.xffNumTrustedHops).filter((f) => f.name !== ROUTER).map((f) => disabledByDefault(f));
  const vhost = routeConfig(cfg, { health: false }).virtual_hosts[0] as Json;
  const domain = cfg.listen.domain;
  return {
    http_filters: filters.map((f) => f.filter),
    virtual_host: {
      ...vhost,
      name: 'bucketgate_s3',
      domains: domain ? [domain, `*.${domain}`] : ['*'],
      // Each filter is enabled here and on no other virtual host.
      typed_per_filter_config: Object.fromEntries(filters.map((f) => [f.filter.name, f.enable])),
      routes: (vhost.routes as Json[]).map((r) => (r.typed_per_filter_config ? { ...r, typed_per_filter_config: renameKeys(r.typed_per_filter_config) } : r)),
    },
    clusters: [servicesCluster([services], servicesCa), ...cfg.backends.map(backendCluster)],
    connection_manager: s3ConnectionSettings(cfg),
    local_reply_config: localReplyConfig(),
  };
}
