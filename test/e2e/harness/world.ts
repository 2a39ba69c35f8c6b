// The standard end-to-end world: two real backends that verify signatures (versitygw, SeaweedFS),
// the canary on each, real buckets on each, and the real gateway in front with an alias.
import { createBucketDirect, startSeaweedfs, startVersitygw, type Backend } from './backends.ts';
import { assertCanary } from './canary.ts';
import { startGateway, type RunningGateway } from './gateway.ts';

export const USERS = {
  alice: { accessKeyId: 'AKIAALICE0000000001', secretAccessKey: 'alice-secret-0123456789abcdef' },
  bob: { accessKeyId: 'AKIABOB00000000000001', secretAccessKey: 'bob-secret-0123456789abcdef' },
};

/** Virtual bucket -> [backend, real bucket]. `archive` is an alias. `secret` is granted to nobody but bob. */
export const BUCKETS = {
  releases: ['versity', 'releases'],
  archive: ['versity', 'prod-archive-2024'],
  media: ['weed', 'media'],
  secret: ['versity', 'secret-stuff'],
} as const;

export interface World {
  versity: Backend;
  weed: Backend;
  gateway: RunningGateway;
  stop(): Promise<void>;
}

function configYaml(versity: Backend, weed: Backend, ports: { port: number; adminPort: number }): string {
  return `
listen: { address: 127.0.0.1, port: ${ports.port} }
backends:
  - name: versity
    type: s3
    endpoint: ${versity.endpoint}
    region: us-east-1
    addressing: path
    credentials: { access_key_id: \${env:VERSITY_KEY}, secret_access_key: \${env:VERSITY_SECRET} }
  - name: weed
    type: s3
    endpoint: ${weed.endpoint}
    region: us-east-1
    addressing: path
    credentials: { access_key_id: \${env:WEED_KEY}, secret_access_key: \${env:WEED_SECRET} }
buckets:
  releases: { backend: versity }
  archive: { backend: versity, alias: prod-archive-2024 }
  media: { backend: weed }
  secret: { backend: versity, alias: secret-stuff }
default_backend: versity
users:
  - name: alice
    access_keys: [ { access_key_id: ${USERS.alice.accessKeyId}, secret_access_key: \${env:ALICE_SECRET} } ]
    buckets: [ releases, archive, media, scratch-alice ]
  - name: bob
    access_keys: [ { access_key_id: ${USERS.bob.accessKeyId}, secret_access_key: ${USERS.bob.secretAccessKey} } ]
    buckets: "*"
envoy: { admin_port: ${ports.adminPort} }
`;
}

export async function startWorld(): Promise<World> {
  const [versity, weed] = await Promise.all([
    startVersitygw({ accessKey: 'VERSITYROOTKEY', secretKey: 'versity-root-secret-0123456789' }),
    startSeaweedfs({ accessKey: 'WEEDROOTKEY', secretKey: 'weed-root-secret-0123456789' }),
  ]);
  try {
    // The canary first: each backend must reject a wrong secret, or nothing below proves anything.
    await assertCanary(versity);
    await assertCanary(weed);
    for (const [backend, real] of Object.values(BUCKETS)) await createBucketDirect(backend === 'versity' ? versity : weed, real);
    const gateway = await startGateway((p) => configYaml(versity, weed, p), {
      VERSITY_KEY: versity.accessKey,
      VERSITY_SECRET: versity.secretKey,
      WEED_KEY: weed.accessKey,
      WEED_SECRET: weed.secretKey,
      ALICE_SECRET: USERS.alice.secretAccessKey,
    });
    return {
      versity,
      weed,
      gateway,
      async stop() {
        await gateway.stop();
        await Promise.all([versity.stop(), weed.stop()]);
      },
    };
  } catch (e) {
    await Promise.all([versity.stop(), weed.stop()]);
    throw e;
  }
}
