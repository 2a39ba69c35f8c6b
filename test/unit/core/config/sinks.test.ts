// core/config/sections/{audit,access-log}.ts over sink.ts: the issue 17 example's `audit: { sink: stdout }`
// loads; a file sink needs its path (resolved against the config's folder), a stdout sink has none; no
// section, no log. Both sections spell their sink the same way.
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

for (const [key, model] of [['audit', 'audit'], ['access_log', 'accessLog']] as const) {
  test(`${key}: a file sink with its path, stdout, no section at all`, () => {
    assert.deepEqual(lint(doc({}, [`${key}: { sink: file, path: logs/x.jsonl }`])).config![model], { sink: 'file', path: join(FIXTURES, 'logs/x.jsonl') });
    assert.deepEqual(lint(doc({}, [`${key}: { sink: stdout }`])).config![model], { sink: 'stdout' });
    assert.equal(lint(doc()).config![model], undefined);
  });

  test(`${key}: what the schema and the checks refuse, with its place`, () => {
    const line = doc().split('\n').length + 1;
    assert.match(onlyProblem(doc({}, [`${key}: { sink: file }`]), `/${key}`, line).message, new RegExp(`${key}: sink file needs path`));
    assert.match(onlyProblem(doc({}, [`${key}: { sink: stdout, path: a.log }`]), `/${key}/path`, line).message, /path belongs to sink file only/);
    onlyProblem(doc({}, [`${key}: { sink: syslog }`]), `/${key}/sink`, line);
    onlyProblem(doc({}, [`${key}: { sink: stdout, rotate: daily }`]), `/${key}/rotate`, line);
  });
}
