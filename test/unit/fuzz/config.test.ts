// Fuzzes config loading (core/config/load.ts lintConfigText) with mutated valid documents (the
// unit fixture's and the policy example's) and random YAML-ish text: it never throws, and it either
// returns a config with no error among its problems, or no config and at least one error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { isError, lintConfigText } from '../../../core/config/load.ts';
import { BASE, ENV, FIXTURES } from '../fixtures/config/helpers.ts';
import { mutated, neverThrows, params, testOptions, textOf } from './fuzz.ts';

const EXAMPLE = readFileSync(new URL('../../../examples/policy/bucketgate.yaml', import.meta.url), 'utf8');
const YAML_SPECIALS = [
  '\n', '  ', ': ', '- ', '{', '}', '[', ']', ',', '"', "'", '#', '&a', '*a', '<<: *a', '!!str', '|', '>', '---', '...', '%YAML 1.2',
  '${env:MINIO_SECRET}', '${env:', '${file:nope}', '${x}', '\t', '~', 'null', '0x1F', '1e999', '?', 'name: x', 'backends:', 'users:',
];

test('lintConfigText never throws: a config without errors, or errors and no config', testOptions, () => {
  const text = fc.oneof(
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
