// `policy test` and `policy explain`: files in, report out, an exit code (0 every case passed, 1 a
// mismatch, 2 the cases or the question could not be read). The logic is access/policy-tool/'s.
import { readFileSync } from 'node:fs';
import { formatProblems } from '../core/config/load.ts';
import type { GatewayConfig } from '../core/config/types.ts';
import { parseCases } from '../access/policy-tool/cases.ts';
import { explainJson, explainText } from '../access/policy-tool/explain.ts';
import { PolicyProbe, type ProbeField, type RequestSpec } from '../access/policy-tool/probe.ts';
import { casesReport, runCases } from '../access/policy-tool/run-cases.ts';
import { textOption as text, type Options } from './args.ts';

export function policyTest(config: GatewayConfig, casesFile: string, now: Date): number {
  let source: string;
  try {
    source = readFileSync(casesFile, 'utf8');
  } catch (e) {
    process.stderr.write(`${casesFile}: cannot read the cases file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
    return 2;
  }
  const parsed = parseCases(source);
  if (!parsed.ok) {
    process.stderr.write(`${formatProblems(casesFile, parsed.problems)}\n`);
    return 2;
  }
  const run = runCases(parsed.file, new PolicyProbe(config), now);
  if (!run.ok) {
    process.stderr.write(`${formatProblems(casesFile, run.problems)}\n`);
    return 2;
  }
  const report = casesReport(casesFile, parsed.file.lineOf, run.results);
  process.stdout.write(`${report.text}\n`);
  return report.failed > 0 ? 1 : 0;
}

/** The option a probe's field came from, for its problems. */
const OPTION_OF: Record<ProbeField, string> = {
  user: '--user', groups: '--user', auth_method: '--user', key_id: '--user', operation: '--op', method: '--method', source_ip: '--ip',
};

function headersOf(values: readonly string[]): Record<string, string> | string {
  const headers: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) return `--header ${JSON.stringify(v)}: must be NAME=VALUE`;
    headers[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return headers;
}

export function policyExplain(config: GatewayConfig, options: Options, now: Date): number {
  const user = text(options.user);
  const operation = text(options.op);
  const missing = [!user && '--user', !operation && '--op'].filter(Boolean);
  const headers = headersOf(Array.isArray(options.header) ? options.header : []);
  const refuse = (message: string) => (process.stderr.write(`bucketgate policy explain: ${message}\n`), 2);
  if (missing.length > 0) return refuse(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required`);
  if (typeof headers === 'string') return refuse(headers);
  const request: RequestSpec = { operation: operation!, headers };
  for (const [field, option] of [['bucket', 'bucket'], ['key', 'key'], ['prefix', 'prefix'], ['delimiter', 'delimiter'], ['method', 'method'], ['sourceIp', 'ip']] as const) {
    const value = text(options[option]);
    if (value !== undefined) request[field] = value;
  }
  const asked = new PolicyProbe(config).ask(user === 'anonymous' ? {} : { user: user! }, request, now);
  if (!asked.ok) return refuse(asked.problems.map((p) => `${OPTION_OF[p.field]}: ${p.message}`).join('; '));
  process.stdout.write(options.json ? `${JSON.stringify(explainJson(asked.probed), null, 2)}\n` : `${explainText(asked.probed)}\n`);
  return 0;
}
