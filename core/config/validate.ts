// Schema validation with every error collected, translated from ajv's terse output into one problem
// per offending value. Messages are built from the schema and key names only, never from the data.
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import type { ConfigProblem } from './types.ts';
import { configSchema, type RawConfig } from './schema.ts';
import { joinPointer } from './locate.ts';

// verbose: errors then carry parentSchema, whose description gives readable messages.
const OPTIONS = { allErrors: true, verbose: true, strict: true } as const;
const validator = new Ajv2020(OPTIONS).compile<RawConfig>(configSchema);

/**
 * Validates against the schema. `unresolved` holds paths whose `${...}` reference failed: that is
 * already reported, and judging the leftover reference text would only add noise.
 */
export function validateSchema(
  doc: unknown,
  unresolved: ReadonlySet<string>,
): { ok: true; config: RawConfig } | { ok: false; problems: ConfigProblem[] } {
  if (validator(doc)) return { ok: true, config: doc };
  return { ok: false, problems: schemaProblems(validator.errors ?? [], unresolved) };
}

/** A validator of another document (a policy cases file) whose problems read as the config's do. */
export function documentValidator<T>(schema: Readonly<Record<string, unknown>>): (doc: unknown) => { ok: true; value: T } | { ok: false; problems: ConfigProblem[] } {
  const validate = new Ajv2020(OPTIONS).compile<T>(schema);
  return (doc) => (validate(doc) ? { ok: true, value: doc } : { ok: false, problems: schemaProblems(validate.errors ?? [], new Set()) });
}

function schemaProblems(ajvErrors: readonly ErrorObject[], unresolved: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  const aboutValue = (e: ErrorObject): boolean => e.keyword !== 'additionalProperties' && e.keyword !== 'required';
  // An `if` failure only says which branch (then/else) failed; that branch's own errors say why.
  const errors = ajvErrors.filter((e) => e.keyword !== 'if' && !(aboutValue(e) && unresolved.has(e.instancePath)));
  for (const err of collapseAnyOf(errors)) {
    const problem = toProblem(err);
    const key = `${problem.path}\0${problem.message}`;
    if (problem.message && !seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

/**
 * An anyOf failure arrives with every branch's errors. When a branch matched the value's shape but
 * failed on details (a bad or repeated list item), those details are the useful errors and the other
 * branches' verdicts on the whole value are noise; otherwise the anyOf's description says what to write.
 */
function collapseAnyOf(errors: ErrorObject[]): ErrorObject[] {
  let out = errors;
  for (const anyOf of errors.filter((e) => e.keyword === 'anyOf')) {
    const at = anyOf.instancePath;
    const within = (e: ErrorObject): boolean => e.instancePath === at || e.instancePath.startsWith(`${at}/`);
    const detailed = out.some((e) => within(e) && !WHOLE_VALUE.has(e.keyword));
    out = out.filter((e) => e.instancePath !== at || (detailed ? !WHOLE_VALUE.has(e.keyword) : e === anyOf));
  }
  return out;
}

const WHOLE_VALUE = new Set(['anyOf', 'type', 'const', 'enum']);

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
};

function toProblem(err: ErrorObject): ConfigProblem {
  const path = err.instancePath;
  const params = err.params as Record<string, unknown>;
  const described = (err.parentSchema as { description?: string } | undefined)?.description;
  // Errors inside propertyNames are about a key: point at that key, not at the whole map.
  if (err.propertyName !== undefined) {
    return { path: joinPointer(path, err.propertyName), message: described ? `must be ${described}` : `invalid key` };
  }
  switch (err.keyword) {
    case 'propertyNames':
      return { path, message: '' }; // Reported by the inner error above.
    case 'additionalProperties': {
      const allowed = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return {
        path: joinPointer(path, String(params.additionalProperty)),
        message: `unknown key; expected one of: ${allowed.join(', ')}`,
      };
    }
    case 'required':
      return { path: joinPointer(path, String(params.missingProperty)), message: 'is required' };
    case 'type':
      return { path, message: `must be ${TYPE_NAMES[String(params.type)] ?? String(params.type)}` };
    case 'enum':
      return { path, message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'minItems':
      return { path, message: params.limit === 1 ? 'must not be empty' : `must have at least ${String(params.limit)} items` };
    case 'uniqueItems':
      return { path: joinPointer(path, Math.max(Number(params.i), Number(params.j))), message: 'is listed twice' };
    case 'anyOf':
      return { path, message: described ? `must be ${described}` : 'has the wrong shape' };
    case 'pattern':
    case 'minLength':
    case 'maxLength':
    case 'minimum':
    case 'maximum':
      if (described) return { path, message: `must be ${described}` };
      break;
  }
  return { path, message: err.message ?? 'is invalid' };
}
