// Client scenarios straight against each real backend (no gateway): proves the scenarios themselves and
// records what each backend lacks (Target.caps), so the same scenarios can later run through the gateway.
// Run: node --import tsx --test --test-concurrency=1 test/e2e/backends.test.ts   (E2E_VERBOSE=1 for logs)
import { describe, it, before, after } from 'node:test';
import { startVersitygw, startSeaweedfs, startMinio, createBucketDirect, type Backend, type BackendCreds } from '../../testkit/backends.ts';
import { assertCanary } from '../../testkit/canary.ts';
import { dumpLogsOnFailure } from '../../testkit/process.ts';
import { defineSdkScenarios, type Target } from './scenarios/sdk-ops.ts';
import { defineBoto3Scenario } from './scenarios/boto3.ts';
import { BACKEND_CAPS, type Capabilities } from '../../testkit/target.ts';

const BUCKET = 'e2e-direct';

interface BackendCase {
  label: string;
  start: (creds: BackendCreds) => Promise<Backend>;
  /** What this backend lacks (see BACKEND_CAPS). */
  caps: Partial<Capabilities>;
}

const CASES: BackendCase[] = [
  { label: 'versitygw', start: startVersitygw, caps: BACKEND_CAPS.versitygw },
  { label: 'seaweedfs', start: startSeaweedfs, caps: BACKEND_CAPS.seaweedfs },
  { label: 'minio', start: startMinio, caps: BACKEND_CAPS.minio },
];

for (const c of CASES) {
  describe(`direct → ${c.label}`, () => {
    let backend: Backend | undefined;
    const creds: BackendCreds = { accessKey: `AK${c.label.toUpperCase()}E2E`, secretKey: `sk-${c.label}-e2e-0123456789` };

    before(async () => {
      backend = await c.start(creds);
      await createBucketDirect(backend, BUCKET);
    }, { timeout: 120_000 });
    after(async () => { await backend?.stop(); });
    dumpLogsOnFailure(() => (backend ? [{ name: c.label, logs: backend.logs }] : []));

    const target = (): Target => {
      if (!backend) throw new Error(`${c.label} did not start`);
      return {
        endpoint: backend.endpoint,
        accessKeyId: backend.accessKey,
        secretAccessKey: backend.secretKey,
        region: 'us-east-1',
        bucket: BUCKET,
        forcePathStyle: true,
        caps: c.caps,
      };
    };

    it('canary: a wrong secret gets 403 SignatureDoesNotMatch', async () => {
      if (!backend) throw new Error(`${c.label} did not start`);
      await assertCanary(backend);
    });
    defineSdkScenarios(target, c.label);
    defineBoto3Scenario(target, c.label);
  });
}
