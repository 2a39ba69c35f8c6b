// launcher/runtime-dir.ts: which runtime directories a start removes (those of dead launchers only),
// and that it does so before making its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRunDir, staleRunDirs } from '../../../launcher/runtime-dir.ts';

test('a directory is stale when the launcher its name carries is gone; other names are never touched', () => {
  const names = ['bucketgate-100-aB3xY9', 'bucketgate-200-Zz0000', 'bucketgate-aB3xY9', 'bucketgate-envoy-validate-abc', 'bucketgate-100-x', 'other-100-aB3xY9'];
  assert.deepEqual(staleRunDirs(names, (pid) => pid === 200), ['bucketgate-100-aB3xY9']);
  assert.deepEqual(staleRunDirs(names, () => true), []);
});

test('createRunDir removes a dead launcher\'s directory, keeps a live one\'s, and makes its own with its pid', (t) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bg-rundir-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  // pid 2**22 + 1 is above Linux's pid_max limit: never a live process.
  const dead = path.join(tmp, `bucketgate-${2 ** 22 + 1}-abcdef`);
  const live = path.join(tmp, `bucketgate-${process.ppid}-abcdef`);
  for (const d of [dead, live]) mkdirSync(path.join(d, 'sub'), { recursive: true });
  const own = createRunDir(tmp);
  assert.equal(existsSync(dead), false);
  assert.equal(existsSync(live), true);
  assert.match(path.basename(own), new RegExp(`^bucketgate-${process.pid}-[A-Za-z0-9]{6}$`));
  assert.deepEqual(readdirSync(tmp).sort(), [path.basename(live), path.basename(own)].sort());
});
