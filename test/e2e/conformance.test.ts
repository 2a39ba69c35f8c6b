// versitygw's own S3 conformance suite (`versitygw test full-flow`), run straight against versitygw
// and through the gateway in front of it, in the same run. Every test that passes direct must pass
// through the gateway, unless it is listed, with the reason, in conformance-known-differences.txt.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startVersitygw, toolsDir, type Backend } from '../../testkit/backends.ts';
import { startGateway, type RunningGateway } from '../../testkit/gateway.ts';
import { envWithoutAws } from '../../testkit/process.ts';

const run = promisify(execFile);
const KNOWN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'conformance-known-differences.txt');
const TESTER = { accessKeyId: 'GWTESTER0001', secretAccessKey: 'gw-tester-secret-0123456789' };

interface SuiteResult {
  summary: { ran: number; pass: number; fail: number };
  failed: Set<string>;
}

/** Runs full-flow from the folder that holds the binary (one test execs ./versitygw). */
async function fullFlow(endpoint: string, accessKey: string, secretKey: string): Promise<SuiteResult> {
  const env = envWithoutAws();
  delete env.AWS_CA_BUNDLE;
  const res = await run('./versitygw', ['test', '-a', accessKey, '-s', secretKey, '-e', endpoint, 'full-flow'], {
    cwd: path.join(toolsDir, 'bin'), env, maxBuffer: 1 << 28, timeout: 900_000,
  }).catch((e: { stdout?: string; stderr?: string }) => e);
  const out = `${res.stdout ?? ''}${res.stderr ?? ''}`.replace(/\x1b\[[0-9;]*m/g, '');
  const m = /RAN: (\d+) PASS: (\d+) FAIL: (\d+)/.exec(out);
  if (!m) throw new Error(`no summary line from versitygw test:\n${out.slice(-3000)}`);
  const failed = new Set([...out.matchAll(/^FAIL ([A-Za-z0-9_]+)/gm)].map((x) => x[1]!));
  return { summary: { ran: Number(m[1]), pass: Number(m[2]), fail: Number(m[3]) }, failed };
}

function knownDifferences(): Map<string, string> {
  const known = new Map<string, string>();
  for (const line of readFileSync(KNOWN, 'utf8').split('\n')) {
    const m = /^([A-Za-z0-9_]+)\s+#\s*(\S.*)$/.exec(line.trim());
    if (m) known.set(m[1]!, m[2]!);
  }
  return known;
}

describe('conformance: versitygw full-flow, direct and through the gateway', () => {
  let backend: Backend;
  let gateway: RunningGateway;
  let direct: SuiteResult;
  let through: SuiteResult;
  before(async () => {
    backend = await startVersitygw({ accessKey: 'CONFROOT', secretKey: 'conf-root-secret-0123456789' });
    direct = await fullFlow(backend.endpoint, backend.accessKey, backend.secretKey);
    gateway = await startGateway(({ port, adminPort }) => `
listen: { address: 127.0.0.1, port: ${port}, region: us-east-1 }
backends: [ { name: versity, type: s3, endpoint: ${backend.endpoint}, credentials: { access_key_id: ${backend.accessKey}, secret_access_key: \${env:BACKEND_SECRET} } } ]
default_backend: versity
users: [ { name: tester, access_keys: [ { access_key_id: ${TESTER.accessKeyId}, secret_access_key: \${env:TESTER_SECRET} } ], buckets: "*" } ]
envoy: { admin_port: ${adminPort} }
`, { BACKEND_SECRET: backend.secretKey, TESTER_SECRET: TESTER.secretAccessKey });
    through = await fullFlow(gateway.endpoint, TESTER.accessKeyId, TESTER.secretAccessKey);
    console.log(`conformance: direct ${JSON.stringify(direct.summary)}; through the gateway ${JSON.stringify(through.summary)}`);
  }, { timeout: 1_800_000 });
  after(async () => {
    await gateway?.stop();
    await backend?.stop();
  });

  it('ran the same tests both ways, and direct passes them all but known-flaky ones (the baseline is sound)', () => {
    assert.ok(direct.summary.ran > 600, `only ${direct.summary.ran} tests ran`);
    assert.equal(through.summary.ran, direct.summary.ran);
    const known = knownDifferences();
    assert.deepEqual([...direct.failed].filter((t) => !known.get(t)?.startsWith('flaky')), []);
  });

  it('every test that passes direct passes through the gateway, or is a listed known difference', () => {
    const known = knownDifferences();
    const unexplained = [...through.failed].filter((t) => !direct.failed.has(t) && !known.has(t));
    assert.deepEqual(unexplained, [], 'new failures through the gateway (fix them, or list them with the reason)');
  });

  it('the list of known differences holds no test that passes now (keep it honest)', () => {
    const stale = [...knownDifferences()].filter(([t, why]) => !why.startsWith('flaky') && !through.failed.has(t)).map(([t]) => t);
    assert.deepEqual(stale, [], 'these pass through the gateway now: remove them from the list');
  });
});
