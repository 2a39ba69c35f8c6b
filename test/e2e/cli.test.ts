// The command line as a user meets it: --help/-h on every command prints that command's help and
// starts nothing (not even the quickstart), --version/-V prints package.json's version, and an
// unknown option, command or missing argument is refused with the usage and exit 2.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
      [['envoy-config', '--help'], 'usage: bucketgate envoy-config [--config FILE] [--runtime-dir DIR] [--services ADDR] [--services-ca FILE] [--fragment]'],
      [['services', '--help'], 'usage: bucketgate services [--config FILE] [--listen ADDR] [--tls-cert FILE] [--tls-key FILE]'],
      [['config', 'lint', '-h'], 'usage: bucketgate config lint FILE'],
      [['config', 'schema', '--help'], 'usage: bucketgate config schema'],
      [['policy', 'test', '-h'], 'usage: bucketgate policy test [--config FILE] CASES'],
      [['policy', '-h'], 'usage:'],
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

  it('services and the fragment: --listen required, an address they can use, no filesystem backends (their versitygw needs start)', async () => {
    const config = path.join(cwd, 'fs.yaml');
    writeFileSync(config, 'backends:\n  - { name: local, type: filesystem, path: ./data }\nbuckets:\n  stuff: { backend: local }\nusers:\n  - { name: al, access_keys: [ { access_key_id: AKIAALICE000000001, secret_access_key: alice-secret-0123456789 } ], buckets: [stuff] }\n');
    for (const [argv, code, message] of [
      [['services', '--config', config], 2, /--listen ADDR is required/],
      [['services', '--config', config, '--listen', 'nowhere'], 2, /"nowhere" is not an address: give unix:/],
      [['services', '--config', config, '--listen', '127.0.0.1:1', '--tls-cert', config], 2, /--tls-cert and --tls-key go together/],
      [['services', '--config', config, '--listen', '127.0.0.1:1', '--tls-cert', 'none.pem', '--tls-key', 'none.key'], 2, /cannot read none\.pem/],
      [['services', '--config', config, '--listen', '127.0.0.1:1'], 2, /filesystem backends \(local\) need the versitygw that only `bucketgate start` manages/],
      [['envoy-config', '--fragment', '--config', config], 1, /filesystem backends \(local\)/],
      [['envoy-config', '--fragment', '--config', config, '--services', 'x'], 2, /"x" is not an address/],
    ] as const) {
      const r = await bucketgate([...argv], cwd);
      assert.equal(r.code, code, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, argv.join(' '));
      assert.equal(r.stdout, '');
    }
  });

  describe('policy test and policy explain on the shipped example (examples/policy)', () => {
    const config = path.join(ROOT, 'examples', 'policy', 'bucketgate.yaml');
    const cases = path.join(ROOT, 'examples', 'policy', 'cases.yaml');
    const caseCount = (readFileSync(cases, 'utf8').match(/^  - \{/gm) ?? []).length;

    it('every case of the shipped file passes: exit 0 and the count', async () => {
      const r = await bucketgate(['policy', 'test', cases, '--config', config], cwd);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(caseCount > 20, `${caseCount} cases`);
      assert.equal(r.stdout, `${caseCount} cases: ${caseCount} passed, 0 failed\n`);
    });

    it('a wrong expectation fails: exit 1, every mismatch with its line, the decision explained', async () => {
      const wrong = readFileSync(cases, 'utf8')
        .replace('key: admin/keys.txt }, expect: deny, rule: "shared-read[1]"', 'key: admin/keys.txt }, expect: allow')
        .replace('rule: "admission:block-net"', 'rule: "admission:maintenance"');
      const file = path.join(cwd, 'wrong-cases.yaml');
      writeFileSync(file, wrong);
      const r = await bucketgate(['policy', 'test', file, '--config', config], cwd);
      assert.equal(r.code, 1, r.stderr);
      const fails = r.stdout.split('\n').filter((l) => l.startsWith('FAIL '));
      assert.equal(fails.length, 2, r.stdout);
      assert.match(fails[0]!, /wrong-cases\.yaml:\d+ "admin keys stay hidden": expected allow, got deny \(deciding rule: shared-read\[1\]\)/);
      assert.match(fails[1]!, /"the blocked network gets nothing": expected deciding rule admission:maintenance, got admission:block-net/);
      assert.match(r.stdout, /shared-read\[1\]\s+deny\s+matched/);
      assert.match(r.stdout, new RegExp(`${caseCount} cases: ${caseCount - 2} passed, 2 failed\n$`));
    });

    it('a cases file the config cannot answer: exit 2, each problem with its line, no verdict', async () => {
      const file = path.join(cwd, 'bad-cases.yaml');
      writeFileSync(file, 'cases:\n  - { principal: dave, request: { operation: GetObjekt, bucket: b }, expect: allow }\n  - { principal: alice, request: { operation: GetObject, time: "2026-13-01T00:00:00Z" }, expect: allow }\n');
      const first = await bucketgate(['policy', 'test', file, '--config', config], cwd);
      assert.equal(first.code, 2);
      assert.match(first.stderr, /bad-cases\.yaml:3 \/cases\/1\/request\/time: is not a valid date and time/);
      writeFileSync(file, 'cases:\n  - { principal: dave, request: { operation: GetObjekt, bucket: b, source_ip: nope }, expect: allow }\n');
      const r = await bucketgate(['policy', 'test', file, '--config', config], cwd);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      for (const p of [/:2 \/cases\/0\/principal: is not a user of the config/, /:2 \/cases\/0\/request\/operation: is not an operation/, /:2 \/cases\/0\/request\/source_ip: must be an IPv4 or IPv6 address/]) {
        assert.match(r.stderr, p);
      }
    });

    it('explain: the decision, the deciding rule and every rule tried; --json for scripts; admission first', async () => {
      const args = ['policy', 'explain', '--config', config, '--user', 'alice', '--op', 'GetObject', '--bucket', 'builds', '--key', 'admin/keys.txt'];
      const text = await bucketgate(args, cwd);
      assert.equal(text.code, 0, text.stderr);
      assert.equal(text.stdout.split('\n')[0], 'DENY GetObject on builds/admin/keys.txt by alice (sigv4, key AKIAALICE0000000001)');
      assert.match(text.stdout, /^deciding rule: shared-read\[1\] \(deny\)$/m);
      assert.match(text.stdout, /own-home\[0\]\s+allow\s+no match: resource/);
      assert.match(text.stdout, /shared-read\[0\]\s+allow\s+matched/);
      const json = await bucketgate([...args.slice(0, -4), '--bucket', 'home', '--key', 'alice/a.txt', '--ip', '127.0.0.1', '--json'], cwd);
      assert.equal(json.code, 0, json.stderr);
      const out = JSON.parse(json.stdout);
      assert.equal(out.decision, 'allow');
      assert.deepEqual(out.deciding, { policy: 'own-home', index: 0 });
      assert.equal(out.request.sourceIp, '127.0.0.1');
      const blocked = await bucketgate([...args, '--ip', '203.0.113.5'], cwd);
      assert.match(blocked.stdout, /^deciding rule: admission:block-net \(before authentication: 403 AccessDenied\)$/m);
      const bad = await bucketgate(['policy', 'explain', '--config', config, '--user', 'zed', '--op', 'GetObject'], cwd);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--user: is not a user of the config \(alice, bob, carol\)/);
    });
  });
});
