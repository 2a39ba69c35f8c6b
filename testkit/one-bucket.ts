// A gateway of its own for an e2e suite that needs other settings than the standard world's (limits,
// a relay in front of the backend): one versitygw (canary first), one bucket, alice granted it.
import { after, before } from 'node:test';
import { createBucketDirect, startVersitygw, type Backend } from './backends.ts';
import { assertCanary } from './canary.ts';
import { startGateway, type RunningGateway } from './gateway.ts';
import { dumpLogsOnFailure } from './process.ts';
import { USERS } from './world.ts';

export interface OneBucket {
  bucket: string;
  /** More `listen` fields, as YAML flow entries (`limits: {...}`). */
  listen?: string;
  /** More top-level YAML (`access_log: {...}`). */
  more?: string;
  /** `envoy.ext_authz` (default: the config's default, http). */
  extAuthz?: 'http' | 'grpc';
  /** Where Envoy reaches the backend (default: its own endpoint), e.g. a relay the suite starts in front of it. */
  endpointOf?: (backend: Backend) => Promise<string>;
}

function oneBucketYaml(ports: { port: number; adminPort: number }, o: OneBucket, backend: Backend, endpoint: string): string {
  const alice = USERS.alice;
  return `
listen: { address: 127.0.0.1, port: ${ports.port}${o.listen ? `, ${o.listen}` : ''} }
backends:
  - { name: versity, type: s3, endpoint: ${endpoint}, credentials: { access_key_id: ${backend.accessKey}, secret_access_key: ${backend.secretKey} } }
buckets:
  ${o.bucket}: { backend: versity }
users:
  - { name: alice, access_keys: [ { access_key_id: ${alice.accessKeyId}, secret_access_key: ${alice.secretAccessKey} } ], buckets: [${o.bucket}] }
envoy: { admin_port: ${ports.adminPort}${o.extAuthz ? `, ext_authz: ${o.extAuthz}` : ''} }
${o.more ?? ''}
`;
}

/** Started before the enclosing describe()'s tests, stopped after them, logs printed if one failed. */
export function useOneBucketGateway(o: OneBucket): () => { versity: Backend; gateway: RunningGateway } {
  let versity: Backend | undefined;
  let gateway: RunningGateway | undefined;
  before(async () => {
    versity = await startVersitygw({ accessKey: 'VERSITYROOTKEY', secretKey: 'versity-root-secret-0123456789' });
    // The canary first: the backend must reject a wrong secret, or nothing after it proves anything.
    await assertCanary(versity);
    await createBucketDirect(versity, o.bucket);
    const endpoint = o.endpointOf ? await o.endpointOf(versity) : versity.endpoint;
    gateway = await startGateway((p) => oneBucketYaml(p, o, versity!, endpoint));
  }, { timeout: 180_000 });
  after(async () => {
    await gateway?.stop();
    await versity?.stop();
  });
  dumpLogsOnFailure(() => (gateway && versity ? [gateway.proc, { name: 'versitygw', logs: versity.logs }] : []));
  return () => {
    if (!versity || !gateway) throw new Error('the gateway did not start (see the before hook)');
    return { versity, gateway };
  };
}
