// The `bucketgate` command line: cli/args.ts reads it, this runs it.
import { readFileSync } from 'node:fs';
import { lintConfigFile, loadConfigFile, ConfigError, formatProblems } from '../core/config/load.ts';
import { configSchema } from '../core/config/schema.ts';
import { envoyBootstrap } from '../envoy/bootstrap.ts';
import { logToFile, surviveClosedOutput } from '../launcher/log.ts';
import { startGateway, workerSockets } from '../launcher/start.ts';
import { parseCommandLine, type CommandName } from './args.ts';

function loadOrExit(file: string) {
  try {
    return loadConfigFile(file);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${formatProblems(file, e.problems)}\n`);
      process.exit(1);
    }
    throw e;
  }
}

function version(): string {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
}

type Options = Record<string, string | undefined>;

const RUN: Record<CommandName, (options: Options, positionals: string[]) => Promise<void> | void> = {
  async start(options) {
    if (options['log-file']) logToFile(options['log-file']);
    const file = options.config ?? process.env.BUCKETGATE_CONFIG;
    if (!file) {
      const { startQuickstart } = await import('../launcher/quickstart.ts');
      await startQuickstart();
      return;
    }
    await startGateway(loadOrExit(file));
  },
  async 'services-worker'() {
    const { runServicesWorker } = await import('../launcher/worker.ts');
    runServicesWorker();
  },
  'envoy-config'(options) {
    const config = loadOrExit(options.config ?? process.env.BUCKETGATE_CONFIG ?? 'bucketgate.yaml');
    const sockets = workerSockets(options['runtime-dir'] ?? '/run/bucketgate', config.services.workers);
    process.stdout.write(`${JSON.stringify(envoyBootstrap(config, { servicesSockets: sockets }), null, 2)}\n`);
  },
  'config schema'() {
    process.stdout.write(`${JSON.stringify(configSchema, null, 2)}\n`);
  },
  'config lint'(_, [file]) {
    const { problems } = lintConfigFile(file!);
    if (problems.length > 0) {
      process.stderr.write(`${formatProblems(file!, problems)}\n`);
      process.exit(1);
    }
    process.stdout.write(`${file}: ok\n`);
  },
};

async function main(argv: string[]): Promise<void> {
  surviveClosedOutput();
  const inv = parseCommandLine(argv);
  switch (inv.kind) {
    case 'help':
      process.stdout.write(`${inv.text}\n`);
      return;
    case 'version':
      process.stdout.write(`bucketgate ${version()}\n`);
      return;
    case 'usage-error':
      process.stderr.write(`bucketgate: ${inv.message}\n\n${inv.usage}\n`);
      process.exitCode = 2;
      return;
    case 'run':
      await RUN[inv.command](inv.options, inv.positionals);
  }
}

await main(process.argv.slice(2));
