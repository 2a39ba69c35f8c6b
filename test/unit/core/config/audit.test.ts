// core/config/sections/audit.ts: the issue 17 example's `audit: { sink: stdout }` loads; a file sink
// needs its path (resolved against the config's folder), a stdout sink has none; no section, no audit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, doc, lint, onlyProblem } from '../../fixtures/config/helpers.ts';

test('the issue 17 example: audit to stdout', () => {
  const { problems, config } = lint(readFileSync(join(FIXTURES, 'access.yaml'), 'utf8'));
  assert.deepEqual(problems, []);
  assert.deepEqual(config!.audit, { sink: 'stdout' });
});

test('audit: a file sink with its path, no section at all', () => {
  assert.deepEqual(lint(doc({}, ['audit: { sink: file, path: logs/audit.jsonl }'])).config!.audit, { sink: 'file', path: join(FIXTURES, 'logs/audit.jsonl') });
  assert.equal(lint(doc()).config!.audit, undefined);
});

test('audit: what the schema and the checks refuse, with its place', () => {
  const line = doc().split('\n').length + 1;
  assert.match(onlyProblem(doc({}, ['audit: { sink: file }']), '/audit', line).message, /sink file needs path/);
  assert.match(onlyProblem(doc({}, ['audit: { sink: stdout, path: a.log }']), '/audit/path', line).message, /path belongs to sink file only/);
  onlyProblem(doc({}, ['audit: { sink: syslog }']), '/audit/sink', line);
  onlyProblem(doc({}, ['audit: { sink: stdout, rotate: daily }']), '/audit/rotate', line);
});
