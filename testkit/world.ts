// The standard end-to-end world: three real backends that verify signatures (versitygw, SeaweedFS, MinIO),
// the canary on each, real buckets on each, and the real gateway in front with an alias.
// Variants: a TLS listener (certificate from a CA the world makes) and/or a virtual-host domain;
// more gateways (other variants) can be started on the same backends.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBucketDirect, startMinio, startSeaweedfs, startVersitygw, type Backend } from './backends.ts';
import { assertCanary } from './canary.ts';
import { startGateway, type RunningGateway } from './gateway.ts';
import { after, before } from 'node:test';
import { dumpLogsOnFailure, trackTempDir } from './process.ts';
import { makeTestTls, type TestTls } from './tls.ts';

/** The virtual-host domain tests use. Nothing resolves it: each client test maps it to 127.0.0.1 itself. */
export const TEST_DOMAIN = 's3.example.test';

export interface GatewayVariant {
  /** HTTPS on the listener, with a server certificate from the world's test CA (see World.tls). */
  tls?: boolean;
  /** listen.domain: `bucket.<domain>` virtual-host style beside path style. */
  domain?: string;
  /** listen.region: the only region clients may sign for, and the one every bucket is shown in. */
  region?: string;
  /** envoy.ext_authz: how Envoy asks for the check (the default is http). */
  extAuthz?: 'http' | 'grpc';
}

export const USERS = {
  alice: { accessKeyId: 'AKIAALICE0000000001', secretAccessKey: 'alice-secret-0123456789abcdef' },
  bob: { accessKeyId: 'AKIABOB00000000000001', secretAccessKey: 'bob-secret-0123456789abcdef' },
};

/** Virtual bucket -> [backend, real bucket]. `archive` is an alias. `secret` is granted to nobody but bob. */
export const BUCKETS = {
  releases: ['versity', 'releases'],
  archive: ['versity', 'prod-archive-2024'],
  media: ['weed', 'media'],
  lake: ['minio', 'lake'],
  secret: ['versity', 'secret-stuff'],
} as const;

export type BackendName = (typeof BUCKETS)[keyof typeof BUCKETS][0];

export interface World {
  versity: Backend;
  weed: Backend;
  minio: Backend;
  /** The gateway of the variant startWorld was given. */
  gateway: RunningGateway;
  /**
   * The test CA and the server certificate every TLS gateway of this world uses: subjectAltName
   * IP:127.0.0.1, DNS:localhost, DNS:TEST_DOMAIN and DNS:*.TEST_DOMAIN (and the variant's domain and
   * its wildcard, if another). Made when the first TLS gateway starts.
   */
  tls?: TestTls;
  /** Starts one more gateway (another variant) in front of the same backends; `stop()` stops it too. */
  addGateway(variant: GatewayVariant): Promise<RunningGateway>;
  stop(): Promise<void>;
}

function listenYaml(port: number, variant: GatewayVariant, tls: TestTls | undefined): string {
  const parts = ['address: 127.0.0.1', `port: ${port}`];
  if (variant.domain) parts.push(`domain: ${variant.domain}`);
  if (variant.region) parts.push(`region: ${variant.region}`);
  if (tls) parts.push(`tls: { cert_file: ${JSON.stringify(tls.certFile)}, key_file: ${JSON.stringify(tls.keyFile)} }`);
  return `listen: { ${parts.join(', ')} }`;
}

type Backends = Record<BackendName, Backend>;

/** The secrets come from the environment (`<NAME>_KEY`, `<NAME>_SECRET`: backendEnv), as a deployment's would. */
const envName = (name: string) => name.toUpperCase();

function backendYaml(name: string, backend: Backend): string {
  const env = envName(name);
  return `  - name: ${name}
    type: s3
    endpoint: ${backend.endpoint}
    region: us-east-1
    addressing: path
    credentials: { access_key_id: \${env:${env}_KEY}, secret_access_key: \${env:${env}_SECRET} }`;
}

function backendEnv(b: Backends): Record<string, string> {
  return Object.fromEntries(Object.entries(b).flatMap(([name, backend]) => [[`${envName(name)}_KEY`, backend.accessKey], [`${envName(name)}_SECRET`, backend.secretKey]]));
}

function configYaml(b: Backends, ports: { port: number; adminPort: number }, listen: string, extAuthz: 'http' | 'grpc' = 'http'): string {
  return `
${listen}
backends:
${Object.entries(b).map(([name, backend]) => backendYaml(name, backend)).join('\n')}
buckets:
  releases: { backend: versity }
  archive: { backend: versity, alias: prod-archive-2024 }
  media: { backend: weed }
  lake: { backend: minio }
  secret: { backend: versity, alias: secret-stuff }
default_backend: versity
users:
  - name: alice
    access_keys: [ { access_key_id: ${USERS.alice.accessKeyId}, secret_access_key: \${env:ALICE_SECRET} } ]
    buckets: [ releases, archive, media, lake, scratch-alice ]
  - name: bob
    access_keys: [ { access_key_id: ${USERS.bob.accessKeyId}, secret_access_key: ${USERS.bob.secretAccessKey} } ]
    buckets: "*"
envoy: { admin_port: ${ports.adminPort}, ext_authz: ${extAuthz} }
`;
}

/** A gateway of `variant` in front of the backends (TLS material made on first use). */
function gatewayStarter(b: Backends): {
  start(variant: GatewayVariant): Promise<RunningGateway>;
  tls(): TestTls | undefined;
  removeTls(): void;
} {
  let tls: Promise<TestTls> | undefined;
  let made: TestTls | undefined;
  let tmp: { remove(): void } | undefined;
  const tlsFor = (domain: string | undefined): Promise<TestTls> => {
    tls ??= (async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-tls-'));
      tmp = trackTempDir(dir);
      const domains = [...new Set([TEST_DOMAIN, ...(domain ? [domain] : [])])];
      made = await makeTestTls(dir, ['IP:127.0.0.1', 'DNS:localhost', ...domains.flatMap((d) => [`DNS:${d}`, `DNS:*.${d}`])]);
      return made;
    })();
    return tls;
  };
  return {
    async start(variant) {
      const material = variant.tls ? await tlsFor(variant.domain) : undefined;
      if (material && variant.domain && !material.altNames.includes(`DNS:*.${variant.domain}`)) {
        throw new Error(`the world's certificate was made for ${material.altNames.join(', ')}, not for ${variant.domain}`);
      }
      return startGateway((p) => configYaml(b, p, listenYaml(p.port, variant, material), variant.extAuthz), {
        ...backendEnv(b),
        ALICE_SECRET: USERS.alice.secretAccessKey,
      }, { tls: variant.tls === true });
    },
    tls: () => made,
    removeTls: () => tmp?.remove(),
  };
}

export async function startWorld(variant: GatewayVariant = {}): Promise<World> {
  const started = await Promise.allSettled([
    startVersitygw({ accessKey: 'VERSITYROOTKEY', secretKey: 'versity-root-secret-0123456789' }),
    startSeaweedfs({ accessKey: 'WEEDROOTKEY', secretKey: 'weed-root-secret-0123456789' }),
    startMinio({ accessKey: 'MINIOROOTKEY', secretKey: 'minio-root-secret-0123456789' }),
  ]);
  const up = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(up.map((b) => b.stop()));
    throw failed.reason;
  }
  const [versity, weed, minio] = up as [Backend, Backend, Backend];
  const backends: Backends = { versity, weed, minio };
  const starter = gatewayStarter(backends);
  const gateways: RunningGateway[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(gateways.map((g) => g.stop()));
    await Promise.all(up.map((b) => b.stop()));
    starter.removeTls();
  };
  try {
    // The canary first: each backend must reject a wrong secret, or nothing below proves anything.
    for (const b of up) await assertCanary(b);
    for (const [backend, real] of Object.values(BUCKETS)) await createBucketDirect(backends[backend], real);
    const gateway = await starter.start(variant);
    gateways.push(gateway);
    return {
      ...backends,
      gateway,
      get tls() { return starter.tls(); },
      async addGateway(v) {
        const more = await starter.start(v);
        gateways.push(more);
        return more;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Each backend's recent log lines, for failure reports. */
export function backendLogs(world: World): { name: string; logs: () => string[] }[] {
  return [world.versity, world.weed, world.minio].map((b) => ({ name: b.name, logs: b.logs }));
}

/**
 * A world for the enclosing describe(): started before its tests, stopped after them, every
 * process's recent logs printed if a test failed. Returns the world for the tests to use.
 */
export function useWorld(variant: GatewayVariant = {}): () => World {
  let world: World | undefined;
  before(async () => {
    world = await startWorld(variant);
  }, { timeout: 180_000 });
  after(async () => {
    await world?.stop();
  });
  dumpLogsOnFailure(() =>
    world ? [world.gateway.proc, ...backendLogs(world)] : [],
  );
  return () => {
    if (!world) throw new Error('the world did not start (see the before hook)');
    return world;
  };
}
