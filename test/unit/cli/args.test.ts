// cli/args.ts: what each command line means — a command with its options, help, the version, or a
// usage error (exit 2) for unknown options, commands and missing or extra arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine, type Invocation } from '../../../cli/args.ts';

function usageError(inv: Invocation): { message: string; usage: string } {
  assert.equal(inv.kind, 'usage-error', JSON.stringify(inv));
  return inv as Extract<Invocation, { kind: 'usage-error' }>;
}

test('commands with their options, in either spelling, and positionals', () => {
  assert.deepEqual(parseCommandLine(['start']), { kind: 'run', command: 'start', options: {}, positionals: [] });
  assert.deepEqual(parseCommandLine(['start', '--config', 'a.yaml', '--log-file=gw.log']), {
    kind: 'run',
    command: 'start',
    options: { config: 'a.yaml', 'log-file': 'gw.log' },
    positionals: [],
  });
  assert.deepEqual(parseCommandLine(['config', 'lint', 'x.yaml']), { kind: 'run', command: 'config lint', options: {}, positionals: ['x.yaml'] });
  assert.deepEqual(parseCommandLine(['envoy-config', '--runtime-dir', '/run/x']).kind, 'run');
  assert.deepEqual(parseCommandLine(['envoy-config', '--fragment', '--services', '10.0.0.5:7000']), {
    kind: 'run', command: 'envoy-config', options: { fragment: true, services: '10.0.0.5:7000' }, positionals: [],
  });
  assert.deepEqual(parseCommandLine(['services', '--config', 'g.yaml', '--listen', 'unix:/run/bg.sock']), {
    kind: 'run', command: 'services', options: { config: 'g.yaml', listen: 'unix:/run/bg.sock' }, positionals: [],
  });
  assert.deepEqual(parseCommandLine(['policy', 'test', 'c.yaml', '--config', 'g.yaml']), { kind: 'run', command: 'policy test', options: { config: 'g.yaml' }, positionals: ['c.yaml'] });
  // A repeatable option is a list, a flag is true; an option that takes a value refuses to be a flag.
  assert.deepEqual(parseCommandLine(['policy', 'explain', '--user', 'a', '--op', 'GetObject', '--header', 'x-a=1', '--header=x-b=2', '--json']), {
    kind: 'run',
    command: 'policy explain',
    options: { user: 'a', op: 'GetObject', header: ['x-a=1', 'x-b=2'], json: true },
    positionals: [],
  });
  assert.match(usageError(parseCommandLine(['policy', 'explain', '--json=yes'])).message, /--json/);
  assert.match(usageError(parseCommandLine(['policy', 'test'])).message, /CASES is missing/);
});

test('-h and --help on every command print its own help and run nothing', () => {
  for (const cmd of [['start'], ['services'], ['envoy-config'], ['config', 'lint'], ['config', 'schema'], ['policy', 'test'], ['policy', 'explain'], ['services-worker']]) {
    for (const flag of ['-h', '--help']) {
      const inv = parseCommandLine([...cmd, flag]);
      assert.equal(inv.kind, 'help', `${cmd.join(' ')} ${flag}`);
      assert.match((inv as { text: string }).text, new RegExp(`^usage: bucketgate ${cmd.join(' ')}\\b`));
    }
  }
  const start = parseCommandLine(['start', '--config', 'a.yaml', '--help']) as { text: string };
  assert.match(start.text, /--config FILE .*\n.*--log-file FILE/);
  // The overview lists the commands, never the internal worker.
  for (const argv of [['--help'], ['-h']]) {
    const inv = parseCommandLine(argv) as { kind: string; text: string };
    assert.equal(inv.kind, 'help');
    assert.match(inv.text, /bucketgate start .*\n[^]*bucketgate config lint FILE/);
    assert.doesNotMatch(inv.text, /services-worker/);
  }
  const group = parseCommandLine(['config', '--help']) as { text: string };
  assert.match(group.text, /config lint FILE[^]*config schema/);
  assert.doesNotMatch(group.text, /bucketgate start/);
});

test('-V and --version, alone or after a command', () => {
  for (const argv of [['--version'], ['-V'], ['start', '-V'], ['config', 'schema', '--version']]) {
    assert.deepEqual(parseCommandLine(argv), { kind: 'version' }, argv.join(' '));
  }
});

test('unknown options, commands, missing values and wrong argument counts are usage errors', () => {
  const unknown = usageError(parseCommandLine(['start', '--confg', 'a.yaml']));
  assert.equal(unknown.message, "Unknown option '--confg'");
  assert.match(unknown.usage, /^usage: bucketgate start \[--config FILE\]/);
  assert.match(usageError(parseCommandLine(['start', '--config'])).message, /--config <value>' argument missing/);
  assert.equal(usageError(parseCommandLine(['start', 'extra'])).message, 'unexpected argument "extra"');
  assert.equal(usageError(parseCommandLine(['config', 'lint'])).message, 'FILE is missing');
  assert.equal(usageError(parseCommandLine(['config', 'lint', 'a', 'b'])).message, 'unexpected argument "b"');
  assert.equal(usageError(parseCommandLine(['frobnicate'])).message, 'unknown command "frobnicate"');
  assert.equal(usageError(parseCommandLine(['config', 'frob'])).message, 'unknown command "config frob"');
  assert.equal(usageError(parseCommandLine(['config'])).message, 'config needs a subcommand');
  assert.equal(usageError(parseCommandLine([])).message, 'no command given');
  assert.equal(usageError(parseCommandLine(['--bogus'])).message, "Unknown option '--bogus'");
  assert.equal(usageError(parseCommandLine(['-x', 'start'])).message, "Unknown option '-x'");
});
