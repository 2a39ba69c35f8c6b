// Fuzzes config loading (core/config/load.ts lintConfigText) with mutated valid documents (the
// unit fixture's and the policy example's), the example with random values in place of some of its
// leaves (CEL conditions, globs, CIDRs, names, numbers), and random YAML-ish text: it never throws,
// and it either returns a config with no error among its problems, or no config and at least one error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';
import { isError, lintConfigText } from '../../../core/config/load.ts';
import { BASE, ENV, FIXTURES } from '../fixtures/config/helpers.ts';
import { mutated, neverThrows, params, testOptions, textOf } from './fuzz.ts';

const EXAMPLE = readFileSync(new URL('../../../examples/policy/bucketgate.yaml', import.meta.url), 'utf8');
const YAML_SPECIALS = [
  '\n', '  ', ': ', '- ', '{', '}', '[', ']', ',', '"', "'", '#', '&a', '*a', '<<: *a', '!!str', '|', '>', '---', '...', '%YAML 1.2',
  '${env:MINIO_SECRET}', '${env:', '${file:nope}', '${x}', '\t', '~', 'null', '0x1F', '1e999', '?', 'name: x', 'backends:', 'users:',
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Paths to every scalar of a document. */
function leaves(v: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  if (v === null || typeof v !== 'object') return [at];
  const entries: Array<[string | number, Json]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  return entries.flatMap(([k, x]) => leaves(x, [...at, k]));
}

function replaced(doc: Json, path: ReadonlyArray<string | number>, value: Json): Json {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...Array<string | number>];
  const copy = (Array.isArray(doc) ? [...doc] : { ...(doc as Record<string, Json>) }) as Record<string | number, Json>;
  copy[head] = replaced(copy[head] ?? null, rest, value);
  return copy as Json;
}

const EXAMPLE_DOC = parse(EXAMPLE) as Json;
const EXAMPLE_LEAVES = leaves(EXAMPLE_DOC);
const VALUE_SPECIALS = [
  'request.', 'principal.', '&&', '||', '!', '(', ')', '"', "'", '.startsWith(', '.inCidr(', '10.0.0.0/8', '::1/128', '/', '*', '?', '[', ']',
  '${principal.name}', '${env:X}', '${', '}', 'home/', 'builds', 'minio', 'team-a', 'read', 'deny', '2027-06-01T00:00:00Z', '-1', '1e309', '\\',
];
const leafValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: textOf(VALUE_SPECIALS, 8) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> },
);
const edited = fc
  .array(fc.tuple(fc.nat(EXAMPLE_LEAVES.length - 1), leafValue), { minLength: 1, maxLength: 3 })
  .map((edits) => JSON.stringify(edits.reduce((d, [i, v]) => replaced(d, EXAMPLE_LEAVES[i]!, v), EXAMPLE_DOC)));

test('lintConfigText never throws: a config without errors, or errors and no config', testOptions, () => {
  const text = fc.oneof(
    edited,
    mutated(fc.constantFrom(BASE.join('\n'), EXAMPLE), YAML_SPECIALS),
    textOf(YAML_SPECIALS, 40),
  );
  fc.assert(
    fc.property(text, (t) => {
      const { problems, config } = neverThrows(() => lintConfigText(t, { baseDir: FIXTURES, env: ENV }));
      assert.ok(Array.isArray(problems));
      if (config) assert.ok(!problems.some(isError), JSON.stringify(problems));
      else assert.ok(problems.some(isError), 'no config, yet no error');
    }),
    params(150),
  );
});
