// The AWS SDKs through the gateway: @aws-sdk/client-s3 (scenarios/sdk-ops.ts) and boto3
// (scenarios/boto3_ops.py), over HTTP and TLS, path and virtual-host style, on a bucket of each backend.
import { describe } from 'node:test';
import { STANDARD_RUNS, useClientWorld } from './clients/client-world.ts';
import { defineClientSuite } from './clients/define-suite.ts';
import { ensureNodePackage, ensurePythonModule } from './clients/installed.ts';
import { KIND, presignedPut, putObject, uploadPart } from './clients/payload-kinds.ts';
import { boto3Scenario, boto3WithoutCa, sdkScenario, sdkWithoutCa } from './clients/sdk.ts';

const SDK_UPLOADS = [
  putObject(KIND.hex), putObject(KIND.hexCrc32), putObject(KIND.unsigned), putObject(KIND.unsignedTrailer('crc32', true)),
  uploadPart(KIND.hex), uploadPart(KIND.hexCrc32), presignedPut,
];

describe('AWS SDKs through the gateway', () => {
  const cw = useClientWorld();
  defineClientSuite(cw, {
    name: '@aws-sdk/client-s3 3.1173',
    runs: STANDARD_RUNS,
    // The same on both transports: Buffer bodies hex (+ CRC32 header in WHEN_SUPPORTED), streams of known
    // length aws-chunked with a CRC32 trailer (WHEN_SUPPORTED) or UNSIGNED-PAYLOAD (WHEN_REQUIRED).
    uploadKinds: { http: SDK_UPLOADS, https: SDK_UPLOADS },
    ensureInstalled: () => ensureNodePackage('@aws-sdk/client-s3', 'npm ci'),
    refusedWithoutCa: sdkWithoutCa,
    scenario: sdkScenario,
  });
  defineClientSuite(cw, {
    name: 'boto3 1.44',
    runs: STANDARD_RUNS,
    // boto3_ops.py runs both request_checksum_calculation modes; presigned PUT via urllib.
    uploadKinds: {
      http: [putObject(KIND.hex), putObject(KIND.hexCrc32), uploadPart(KIND.hexCrc32), presignedPut],
      https: [putObject(KIND.unsignedTrailer('crc32', true)), uploadPart(KIND.unsignedTrailer('crc32', true)), putObject(KIND.unsigned), presignedPut],
    },
    ensureInstalled: () => ensurePythonModule('boto3'),
    refusedWithoutCa: boto3WithoutCa,
    scenario: boto3Scenario,
  });
});
