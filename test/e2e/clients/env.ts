// The environment a client process gets: nothing ambient that could change what it trusts, where it
// connects or whom it signs as. This machine sets CA bundles for the package registries in several
// variables (AWS_CA_BUNDLE, SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, …): each client test sets the one its
// client reads to the test CA, or leaves them all unset over plain HTTP.
import path from 'node:path';

/** Variables through which some TLS stack picks a CA bundle or directory. */
const CA_VARS = [
  'AWS_CA_BUNDLE', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE',
  'NIX_SSL_CERT_FILE', 'HTTPLIB2_CA_CERTS', 'GRPC_DEFAULT_SSL_ROOTS_FILE_PATH', 'PIP_CERT', 'GIT_SSL_CAINFO',
  'CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE',
];
/** Variables that would send a client through a proxy (set again explicitly where a test wants one). */
const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY'];
/** node:test's own channel to its parent: a Node child that runs tests must report to us, not to it. */
const RUNNER_VARS = ['NODE_TEST_CONTEXT'];
/** Prefixes of client configuration an ambient value would leak into a test (credentials, profiles, remotes). */
const CLIENT_PREFIXES = ['AWS_', 'RCLONE_', 'MC_', 'MINIO_', 'BOTO_'];

/** AWS SDKs and CLIs read ~/.aws/{config,credentials} and instance metadata: point them at nothing. */
export function noAwsProfiles(dir: string): Record<string, string> {
  return {
    AWS_CONFIG_FILE: path.join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** The current environment without CA, proxy and client-config variables, plus `set`. */
export function clientEnv(set: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const drop = new Set([...CA_VARS, ...PROXY_VARS, ...RUNNER_VARS]);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    const upper = k.toUpperCase();
    if (drop.has(upper) || CLIENT_PREFIXES.some((p) => upper.startsWith(p))) continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(set)) if (v !== undefined) env[k] = v;
  return env;
}
