// Runs boto3_ops.py (boto3 from the tools venv) against a target as one node:test test.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { toolsDir } from '../../../testkit/backends.ts';
import { envWithoutAws } from '../../../testkit/process.ts';
import { capsOf, runPrefix, type Target } from '../../../testkit/target.ts';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'boto3_ops.py');
const TIMEOUT_MS = 5 * 60_000;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (d: Buffer): void => {
      output += d.toString('utf8');
      if (process.env.E2E_VERBOSE === '1') process.stderr.write(d);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code) => { clearTimeout(timer); resolve({ code, output }); });
  });
}

export function defineBoto3Scenario(getTarget: () => Target, label: string): void {
  it(`${label} · boto3 scenarios (boto3_ops.py)`, { timeout: TIMEOUT_MS + 10_000 }, async (t) => {
    const target = getTarget();
    const python = path.join(toolsDir, 'venv', 'bin', 'python');
    const args = [
      SCRIPT,
      '--endpoint', target.endpoint,
      '--access-key', target.accessKeyId,
      '--secret-key', target.secretAccessKey,
      '--bucket', target.bucket,
      '--region', target.region,
      '--addressing', target.forcePathStyle ? 'path' : 'virtual',
      '--prefix', runPrefix(`${label}-boto3`),
      '--caps', JSON.stringify(capsOf(target)),
    ];
    // No ambient AWS_* (AWS_PROFILE could even make boto3 fail); credentials come from the arguments.
    const { code, output } = await run(python, args, envWithoutAws({ PYTHONUNBUFFERED: '1' }));
    const summary = output.trim().split('\n').pop() ?? '';
    t.diagnostic(summary);
    for (const line of output.split('\n')) if (line.startsWith('SKIP ')) t.diagnostic(line);
    assert.match(summary, /^\d+ passed, \d+ failed$/, `no summary line; output:\n${output}`);
    assert.equal(code, 0, `boto3_ops.py exited with ${code}:\n${output}`);
  });
}
