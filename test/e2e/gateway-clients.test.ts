// Unmodified S3 clients through the real gateway (Envoy + services) to two real backends at once:
// a bucket on each backend plus an alias, with @aws-sdk/client-s3 (both checksum modes, Buffer and
// stream bodies) and boto3.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { USERS, useWorld } from '../../testkit/world.ts';
import { defineBoto3Scenario } from './scenarios/boto3.ts';
import { defineSdkScenarios, type Target } from './scenarios/sdk-ops.ts';
import { BACKEND_CAPS, type Capabilities } from '../../testkit/target.ts';

// What each backend lacks, as found by running the same scenarios straight against it
// (backends.test.ts), less what the gateway makes up for: it applies encoding-type=url itself.
const CAPS: Record<string, Partial<Capabilities>> = {
  versity: { ...BACKEND_CAPS.versitygw, listEncodingTypeUrl: true },
  weed: BACKEND_CAPS.seaweedfs,
};

describe('through the gateway', () => {
  const world = useWorld();

  it('the world started (canary passed on both backends)', () => {
    assert.ok(world().gateway.endpoint.startsWith('http://127.0.0.1:'));
  });

  const cases: Array<[string, string]> = [
    ['releases', 'versity'],
    ['archive', 'versity'],
    ['media', 'weed'],
  ];
  for (const [bucket, backend] of cases) {
    const target = (): Target => ({
      endpoint: world().gateway.endpoint,
      accessKeyId: USERS.alice.accessKeyId,
      secretAccessKey: USERS.alice.secretAccessKey,
      region: 'us-east-1',
      bucket,
      forcePathStyle: true,
      missingBucket: 'scratch-alice',
      caps: CAPS[backend],
    });
    const label = `gateway ${bucket} (${backend}${bucket === 'archive' ? ', alias' : ''})`;
    defineSdkScenarios(target, label);
    defineBoto3Scenario(target, label);
  }
});
