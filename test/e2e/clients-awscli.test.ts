// aws-cli v1 (PyPI) and v2 (Debian) through the gateway: high-level s3 commands and s3api, over HTTP and
// TLS, path and virtual-host style, on a bucket of each backend (clients/README.md has the matrix).
import { describe } from 'node:test';
import { awsCliScenario, awsCliWithoutCa, ensureAwsCli } from './clients/awscli.ts';
import { useClientWorld, type RunSpec } from './clients/client-world.ts';
import { defineClientSuite } from './clients/define-suite.ts';
import { KIND, putObject, uploadPart } from './clients/payload-kinds.ts';

// Both versions resolve virtual-host names and trust the CA the same way (python/sitecustomize.py,
// --ca-bundle), so each takes one virtual-host run: v1 over TLS, v2 over HTTP. Both are captured on
// each transport: they send different payload kinds.
const captured: RunSpec[] = [
  { transport: 'http', style: 'path', backend: 'versity', capture: true },
  { transport: 'https', style: 'path', backend: 'weed', capture: true },
];
const V1_RUNS: RunSpec[] = [...captured, { transport: 'https', style: 'virtual', backend: 'versity', capture: false }, { transport: 'http', style: 'path', backend: 'minio', capture: false }];
const V2_RUNS: RunSpec[] = [...captured, { transport: 'http', style: 'virtual', backend: 'weed', capture: false }, { transport: 'https', style: 'path', backend: 'minio', capture: false }];

describe('aws-cli through the gateway', () => {
  const cw = useClientWorld();
  defineClientSuite(cw, {
    name: 'aws-cli v1 1.46',
    runs: V1_RUNS,
    uploadKinds: {
      http: [putObject(KIND.hexCrc32), uploadPart(KIND.hexCrc32)],
      https: [putObject(KIND.unsignedTrailer('crc32', true)), uploadPart(KIND.unsignedTrailer('crc32', true))],
    },
    ensureInstalled: () => ensureAwsCli('v1'),
    refusedWithoutCa: (t) => awsCliWithoutCa('v1', t),
    scenario: (t, tc) => awsCliScenario('v1', t, tc),
  });
  defineClientSuite(cw, {
    name: 'aws-cli v2 2.9',
    runs: V2_RUNS,
    uploadKinds: {
      http: [putObject(KIND.hex), uploadPart(KIND.hex)],
      https: [putObject(KIND.unsigned), uploadPart(KIND.unsigned)],
    },
    ensureInstalled: () => ensureAwsCli('v2'),
    refusedWithoutCa: (t) => awsCliWithoutCa('v2', t),
    scenario: (t, tc) => awsCliScenario('v2', t, tc),
  });
});
