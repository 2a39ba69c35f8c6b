// Measures CEL evaluators for the policy engine's `when` conditions (issue 17): pass rate on the
// cel-spec conformance tests that plain JS values can express, and µs per evaluation of a policy-like
// condition. @bufbuild/cel is a dependency; the others are only compared, from a scratch folder:
//   npm install --prefix /tmp/celcmp cel-js @marcbachmann/cel-js
//   node --import tsx scripts/cel-evaluators.ts [/tmp/celcmp]
// Values are compared by kind, leniently on numbers (int, uint and double alike), so a library that
// has one number type is not failed for it; maps compare by their keys' text.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { celEnv, isCelError, isCelList, isCelMap, isCelUint, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { tests as conformance } from '@bufbuild/cel-spec/testdata/conformance.js';

type Json = any;
/** Evaluates `expr` with plain bindings; throws on any error (parse, type or evaluation). */
type Evaluator = { name: string; prepare(expr: string): (vars: Record<string, unknown>) => unknown; int: (s: string) => unknown };

// With the strings extension, which the gateway's conditions get too.
const bufEnv = celEnv({ funcs: strings });
const bufbuild: Evaluator = {
  name: '@bufbuild/cel',
  prepare(expr) {
    const run = plan(bufEnv, parse(expr));
    return (vars) => {
      const r = run(vars as never);
      if (isCelError(r)) throw r;
      return r;
    };
  },
  int: (s) => BigInt(s),
};

async function competitors(dir: string | undefined): Promise<Evaluator[]> {
  if (!dir) return [];
  const req = createRequire(join(resolve(dir), 'package.json'));
  const load = async (name: string) => import(pathToFileURL(req.resolve(name)).href);
  const celJs = await load('cel-js');
  const marc = await load('@marcbachmann/cel-js');
  return [
    { name: 'cel-js', prepare: (expr) => { celJs.parse(expr); return (vars) => celJs.evaluate(expr, vars); }, int: Number },
    { name: '@marcbachmann/cel-js', prepare: (expr) => { const f = marc.parse(expr); return (vars) => f(vars); }, int: (s) => BigInt(s) },
  ];
}

/** A conformance Value (proto JSON) as a plain input. */
function input(v: Json, ev: Evaluator): unknown {
  if ('boolValue' in v) return v.boolValue;
  if ('int64Value' in v || 'uint64Value' in v) return ev.int(v.int64Value ?? v.uint64Value);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('stringValue' in v) return v.stringValue;
  if ('bytesValue' in v) return new Uint8Array(Buffer.from(v.bytesValue, 'base64'));
  if ('nullValue' in v) return null;
  if ('listValue' in v) return (v.listValue.values ?? []).map((x: Json) => input(x, ev));
  if ('mapValue' in v) return Object.fromEntries((v.mapValue.entries ?? []).map((e: Json) => [String(Object.values(e.key)[0]), input(e.value, ev)]));
  throw new Error('unsupported value');
}

/** Canonical text of a value, for either side. */
function canon(x: unknown): string {
  if (x === null || x === undefined) return 'null';
  if (typeof x === 'bigint') return `n:${x}`;
  if (typeof x === 'number') return `n:${Number.isNaN(x) ? 'NaN' : String(x)}`;
  if (isCelUint(x)) return `n:${x.value}`;
  if (typeof x === 'object' && 'value' in x && Object.keys(x).length === 1) return canon((x as { value: unknown }).value);
  if (typeof x === 'string' || typeof x === 'boolean') return JSON.stringify(x);
  if (x instanceof Uint8Array) return `b:${Buffer.from(x).toString('hex')}`;
  if (isCelList(x)) return canon([...x]);
  if (Array.isArray(x)) return `[${x.map(canon).join(',')}]`;
  const entries: [unknown, unknown][] = isCelMap(x) ? [...x.entries()] : x instanceof Map ? [...x.entries()] : Object.entries(x);
  return `{${entries.map(([k, v]) => `${String(k)}:${canon(v)}`).sort().join(',')}}`;
}

const expected = (v: Json): string => canon(input(v, { ...bufbuild, int: (s) => BigInt(s) }));

interface Case { suite: string; expr: string; bindings: Record<string, Json>; value?: Json; error: boolean }

/** Tests that plain values express: no proto messages, types or enums, no container, not check-only. */
function plainCases(): { all: number; cases: Case[] } {
  const out: Case[] = [];
  let all = 0;
  const walk = (s: Json, suite: string) => {
    for (const t of s.tests ?? []) {
      all++;
      const o = t.original;
      const text = JSON.stringify(o);
      if (o.container || o.checkOnly || o.unknown || o.anyUnknowns || /objectValue|typeValue|enumValue/.test(text)) continue;
      const bindings = Object.fromEntries(Object.entries(o.bindings ?? {}).map(([k, b]) => [k, (b as Json).value]));
      if (Object.values(bindings).some((b) => b === undefined)) continue;
      const error = o.evalError !== undefined || o.anyEvalErrors !== undefined;
      out.push({ suite, expr: o.expr, bindings, value: o.value ?? o.typedResult?.result ?? (error ? undefined : { boolValue: true }), error });
    }
    for (const sub of s.suites ?? []) walk(sub, suite || sub.name);
  };
  walk(conformance, '');
  return { all, cases: out };
}

function passes(ev: Evaluator, c: Case): boolean {
  try {
    const vars = Object.fromEntries(Object.entries(c.bindings).map(([k, v]) => [k, input(v, ev)]));
    const got = ev.prepare(c.expr)(vars);
    return !c.error && canon(got) === expected(c.value);
  } catch {
    return c.error;
  }
}

const CONDITION = 'request.sourceIp.startsWith("127.") && request.method != "DELETE" && principal.groups.exists(g, g == "team-a")';

function microsPerEval(ev: Evaluator): number {
  const run = ev.prepare(CONDITION);
  const vars = { request: { sourceIp: '127.0.0.1', method: 'GET' }, principal: { groups: ['ops', 'team-a'] } };
  if (run(vars) !== true) throw new Error(`${ev.name}: the condition did not hold`);
  for (let i = 0; i < 2_000; i++) run(vars);
  const n = 20_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) run(vars);
  return Number(process.hrtime.bigint() - t0) / 1_000 / n;
}

/** Suites of CEL extensions (optional syntax, math, block, bindings…), which libraries ship or not. */
const isExtension = (suite: string) => suite.endsWith('_ext') || suite === 'optionals';
const rate = (ev: Evaluator, cs: Case[]) => {
  const passed = cs.filter((c) => passes(ev, c)).length;
  return `${passed}/${cs.length} (${((100 * passed) / cs.length).toFixed(1)}%)`;
};

const { all, cases } = plainCases();
const core = cases.filter((c) => !isExtension(c.suite));
console.log(`cel-spec ${all} conformance tests; ${cases.length} expressible with plain values, ${core.length} of them outside extension suites`);
console.log(`condition timed: ${CONDITION}`);
console.log('| evaluator | pass, core CEL | pass, with extensions | µs per evaluation |\n|---|---:|---:|---:|');
for (const ev of [bufbuild, ...(await competitors(process.argv[2]))]) {
  let us: string;
  try {
    us = microsPerEval(ev).toFixed(2);
  } catch (e) {
    us = `fails (${(e as Error).message.slice(0, 40)})`;
  }
  console.log(`| ${ev.name} | ${rate(ev, core)} | ${rate(ev, cases)} | ${us} |`);
}
