// Entry points: lint a config (every problem, each with path and line) or load it (model or ConfigError).
// Pipeline: YAML syntax -> ${...} references -> JSON Schema -> semantic checks -> runtime model.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import type { ConfigProblem, GatewayConfig } from './types.ts';
import { lineOf } from './locate.ts';
import { resolveRefs, shieldRefs } from './refs.ts';
import { validateSchema } from './validate.ts';
import { checkSemantics } from './semantics.ts';
import { toModel } from './model.ts';

export interface LintOptions {
  /** Directory relative `${file:}` and TLS paths are resolved against: the config file's. */
  baseDir: string;
  env: Record<string, string | undefined>;
}

export interface LintResult {
  /** Errors and warnings, ordered by line. */
  problems: ConfigProblem[];
  /** Present when no problem is an error (warnings allowed). */
  config?: GatewayConfig;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`invalid config ${file}:\n${formatProblems(file, problems)}`);
    this.name = 'ConfigError';
  }
}

export function isError(problem: ConfigProblem): boolean {
  return problem.severity !== 'warning';
}

export function lintConfigText(text: string, opts: LintOptions): LintResult {
  const lines = new LineCounter();
  // prettyErrors off: its code frame would quote the source line, which may hold a literal secret.
  const doc = parseDocument(shieldRefs(text), { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) return { problems: yamlProblems(doc.errors, lines) };
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    return { problems: [{ path: '', message: (err as Error).message }] };
  }

  const refs = resolveRefs(data, opts);
  const schema = validateSchema(refs.value, refs.unresolved);
  const problems = yamlProblems(doc.warnings, lines, 'warning');
  if (!schema.ok) problems.push(...schema.problems);
  problems.push(...refs.problems);
  // As in the schema, a value whose reference failed is not judged again.
  if (schema.ok) problems.push(...checkSemantics(schema.config, opts.baseDir).filter((p) => !refs.unresolved.has(p.path)));

  const located = problems
    .map((p) => ({ ...p, line: p.line ?? lineOf(doc, lines, p.path) }))
    .sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  if (!schema.ok || located.some(isError)) return { problems: located };
  return { problems: located, config: toModel(schema.config, opts.baseDir) };
}

/** One problem per line (later errors on a line are mostly fallout), with quoted source text removed. */
function yamlProblems(errors: YAMLError[], lines: LineCounter, severity?: 'warning'): ConfigProblem[] {
  const byLine = new Map<number, ConfigProblem>();
  for (const e of errors) {
    const line = lines.linePos(e.pos[0]).line;
    const message = e.message
      .replace(/:\s+"[\s\S]*$/, '')
      .replace(/^(Block scalar header includes extra characters|Invalid escape sequence)[\s\S]*$/, '$1');
    if (!byLine.has(line)) byLine.set(line, { path: '', message: `YAML: ${message}`, line, ...(severity && { severity }) });
  }
  return [...byLine.values()];
}

export function lintConfigFile(path: string, env: Record<string, string | undefined> = process.env): LintResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { problems: [{ path: '', message: `cannot read config file (${code})` }] };
  }
  return lintConfigText(text, { baseDir: dirname(resolve(path)), env });
}

/** The model, or a ConfigError listing every error; warnings go to `warn` and do not stop loading. */
export function loadConfigFile(
  path: string,
  env: Record<string, string | undefined> = process.env,
  warn: (text: string) => void = (text) => console.warn(text),
): GatewayConfig {
  const { problems, config } = lintConfigFile(path, env);
  if (!config) throw new ConfigError(path, problems.filter(isError));
  if (problems.length > 0) warn(formatProblems(path, problems));
  return config;
}

/** One line per problem: `config.yaml:12 /backends/0/endpoint: must be an http(s) URL`. */
export function formatProblems(file: string, problems: ConfigProblem[]): string {
  return problems
    .map((p) => {
      const where = p.line === undefined ? file : `${file}:${p.line}`;
      const what = p.severity === 'warning' ? `warning: ${p.message}` : p.message;
      return p.path === '' ? `${where}: ${what}` : `${where} ${p.path}: ${what}`;
    })
    .join('\n');
}
