// The README's architecture section shows the folders' import graph as the code has it: the block
// between its markers is exactly what scripts/folder-graph.sh prints (dependency-cruiser on the code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('README import graph = the code\'s (npm run graph)', () => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const block = /<!-- folder-graph -->\n```\n([\s\S]*?)```\n<!-- \/folder-graph -->/.exec(readme);
  assert.ok(block, 'README has the folder-graph block');
  const actual = execFileSync('bash', [`${root}scripts/folder-graph.sh`], { encoding: 'utf8' });
  assert.ok(actual.split('\n').filter(Boolean).length >= 10, actual);
  assert.equal(block[1], actual, 'update the README block with `npm run graph`');
});
