// The config of a gateway of its own for an e2e suite that needs other settings than the standard
// world's (limits, a relay in front of the backend): one versitygw, one bucket, alice granted it.
import type { Backend } from './backends.ts';
import { USERS } from './world.ts';

export interface OneBucket {
  bucket: string;
  backend: Backend;
  /** Where Envoy reaches the backend (default: its own endpoint; a relay in front of it otherwise). */
  endpoint?: string;
  /** More `listen` fields, as YAML flow entries (`limits: {...}`). */
  listen?: string;
}

export function oneBucketYaml(ports: { port: number; adminPort: number }, o: OneBucket): string {
  const alice = USERS.alice;
  return `
listen: { address: 127.0.0.1, port: ${ports.port}${o.listen ? `, ${o.listen}` : ''} }
backends:
  - { name: versity, type: s3, endpoint: ${o.endpoint ?? o.backend.endpoint}, credentials: { access_key_id: ${o.backend.accessKey}, secret_access_key: ${o.backend.secretKey} } }
buckets:
  ${o.bucket}: { backend: versity }
users:
  - { name: alice, access_keys: [ { access_key_id: ${alice.accessKeyId}, secret_access_key: ${alice.secretAccessKey} } ], buckets: [${o.bucket}] }
envoy: { admin_port: ${ports.adminPort} }
`;
}
