// The gateway's runtime model of the one YAML config. The YAML is snake_case (the user's interface);
// this model is camelCase and fully resolved: ${env:}/${file:} references replaced, defaults applied.

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface TlsConfig {
  certFile: string;
  keyFile: string;
}

export interface ListenConfig {
  address: string;
  port: number;
  tls?: TlsConfig;
  /** Base domain for virtual-host style requests: `bucket.<domain>`. */
  domain?: string;
  /** The region clients must sign for; absent: any region is accepted (the gateway has none of its own). */
  region?: string;
}

export type Addressing = 'path' | 'virtual';

export interface BackendConfig {
  name: string;
  /**
   * `filesystem`: plain files under `filesystem.path`, served by a managed versitygw; its endpoint
   * and credentials are filled in by the launcher when it starts that process (never configured).
   */
  type: 's3' | 'filesystem';
  filesystem?: { path: string };
  /** Parsed `endpoint`: scheme, host name (no port) and port (defaulted from the scheme). */
  endpoint: { scheme: 'http' | 'https'; host: string; port: number };
  region: string;
  addressing: Addressing;
  credentials: Credentials;
}

export interface BucketConfig {
  /** Client-visible (virtual) bucket name. */
  name: string;
  backend: string;
  /** Bucket name on the backend; equals `name` unless `alias` is set. */
  realName: string;
}

export interface UserConfig {
  name: string;
  accessKeys: Credentials[];
  /** Interim grant: bucket names, or '*' for every bucket. */
  buckets: '*' | string[];
}

export interface EnvoyOptions {
  /** Envoy admin port on 127.0.0.1; 0 lets Envoy pick. */
  adminPort: number;
  /** Envoy worker threads; 0 means one per core. */
  concurrency: number;
}

export interface ServicesOptions {
  /**
   * ext_authz + ext_proc worker processes. More use more cores, but each request costs more CPU
   * (measured on 2 cores: 0.77 -> 1.28 ms of Node CPU per GET with 2), so 1 unless cores are spare.
   */
  workers: number;
}

export interface GatewayConfig {
  listen: ListenConfig;
  backends: BackendConfig[];
  buckets: BucketConfig[];
  defaultBackend?: string;
  users: UserConfig[];
  openAccess: boolean;
  envoy: EnvoyOptions;
  services: ServicesOptions;
}

/** One problem found by lint: where in the document, and what. */
export interface ConfigProblem {
  /** JSON-pointer-like path into the YAML document, e.g. `/backends/0/endpoint`. */
  path: string;
  message: string;
  /** 1-based line in the YAML file when known. */
  line?: number;
  /** Absent means an error (the config is rejected); a warning is reported but does not stop startup. */
  severity?: 'warning';
}
