// rclone through the gateway: copy, sync, check and the rest over HTTP and TLS, path style on each
// backend, virtual-host style over TLS (CONNECT tunnel) and plain HTTP (the gateway as its HTTP proxy): rclone
// has no resolver option, see clients/README.md.
import { describe } from 'node:test';
import { useClientWorld, type RunSpec } from './clients/client-world.ts';
import { defineClientSuite } from './clients/define-suite.ts';
import { KIND, putObject, uploadPart } from './clients/payload-kinds.ts';
import { ensureRclone, rcloneScenario, rcloneWithoutCa } from './clients/rclone.ts';

const RUNS: RunSpec[] = [
  { transport: 'http', style: 'path', backend: 'versity', capture: true },
  { transport: 'http', style: 'path', backend: 'weed', capture: false },
  { transport: 'https', style: 'path', backend: 'weed', capture: true },
  { transport: 'https', style: 'virtual', backend: 'versity', capture: false },
  { transport: 'http', style: 'virtual', backend: 'weed', capture: true },
  { transport: 'https', style: 'virtual', backend: 'minio', capture: false },
];

describe('rclone through the gateway', () => {
  defineClientSuite(useClientWorld(), {
    name: 'rclone 1.75',
    runs: RUNS,
    // Single PUTs are never hashed; parts are hashed over plain HTTP only.
    uploadKinds: {
      http: [putObject(KIND.unsigned), uploadPart(KIND.hex)],
      https: [putObject(KIND.unsigned), uploadPart(KIND.unsigned)],
    },
    ensureInstalled: ensureRclone,
    refusedWithoutCa: rcloneWithoutCa,
    scenario: rcloneScenario,
  });
});
