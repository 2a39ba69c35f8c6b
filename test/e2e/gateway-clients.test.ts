// Unmodified S3 clients through the real gateway (Envoy + services) to three real backends at once:
// a bucket on each backend plus an alias, with @aws-sdk/client-s3 (both checksum modes, Buffer and
// stream bodies) and boto3; the alias and the MinIO bucket once more through a gateway whose Envoy
// asks for the check over gRPC (envoy.ext_authz: grpc) instead of HTTP.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { RunningGateway } from '../../testkit/gateway.ts';
import { USERS, useWorld, type BackendName } from '../../testkit/world.ts';
import { CAPS } from './clients/client-world.ts';
import { defineBoto3Scenario } from './scenarios/boto3.ts';
import { defineSdkScenarios, type Target } from './scenarios/sdk-ops.ts';

describe('through the gateway', () => {
  const world = useWorld();
  let grpc: RunningGateway | undefined;
  before(async () => { grpc = await world().addGateway({ extAuthz: 'grpc' }); }, { timeout: 120_000 });

  it('the world started (canary passed on every backend)', () => {
    assert.ok(world().gateway.endpoint.startsWith('http://127.0.0.1:'));
  });

  const cases: Array<[string, BackendName, 'http' | 'grpc']> = [
    ['releases', 'versity', 'http'],
    ['archive', 'versity', 'http'],
    ['media', 'weed', 'http'],
    ['lake', 'minio', 'http'],
    ['archive', 'versity', 'grpc'],
    ['lake', 'minio', 'grpc'],
  ];
  for (const [bucket, backend, check] of cases) {
    const target = (): Target => ({
      endpoint: (check === 'grpc' ? grpc! : world().gateway).endpoint,
      accessKeyId: USERS.alice.accessKeyId,
      secretAccessKey: USERS.alice.secretAccessKey,
      region: 'us-east-1',
      bucket,
      forcePathStyle: true,
      missingBucket: 'scratch-alice',
      caps: CAPS[backend],
    });
    const label = `gateway ${bucket} (${backend}${bucket === 'archive' ? ', alias' : ''}${check === 'grpc' ? ', check over gRPC' : ''})`;
    defineSdkScenarios(target, label);
    defineBoto3Scenario(target, label);
  }
});
