// @aws-sdk/client-s3 (scenarios/sdk-ops.ts: both checksum modes, Buffer and stream bodies, multipart,
// presigned URLs with fetch) and boto3 (scenarios/boto3_ops.py), each in a child process whose
// environment is made for the run: the test CA through NODE_EXTRA_CA_CERTS (Node) or AWS_CA_BUNDLE +
// SSL_CERT_FILE (botocore + urllib), virtual-host names through the resolver hooks.
import assert from 'node:assert/strict';
import https from 'node:https';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { toolsDir } from '../../../testkit/backends.ts';
import type { Target } from '../../../testkit/target.ts';
import { SCRATCH_BUCKET, type ClientTarget } from './client-world.ts';
import { pythonClientEnv } from './python-env.ts';
import { mustFail, runCli } from './cli.ts';
import { clientEnv, noAwsProfiles } from './env.ts';
import { lookupFor, RESOLVE_ENV, RESOLVE_LOG_ENV, resolveSpec } from './node-lookup.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..', '..');
export const SDK_TARGET_ENV = 'BG_SDK_TARGET';
const TIMEOUT_MS = 5 * 60_000;

function scenarioTarget(t: ClientTarget): Target {
  return {
    endpoint: t.endpoint,
    accessKeyId: t.accessKeyId,
    secretAccessKey: t.secretAccessKey,
    region: t.region,
    bucket: t.bucket,
    forcePathStyle: t.spec.style === 'path',
    missingBucket: SCRATCH_BUCKET,
    caps: t.caps,
  };
}

function report(tc: TestContext, output: string, summary: RegExp): void {
  for (const line of output.split('\n')) if (summary.test(line) || /^\s*(✖|SKIP|FAIL)/.test(line)) tc.diagnostic(line.trim());
}

/** The SDK in this process with an agent that has the resolver but not the test CA: must refuse the certificate. */
export async function sdkWithoutCa(t: ClientTarget): Promise<string> {
  const client = new S3Client({
    endpoint: t.endpoint,
    region: t.region,
    forcePathStyle: t.spec.style === 'path',
    credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
    maxAttempts: 1,
    requestHandler: { httpsAgent: new https.Agent({ lookup: lookupFor(t.domain) }) },
  });
  try {
    await client.send(new ListObjectsV2Command({ Bucket: t.bucket }));
  } catch (e) {
    return String(e);
  } finally {
    client.destroy();
  }
  return assert.fail('the SDK listed the bucket over TLS without the test CA');
}

/** boto3 without AWS_CA_BUNDLE (its own default bundle): list_objects_v2 must refuse the certificate. */
export function boto3WithoutCa(t: ClientTarget): Promise<string> {
  const script = [
    'import boto3, botocore.config, sys',
    `s3 = boto3.session.Session(aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], region_name='${t.region}').client(`,
    `    's3', endpoint_url=sys.argv[1], config=botocore.config.Config(s3={'addressing_style': '${t.spec.style}'}, retries={'total_max_attempts': 1}))`,
    's3.list_objects_v2(Bucket=sys.argv[4])',
  ].join('\n');
  return mustFail(path.join(toolsDir, 'venv', 'bin', 'python'), ['-c', script, t.endpoint, t.accessKeyId, t.secretAccessKey, t.bucket], {
    env: pythonClientEnv(t, {}),
  });
}

/** scenarios/sdk-ops.ts in `node sdk-entry.ts`; fails unless every one of its tests passed. */
export async function sdkScenario(t: ClientTarget, tc: TestContext): Promise<void> {
  const env = clientEnv({
    ...noAwsProfiles(t.dir),
    ...(t.caFile && { NODE_EXTRA_CA_CERTS: t.caFile }),
    [RESOLVE_ENV]: resolveSpec(t.domain),
    [RESOLVE_LOG_ENV]: t.resolveLog,
    [SDK_TARGET_ENV]: JSON.stringify(scenarioTarget(t)),
  });
  const args = ['--import', 'tsx', '--import', path.join(HERE, 'node-resolve-preload.ts'), '--test-reporter=spec', path.join(HERE, 'sdk-entry.ts')];
  const { code, stdout, stderr } = await runCli(process.execPath, args, { env, cwd: REPO, timeoutMs: TIMEOUT_MS });
  const output = `${stdout}\n${stderr}`;
  report(tc, output, /^ℹ (tests|pass|fail) /);
  const passed = Number(/^ℹ pass (\d+)/m.exec(output)?.[1] ?? 0);
  assert.ok(passed > 0, `the SDK scenarios ran no test:\n${output.slice(-4000)}`);
  assert.equal(code, 0, `SDK scenarios failed (exit ${code}):\n${output.slice(-12000)}`);
}

/** scenarios/boto3_ops.py with the tools venv's boto3; fails unless it reports no failed check. */
export async function boto3Scenario(t: ClientTarget, tc: TestContext): Promise<void> {
  const target = scenarioTarget(t);
  const env = pythonClientEnv(t, { AWS_CA_BUNDLE: t.caFile, SSL_CERT_FILE: t.caFile, PYTHONUNBUFFERED: '1' });
  const args = [
    path.join(HERE, '..', 'scenarios', 'boto3_ops.py'),
    '--endpoint', target.endpoint, '--access-key', target.accessKeyId, '--secret-key', target.secretAccessKey,
    '--bucket', target.bucket, '--region', target.region, '--addressing', t.spec.style, '--prefix', t.prefix,
    '--caps', JSON.stringify({ ...target.caps }),
  ];
  const { code, stdout, stderr } = await runCli(path.join(toolsDir, 'venv', 'bin', 'python'), args, { env, timeoutMs: TIMEOUT_MS });
  const output = `${stdout}\n${stderr}`;
  report(tc, output, /^\d+ passed, \d+ failed$/);
  assert.match(output, /^\d+ passed, 0 failed$/m, `boto3_ops.py did not pass (exit ${code}):\n${output.slice(-12000)}`);
  assert.equal(code, 0, `boto3_ops.py exited with ${code}`);
}
