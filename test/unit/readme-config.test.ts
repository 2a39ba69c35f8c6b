// The README's configuration reference must stay a config that loads: its first ```yaml block, the
// whole example (later blocks are fragments), lints without an error, with a value for each ${env:…}
// it names and the files it names present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isError, lintConfigText } from '../../core/config/load.ts';

const README = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function referenceExample(): string {
  const start = README.indexOf('## Configuration reference');
  const end = README.indexOf('\n## ', start + 1);
  const section = README.slice(start, end);
  const block = /```yaml\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'no yaml block in the configuration reference');
  return block[1]!;
}

test('the README configuration reference example lints clean', (t) => {
  const text = referenceExample();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bucketgate-readme-config-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // Files the examples name (TLS material) exist for the lint; their content is not read.
  for (const f of ['gw.crt', 'gw.key']) fs.writeFileSync(path.join(dir, f), '');
  const env = Object.fromEntries([...text.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => [m[1]!, `value-of-${m[1]!.toLowerCase()}-0123456789`]));
  const problems = lintConfigText(text, { baseDir: dir, env }).problems.filter(isError);
  assert.deepEqual(problems.map((p) => `${p.line ?? '?'} ${p.path}: ${p.message}`), []);
});
