// The MinIO clients through the gateway: minio-js 8 and mc, over HTTP and TLS, path and virtual-host style,
// on a bucket of each backend. Over plain HTTP mc signs every chunk of every upload
// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]): its HTTP runs are the signed-streaming client test.
import { describe } from 'node:test';
import { STANDARD_RUNS, useClientWorld, type RunSpec } from './clients/client-world.ts';
import { defineClientSuite } from './clients/define-suite.ts';
import { ensureMc, mcScenario, mcWithoutCa } from './clients/mc.ts';
import { KIND, presignedPut, putObject, uploadPart } from './clients/payload-kinds.ts';
import { ensureMinioJs, minioJsScenario, minioJsWithoutCa } from './clients/minio-js.ts';

/** mc's virtual-host runs are the captured ones: its --resolve leaves no trace to check otherwise. */
const MC_RUNS: RunSpec[] = [
  { transport: 'http', style: 'virtual', backend: 'versity', capture: true },
  { transport: 'http', style: 'path', backend: 'weed', capture: false },
  { transport: 'https', style: 'virtual', backend: 'weed', capture: true },
  { transport: 'https', style: 'path', backend: 'versity', capture: false },
  // MinIO gzips what mc asks for (Accept-Encoding: zstd,gzip): listings the gateway rewrites must not break.
  { transport: 'http', style: 'path', backend: 'minio', capture: false },
];

describe('MinIO clients through the gateway', () => {
  const cw = useClientWorld();
  defineClientSuite(cw, {
    name: 'minio-js 8.0',
    runs: STANDARD_RUNS,
    // enableSHA256 = !useSSL: hashes every body over plain HTTP, never over TLS; never signs chunks.
    uploadKinds: {
      http: [putObject(KIND.hex), uploadPart(KIND.hex), presignedPut],
      https: [putObject(KIND.unsigned), uploadPart(KIND.unsigned), presignedPut],
    },
    ensureInstalled: ensureMinioJs,
    refusedWithoutCa: minioJsWithoutCa,
    scenario: minioJsScenario,
  });
  defineClientSuite(cw, {
    name: 'mc 2025-03',
    runs: MC_RUNS,
    // minio-go signs every chunk over plain HTTP (with a signed trailer under --checksum); over TLS it sends
    // UNSIGNED-PAYLOAD, or an unsigned trailer under --checksum (with Content-Length, not chunked).
    uploadKinds: {
      http: [putObject(KIND.signedChunks), putObject(KIND.signedChunksTrailer('crc32c')), uploadPart(KIND.signedChunks)],
      https: [putObject(KIND.unsigned), putObject(KIND.unsignedTrailer('crc32c', false)), uploadPart(KIND.unsigned)],
    },
    // minio-go makes buckets path style even when told virtual-host style (the new bucket's name may not resolve yet).
    pathStyleAlways: ['CreateBucket'],
    ensureInstalled: ensureMc,
    refusedWithoutCa: mcWithoutCa,
    scenario: mcScenario,
  });
});
