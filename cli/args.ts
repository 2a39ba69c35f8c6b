// The command line's grammar: every command with its options and help text, and a pure reading of
// argv into what to do: run a command, print help (any command takes -h/--help), print the version
// (-V/--version), or refuse with the usage (the caller exits 2). Unknown options are refused.
import { parseArgs } from 'node:util';

export type CommandName = 'start' | 'services' | 'envoy-config' | 'config lint' | 'config schema' | 'policy test' | 'policy explain' | 'services-worker';

interface CommandSpec {
  name: CommandName;
  summary: string;
  /** Options taking a value: name -> [placeholder, help], and `repeat` for one that may be given many times (a list). */
  options: Record<string, [string, string] | [string, string, 'repeat']>;
  /** Options taking no value: name -> help. */
  flags?: Record<string, string>;
  /** Required positional arguments, by placeholder. */
  positionals: string[];
  /** Started by the launcher itself: not listed in the overview. */
  internal?: boolean;
}

const CONFIG_OPTION: [string, string] = ['FILE', 'the config file (default: $BUCKETGATE_CONFIG, else bucketgate.yaml)'];

const COMMANDS: CommandSpec[] = [
  {
    name: 'start',
    summary: 'start Envoy, the services workers and any managed backends; with no config, the quickstart',
    options: {
      config: ['FILE', 'the config file (default: $BUCKETGATE_CONFIG; neither: the quickstart on ./data)'],
      'log-file': ['FILE', "also append the gateway's log to FILE (mode 0600); it goes on if stderr closes"],
    },
    positionals: [],
  },
  {
    name: 'services',
    summary: "run only the gRPC services (ext_authz, ext_proc) for an Envoy you run; see envoy-config --fragment",
    options: {
      config: CONFIG_OPTION,
      listen: ['ADDR', 'where they listen (required): unix:/path.sock, /path.sock, host:port or [v6]:port'],
      'tls-cert': ['FILE', 'serve gRPC over TLS with this certificate chain (PEM; with --tls-key)'],
      'tls-key': ['FILE', "the certificate's private key (PEM)"],
    },
    positionals: [],
  },
  {
    name: 'envoy-config',
    summary: 'print the Envoy bootstrap generated from the config, or with --fragment what to add to your own Envoy',
    options: {
      config: CONFIG_OPTION,
      'runtime-dir': ['DIR', "where the services' sockets are (default: /run/bucketgate)"],
      services: ['ADDR', 'with --fragment: where `bucketgate services` listens (default: unix:/run/bucketgate/services.sock)'],
      'services-ca': ['FILE', 'with --fragment: the services serve TLS; Envoy verifies them with this CA (PEM)'],
    },
    flags: { fragment: 'print the documented fragment (YAML) for an Envoy you run instead of a whole bootstrap' },
    positionals: [],
  },
  { name: 'config lint', summary: 'check a config; every problem with its place, non-zero exit', options: {}, positionals: ['FILE'] },
  { name: 'config schema', summary: "print the config's JSON Schema", options: {}, positionals: [] },
  {
    name: 'policy test',
    summary: "run a cases file against the config's policies; every mismatch listed, exit 1 if any",
    options: { config: CONFIG_OPTION },
    positionals: ['CASES'],
  },
  {
    name: 'policy explain',
    summary: "explain the policies' decision on one request: the deciding rule and every rule's outcome",
    options: {
      user: ['USER', 'the user asking (anonymous: the anonymous principal)'],
      op: ['OPERATION', 'the S3 operation, as the action table names it (GetObject, ListObjectsV2, …)'],
      bucket: ['BUCKET', 'the bucket'],
      key: ['KEY', 'the key (none: a bucket-level request)'],
      prefix: ['PREFIX', "a listing's prefix"],
      delimiter: ['DELIMITER', "a listing's delimiter"],
      method: ['METHOD', "the HTTP method (default: the operation's)"],
      ip: ['ADDRESS', "the client's address (request.sourceIp)"],
      header: ['NAME=VALUE', 'a request header conditions see (repeatable)', 'repeat'],
      config: CONFIG_OPTION,
    },
    flags: { json: 'print the decision as JSON' },
    positionals: [],
  },
  { name: 'services-worker', summary: 'a services worker process (started by `bucketgate start`)', options: {}, positionals: [], internal: true },
];

/** A value option's text, a repeatable one's list, a flag's true. */
export type Options = Record<string, string | string[] | boolean | undefined>;

/** A value option's text (lists and flags are only the options declared so). */
export const textOption = (v: Options[string]): string | undefined => (typeof v === 'string' ? v : undefined);

export type Invocation =
  | { kind: 'run'; command: CommandName; options: Options; positionals: string[] }
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  | { kind: 'usage-error'; message: string; usage: string };

/** parseArgs' message, without its advice on positionals that start with a dash. */
function problem(e: unknown): string {
  return (e as Error).message.replace(/\. To specify a positional argument .*$/s, '');
}

function synopsis(c: CommandSpec): string {
  const opts = Object.entries(c.options).map(([name, [value, , repeat]]) => `[--${name} ${value}]${repeat ? '…' : ''}`);
  const flags = Object.keys(c.flags ?? {}).map((name) => `[--${name}]`);
  return ['bucketgate', c.name, ...opts, ...flags, ...c.positionals].join(' ');
}

function commandHelp(c: CommandSpec): string {
  const rows: Array<[string, string]> = [
    ...Object.entries(c.options).map(([name, [value, help]]): [string, string] => [`--${name} ${value}`, help]),
    ...Object.entries(c.flags ?? {}).map(([name, help]): [string, string] => [`--${name}`, help]),
    ['-h, --help', 'print this help'],
  ];
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return `usage: ${synopsis(c)}\n\n${c.summary}\n\noptions:\n${rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`).join('\n')}`;
}

function overview(commands: CommandSpec[]): string {
  const lines = commands.filter((c) => !c.internal).flatMap((c) => [`  ${synopsis(c)}`, `      ${c.summary}`]);
  return `usage:\n${lines.join('\n')}\n  bucketgate --version\n\n\`bucketgate COMMAND --help\` shows a command's options.`;
}

const COMMON = { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' } } as const;

/** Reads `argv` (without node and the script); never exits or prints. */
export function parseCommandLine(argv: string[]): Invocation {
  const firstFlag = argv.findIndex((a) => a.startsWith('-'));
  const words = firstFlag < 0 ? argv : argv.slice(0, firstFlag);
  const command = COMMANDS.find((c) => c.name === words.slice(0, c.name.split(' ').length).join(' '));
  if (!command) return withoutCommand(words, argv.slice(words.length));
  const usage = commandHelp(command);
  let parsed;
  try {
    const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = Object.fromEntries([
      ...Object.entries(command.options).map(([name, [, , repeat]]) => [name, { type: 'string', multiple: repeat !== undefined }]),
      ...Object.keys(command.flags ?? {}).map((name) => [name, { type: 'boolean' }]),
    ]);
    parsed = parseArgs({ args: argv.slice(command.name.split(' ').length), options: { ...options, ...COMMON }, allowPositionals: true, strict: true });
  } catch (e) {
    return { kind: 'usage-error', message: problem(e), usage };
  }
  const { help, version, ...options } = parsed.values as Options;
  if (help) return { kind: 'help', text: usage };
  if (version) return { kind: 'version' };
  const count = command.positionals.length;
  if (parsed.positionals.length !== count) {
    const message = parsed.positionals.length > count ? `unexpected argument ${JSON.stringify(parsed.positionals[count])}` : `${command.positionals[parsed.positionals.length]} is missing`;
    return { kind: 'usage-error', message, usage };
  }
  return { kind: 'run', command: command.name, options, positionals: parsed.positionals };
}

/** No command named: the overview (of a group's subcommands for `config ...`, `policy ...`), or the version. */
function withoutCommand(words: string[], flags: string[]): Invocation {
  const group = COMMANDS.filter((c) => words.every((w, i) => c.name.split(' ')[i] === w));
  const usage = overview(group.length > 0 ? group : COMMANDS);
  if (group.length === 0) return { kind: 'usage-error', message: `unknown command ${JSON.stringify(words.join(' '))}`, usage };
  let values;
  try {
    values = parseArgs({ args: flags, options: COMMON, strict: true }).values;
  } catch (e) {
    return { kind: 'usage-error', message: problem(e), usage };
  }
  if (values.help) return { kind: 'help', text: usage };
  if (values.version) return { kind: 'version' };
  return { kind: 'usage-error', message: words.length === 0 ? 'no command given' : `${words.join(' ')} needs a subcommand`, usage };
}
