// The `bucketgate` command line.
import { lintConfigFile, loadConfigFile, ConfigError, formatProblems } from '../core/config/load.ts';
import { configSchema } from '../core/config/schema.ts';
import { envoyBootstrap } from '../envoy/bootstrap.ts';
import { startGateway, workerSockets } from '../launcher/start.ts';

const USAGE = `usage:
  bucketgate start [--config FILE]        start Envoy and the gateway services
  bucketgate envoy-config [--config FILE] [--runtime-dir DIR]
                                          print the Envoy bootstrap generated from the config
  bucketgate config lint FILE             check a config; every problem with its place, non-zero exit
  bucketgate config schema                print the config's JSON Schema`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

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

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'start': {
      const file = option(rest, '--config') ?? process.env.BUCKETGATE_CONFIG;
      if (!file) {
        const { startQuickstart } = await import('../launcher/quickstart.ts');
        await startQuickstart();
        return;
      }
      await startGateway(loadOrExit(file));
      return;
    }
    case 'services-worker': {
      const { runServicesWorker } = await import('../launcher/worker.ts');
      runServicesWorker();
      return;
    }
    case 'envoy-config': {
      const file = option(rest, '--config') ?? process.env.BUCKETGATE_CONFIG ?? 'bucketgate.yaml';
      const config = loadOrExit(file);
      const dir = option(rest, '--runtime-dir') ?? '/run/bucketgate';
      const sockets = workerSockets(dir, config.services.workers);
      process.stdout.write(`${JSON.stringify(envoyBootstrap(config, { servicesSockets: sockets }), null, 2)}\n`);
      return;
    }
    case 'config': {
      if (rest[0] === 'schema') {
        process.stdout.write(`${JSON.stringify(configSchema, null, 2)}\n`);
        return;
      }
      if (rest[0] === 'lint' && rest[1]) {
        const { problems } = lintConfigFile(rest[1]);
        if (problems.length > 0) {
          process.stderr.write(`${formatProblems(rest[1], problems)}\n`);
          process.exit(1);
        }
        process.stdout.write(`${rest[1]}: ok\n`);
        return;
      }
      break;
    }
  }
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

await main(process.argv.slice(2));
