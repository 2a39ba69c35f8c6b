// The `bucketgate` command line: cli/args.ts reads it, this runs it.
import { readFileSync } from 'node:fs';
import { lintConfigFile, loadConfigFile, ConfigError, formatProblems } from '../core/config/load.ts';
import { configSchema } from '../core/config/schema.ts';
import { envoyBootstrap } from '../envoy/bootstrap.ts';
import { fragmentYaml } from '../envoy/fragment-doc.ts';
import { envoyFragment, FragmentError } from '../envoy/fragment.ts';
import { parseServicesAddress, type ServicesAddress } from '../wire/address.ts';
import { logToFile, surviveClosedOutput } from '../launcher/log.ts';
import { startGateway, workerSockets } from '../launcher/start.ts';
import { parseCommandLine, type CommandName, type Options, textOption as text } from './args.ts';
import { policyExplain, policyTest } from './policy.ts';

/** `code`: what a bad config exits with (the policy commands keep 1 for a failed case). */
function loadOrExit(file: string, code = 1) {
  try {
    return loadConfigFile(file);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${formatProblems(file, e.problems)}\n`);
      process.exit(code);
    }
    throw e;
  }
}

function usageExit(message: string): never {
  process.stderr.write(`bucketgate: ${message}\n`);
  process.exit(2);
}

function addressOrExit(text: string): ServicesAddress {
  try {
    return parseServicesAddress(text);
  } catch (e) {
    return usageExit((e as Error).message);
  }
}

function readOrExit(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    return usageExit(`cannot read ${file}: ${(e as Error).message}`);
  }
}

function version(): string {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
}

const configFile = (options: Options) => text(options.config) ?? process.env.BUCKETGATE_CONFIG ?? 'bucketgate.yaml';

const RUN: Record<CommandName, (options: Options, positionals: string[]) => Promise<void> | void> = {
  async start(options) {
    const logFile = text(options['log-file']);
    if (logFile) logToFile(logFile);
    const file = text(options.config) ?? process.env.BUCKETGATE_CONFIG;
    if (!file) {
      const { startQuickstart } = await import('../launcher/quickstart.ts');
      await startQuickstart();
      return;
    }
    await startGateway(loadOrExit(file));
  },
  async services(options) {
    const listen = text(options.listen);
    if (!listen) return usageExit('services: --listen ADDR is required (unix:/path.sock, host:port)');
    const at = addressOrExit(listen);
    const [cert, key] = [text(options['tls-cert']), text(options['tls-key'])];
    if ((cert === undefined) !== (key === undefined)) return usageExit('services: --tls-cert and --tls-key go together');
    const tls = cert !== undefined && key !== undefined ? { cert: readOrExit(cert), key: readOrExit(key) } : undefined;
    const { runStandaloneServices } = await import('../launcher/standalone-services.ts');
    await runStandaloneServices(loadOrExit(configFile(options)), at, tls);
  },
  async 'services-worker'() {
    const { runServicesWorker } = await import('../launcher/worker.ts');
    runServicesWorker();
  },
  'envoy-config'(options) {
    const config = loadOrExit(configFile(options));
    if (options.fragment) {
      try {
        const services = addressOrExit(text(options.services) ?? 'unix:/run/bucketgate/services.sock');
        const fragment = envoyFragment(config, services, text(options['services-ca']));
        process.stdout.write(fragmentYaml(fragment));
      } catch (e) {
        if (!(e instanceof FragmentError)) throw e;
        process.stderr.write(`bucketgate: ${e.message}\n`);
        process.exit(1);
      }
      return;
    }
    const sockets = workerSockets(text(options['runtime-dir']) ?? '/run/bucketgate', config.services.workers);
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
  'policy test'(options, [cases]) {
    process.exitCode = policyTest(loadOrExit(configFile(options), 2), cases!, new Date());
  },
  'policy explain'(options) {
    process.exitCode = policyExplain(loadOrExit(configFile(options), 2), options, new Date());
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
