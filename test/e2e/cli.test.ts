// The command line as a user meets it: --help/-h on every command prints that command's help and
// starts nothing (not even the quickstart), --version/-V prints package.json's version, and an
// unknown option, command or missing argument is refused with the usage and exit 2.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { freePorts } from '../../testkit/ports.ts';
import { tcpProbe, trackTempDir } from '../../testkit/process.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'bucketgate.js');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in `cwd`; a run that would start the gateway is cut off after 20 s (and fails). */
function bucketgate(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

describe('bucketgate command line', () => {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'bg-cli-'));
  const tmp = trackTempDir(cwd);
  after(() => tmp.remove());

  it('start --help and -h print the help, exit 0 and start nothing (no quickstart, no listener)', async () => {
    const [port] = await freePorts(1);
    const env = { ...process.env, BUCKETGATE_PORT: String(port) };
    for (const flag of ['--help', '-h']) {
      const r = await bucketgate(['start', flag], cwd, env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^usage: bucketgate start \[--config FILE\] \[--log-file FILE\]\n/);
      assert.equal(r.stderr, '');
    }
    assert.equal(existsSync(path.join(cwd, '.bucketgate')), false, 'the quickstart made its credentials');
    assert.equal(await tcpProbe('127.0.0.1', port!)(), false);
  });

  it('every other command and the overview answer -h/--help with their own usage', async () => {
    for (const [argv, first] of [
      [['envoy-config', '--help'], 'usage: bucketgate envoy-config [--config FILE] [--runtime-dir DIR]'],
      [['config', 'lint', '-h'], 'usage: bucketgate config lint FILE'],
      [['config', 'schema', '--help'], 'usage: bucketgate config schema'],
      [['config', '-h'], 'usage:'],
      [['--help'], 'usage:'],
    ] as const) {
      const r = await bucketgate([...argv], cwd);
      assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout.split('\n')[0], first, argv.join(' '));
    }
  });

  it('--version and -V print the version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const r = await bucketgate([flag], cwd);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `bucketgate ${version}\n`);
    }
  });

  it('unknown options and commands, and missing arguments: the usage on stderr, exit 2, nothing started', async () => {
    for (const [argv, message] of [
      [['start', '--bogus'], "bucketgate: Unknown option '--bogus'\n\nusage: bucketgate start "],
      [['config', 'lint'], 'bucketgate: FILE is missing\n\nusage: bucketgate config lint FILE'],
      [['frobnicate'], 'bucketgate: unknown command "frobnicate"\n\nusage:\n  bucketgate start'],
      [[], 'bucketgate: no command given\n\nusage:'],
    ] as const) {
      const r = await bucketgate([...argv], cwd);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.startsWith(message), `${argv.join(' ')}:\n${r.stderr}`);
      assert.equal(r.stdout, '');
    }
    assert.equal(existsSync(path.join(cwd, '.bucketgate')), false);
  });
});
