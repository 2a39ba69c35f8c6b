// A rule's `when`: a CEL expression over one input document (request, principal), compiled once at
// config load. @bufbuild/cel has no type checker, so the compile step checks what can be known
// before a request exists — the syntax, the names of variables, of the document's fields and of
// functions, their argument counts, and constant CIDR arguments — and reports each problem with its
// position in the expression. What is left to run time (a type mismatch, a missing map key) is an
// evaluation error, which the policy engine treats as fail-closed.
import { celEnv, celMethod, CelScalar, isCelError, listType, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { boundedCache } from '../bounded-cache.ts';
import { parseCidr } from '../cidr.ts';
import { compileGlob } from '../glob.ts';
import type { CelDocument } from './cel-document.ts';
import { CONDITION_FIELDS } from './input-document.ts';

/** A position in the expression: 0-based offset, 1-based line and column. */
export interface ConditionPosition {
  offset: number;
  line: number;
  column: number;
}

export interface ConditionProblem {
  message: string;
  position: ConditionPosition;
}

/** Evaluates the condition on a request's document: true or false, or an Error when it did not evaluate to a boolean. */
export type Condition = (document: CelDocument) => boolean | Error;

/** Parsed CIDRs and globs by source: an argument may come from the request (`'x'.matchesGlob(request.key)`). */
const cidr = boundedCache(parseCidr);
const glob = boundedCache(compileGlob);

function inCidr(ip: string, range: string): boolean {
  const c = cidr(range);
  if (!c) throw new Error(`not a CIDR: ${range}`);
  return c.contains(ip);
}

/** The functions conditions get besides CEL's standard ones and the strings extension. */
const GATEWAY_FUNCS = [
  celMethod('inCidr', CelScalar.STRING, [CelScalar.STRING], CelScalar.BOOL, function (range) {
    return inCidr(this, range);
  }),
  celMethod('inCidr', CelScalar.STRING, [listType(CelScalar.STRING)], CelScalar.BOOL, function (ranges) {
    for (const r of ranges) if (inCidr(this, r as string)) return true;
    return false;
  }),
  celMethod('matchesGlob', CelScalar.STRING, [CelScalar.STRING], CelScalar.BOOL, function (pattern) {
    return glob(pattern).matches(this);
  }),
];

const env = celEnv({ funcs: [...strings, ...GATEWAY_FUNCS] });

/** Operators and macro internals that are not looked up as functions. */
const BUILT_IN_CALLS = new Set(['_&&_', '_||_', '_?_:_', '_[_]', '@not_strictly_false']);

export function compileCondition(source: string): { ok: true; condition: Condition } | { ok: false; problems: ConditionProblem[] } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (e) {
    const err = e as Error & { location?: { start?: { offset: number } } };
    const offset = err.location?.start?.offset ?? 0;
    const message = err.message.replace(/^<input>:\d+:\d+: /, '');
    return { ok: false, problems: [{ message: `syntax error: ${message}`, position: positionOf(source, offset) }] };
  }
  const positions = parsed.sourceInfo?.positions ?? {};
  const problems = check(parsed.expr).map((p) => ({ message: p.message, position: positionOf(source, positions[String(p.id)] ?? 0) }));
  if (problems.length > 0) return { ok: false, problems };
  const run = plan(env, parsed);
  return {
    ok: true,
    condition: (document) => {
      const result = run(document);
      if (isCelError(result)) return result;
      return typeof result === 'boolean' ? result : new Error(`the condition gave ${typeof result}, not a boolean`);
    },
  };
}

function positionOf(source: string, offset: number): ConditionPosition {
  const before = source.slice(0, offset).split('\n');
  return { offset, line: before.length, column: before[before.length - 1]!.length + 1 };
}

interface Found {
  id: bigint;
  message: string;
}

/** Names the expression uses that the input document and the function set do not have. */
function check(root: Expr): Found[] {
  const found: Found[] = [];
  const walk = (e: Expr | undefined, bound: ReadonlySet<string>): void => {
    if (!e) return;
    const k = e.exprKind;
    switch (k.case) {
      case 'identExpr':
        if (!bound.has(k.value.name) && !(k.value.name in CONDITION_FIELDS)) {
          found.push({ id: e.id, message: `unknown name ${k.value.name}; the input document has ${Object.keys(CONDITION_FIELDS).join(' and ')}` });
        }
        return;
      case 'selectExpr': {
        const operand = k.value.operand;
        const root = operand?.exprKind.case === 'identExpr' && !bound.has(operand.exprKind.value.name) ? operand.exprKind.value.name : undefined;
        const fields: readonly string[] | undefined = root === undefined ? undefined : CONDITION_FIELDS[root as keyof typeof CONDITION_FIELDS];
        if (fields && !fields.includes(k.value.field)) {
          found.push({ id: e.id, message: `${root} has no field ${k.value.field}; it has ${fields.join(', ')}` });
        }
        walk(operand, bound);
        return;
      }
      case 'callExpr': {
        const { function: name, target, args } = k.value;
        if (!BUILT_IN_CALLS.has(name)) {
          const group = env.funcs.find(name);
          if (!group) found.push({ id: e.id, message: `unknown function ${name}` });
          else if (![...group].some((f) => (f.target !== undefined) === (target !== undefined) && f.arguments.length === args.length)) {
            found.push({ id: e.id, message: `${name} does not take ${args.length} argument${args.length === 1 ? '' : 's'}${target ? ' as a method' : ''}` });
          }
          if (name === 'inCidr') found.push(...constantCidrProblems(args));
        }
        walk(target, bound);
        for (const a of args) walk(a, bound);
        return;
      }
      case 'listExpr':
        for (const el of k.value.elements) walk(el, bound);
        return;
      case 'structExpr':
        for (const entry of k.value.entries) {
          if (entry.keyKind.case === 'mapKey') walk(entry.keyKind.value, bound);
          walk(entry.value, bound);
        }
        return;
      case 'comprehensionExpr': {
        const c = k.value;
        walk(c.iterRange, bound);
        walk(c.accuInit, bound);
        const inner = new Set([...bound, c.iterVar, c.iterVar2, c.accuVar].filter((v) => v !== ''));
        walk(c.loopCondition, inner);
        walk(c.loopStep, inner);
        walk(c.result, new Set([...bound, c.accuVar]));
        return;
      }
      default:
        return;
    }
  };
  walk(root, new Set());
  return found;
}

/** A constant CIDR argument (or list of them) that does not parse is an error at load, not per request. */
function constantCidrProblems(args: Expr[]): Found[] {
  const arg = args[0];
  const items = arg?.exprKind.case === 'listExpr' ? arg.exprKind.value.elements : arg ? [arg] : [];
  return items.flatMap((item) => {
    const k = item.exprKind;
    if (k.case !== 'constExpr' || k.value.constantKind.case !== 'stringValue') return [];
    const text = k.value.constantKind.value;
    return parseCidr(text) ? [] : [{ id: item.id, message: `not a CIDR: ${JSON.stringify(text)}` }];
  });
}
