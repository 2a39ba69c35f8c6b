// `${env:VAR}` and `${file:PATH}` references in string values, so secrets need not live in the YAML.
// Messages name the variable or file, never what it resolved to: lint output ends up in CI logs.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigProblem } from './types.ts';
import { joinPointer } from './locate.ts';

export interface RefOptions {
  /** Directory `${file:PATH}` is relative to: the config file's. */
  baseDir: string;
  env: Record<string, string | undefined>;
}

export interface ResolvedRefs {
  /** A copy of the input with every resolvable reference replaced. */
  value: unknown;
  problems: ConfigProblem[];
  /** Paths whose value kept an unresolved reference; later checks skip them to avoid noise. */
  unresolved: Set<string>;
}

const REF = /\$\{([^}]*)\}/g;
const OPEN = '\uE000';
const CLOSE = '\uE001';

/**
 * YAML reads an unquoted `{a: ${env:X}}` as nested flow mappings. Before parsing, the braces of each
 * reference become private-use characters of the same UTF-16 length (so offsets and lines are
 * unchanged); resolveRefs turns them back.
 */
export function shieldRefs(text: string): string {
  return text.replace(/\$\{([^{}\n]*)\}/g, (_, body: string) => `$${OPEN}${body}${CLOSE}`);
}

function unshield(s: string): string {
  return s.replaceAll(OPEN, '{').replaceAll(CLOSE, '}');
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const POLICY_TEMPLATE = /^principal\.[A-Za-z]+$/;

export function resolveRefs(input: unknown, opts: RefOptions): ResolvedRefs {
  const problems: ConfigProblem[] = [];
  const unresolved = new Set<string>();

  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') {
      const before = problems.length;
      const out = resolveString(unshield(value), path, opts, problems);
      if (problems.length > before) unresolved.add(path);
      return out;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, joinPointer(path, i)));
    if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value).map(([k, v]) => [unshield(k), v] as const);
      return Object.fromEntries(entries.map(([k, v]) => [k, walk(v, joinPointer(path, k))]));
    }
    return value;
  };

  return { value: walk(input, ''), problems, unresolved };
}

function resolveString(value: string, path: string, opts: RefOptions, problems: ConfigProblem[]): string {
  return value.replace(REF, (whole, body: string) => {
    const colon = body.indexOf(':');
    const kind = colon < 0 ? '' : body.slice(0, colon);
    const arg = body.slice(colon + 1);
    if (kind === 'env') {
      if (!ENV_NAME.test(arg)) {
        problems.push({ path, message: '${env:...} does not name a valid environment variable' });
        return whole;
      }
      const v = opts.env[arg];
      if (v === undefined) {
        problems.push({ path, message: `environment variable ${arg} is not set` });
        return whole;
      }
      return v;
    }
    // A policy resource's template, filled in per principal by the policy engine.
    if (kind === '' && POLICY_TEMPLATE.test(body)) return whole;
    if (kind === 'file') {
      if (arg === '') {
        problems.push({ path, message: '${file:PATH} needs a file path' });
        return whole;
      }
      try {
        return readFileSync(resolve(opts.baseDir, arg), 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        problems.push({ path, message: `cannot read file ${arg} (${code})` });
        return whole;
      }
    }
    // Not echoed: an unrecognised ${...} may well be part of a literal secret.
    problems.push({ path, message: 'unsupported ${...} reference: only ${env:VAR} and ${file:PATH} are recognised' });
    return whole;
  });
}
