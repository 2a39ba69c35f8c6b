// Shared pieces of the fuzz tests (test/unit/fuzz/*.test.ts): the fixed seed and run count, the
// "only S3 errors, and quickly" assertion, and generators of mutated text and of split points.
// FUZZ_RUNS=100000 (npm run fuzz) makes a long run; FUZZ_SEED replays another seed.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { S3Error } from '../../../core/errors.ts';

/** Fixed, so CI runs the same inputs every time; a failure prints the seed and path to replay. */
export const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
const RUNS = process.env.FUZZ_RUNS === undefined ? undefined : Number(process.env.FUZZ_RUNS);

/** fast-check parameters: `defaultRuns` (sized to keep the unit suite quick) unless FUZZ_RUNS says otherwise. */
export function params(defaultRuns: number): fc.Parameters<unknown> {
  return { seed: SEED, numRuns: RUNS ?? defaultRuns };
}

/** node:test options: the default set must stay quick, a long run has no limit. */
export const testOptions = { timeout: RUNS === undefined ? 60_000 : Infinity };

/** No single parse may take this long: catastrophic backtracking or a loop shows up as a failure. */
const BUDGET_MS = 2_000;

/**
 * Runs `fn`; an S3Error is an acceptable answer (returned as `{ error }`), anything else thrown, or
 * taking over the time budget, fails the property.
 */
export function onlyS3Errors<T>(fn: () => T): { value: T } | { error: S3Error } {
  const started = performance.now();
  let outcome: { value: T } | { error: S3Error };
  try {
    outcome = { value: fn() };
  } catch (err) {
    if (!(err instanceof S3Error)) {
      assert.fail(`threw a non-S3 error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    }
    outcome = { error: err };
  }
  const took = performance.now() - started;
  assert.ok(took < BUDGET_MS, `took ${Math.round(took)} ms`);
  return outcome;
}

/** Like onlyS3Errors, for functions that must not throw at all (response rewriting, config lint). */
export function neverThrows<T>(fn: () => T): T {
  const outcome = onlyS3Errors(fn);
  if ('error' in outcome) assert.fail(`threw ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.value;
}

/** Text pieces that parsers care about, to build inputs more interesting than uniform characters. */
export const piece = (specials: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...specials) },
    { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
  );

/** Strings made of `specials` and random text. */
export const textOf = (specials: readonly string[], maxLength = 24): fc.Arbitrary<string> =>
  fc.array(piece(specials), { maxLength }).map((parts) => parts.join(''));

type Edit = { op: 'insert' | 'delete' | 'replace' | 'duplicate' | 'truncate'; at: number; len: number; text: string };

const edit = (specials: readonly string[]): fc.Arbitrary<Edit> =>
  fc.record({
    op: fc.constantFrom('insert', 'delete', 'replace', 'duplicate', 'truncate'),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 8 }),
    text: piece(specials),
  });

function applyEdit(s: string, e: Edit): string {
  const at = s.length === 0 ? 0 : e.at % (s.length + 1);
  switch (e.op) {
    case 'insert':
      return s.slice(0, at) + e.text + s.slice(at);
    case 'delete':
      return s.slice(0, at) + s.slice(at + e.len);
    case 'replace':
      return s.slice(0, at) + e.text + s.slice(at + e.len);
    case 'duplicate':
      return s.slice(0, at + e.len) + s.slice(at, at + e.len) + s.slice(at + e.len);
    case 'truncate':
      return s.slice(0, at);
  }
}

/** A valid input from `base` with one to four random edits (insert, delete, replace, duplicate, truncate). */
export const mutated = (base: fc.Arbitrary<string>, specials: readonly string[] = []): fc.Arbitrary<string> =>
  fc
    .tuple(base, fc.array(edit(specials), { minLength: 1, maxLength: 4 }))
    .map(([s, edits]) => edits.reduce(applyEdit, s));

/** `buf` cut at random offsets, each piece non-empty; the pieces concatenate to `buf`. */
export function pieces(buf: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => (buf.length === 0 ? 0 : c % buf.length)))].filter((c) => c > 0).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...at, buf.length]) {
    if (c > from) out.push(buf.subarray(from, c));
    from = c;
  }
  return out;
}

/** Random cut points for `pieces`. */
export const cuts = fc.array(fc.nat(), { maxLength: 12 });
