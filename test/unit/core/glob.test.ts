// core/glob.ts: `*` spans '/', everything else is literal; touches/covers of a prefix at the edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlob } from '../../../core/glob.ts';

// [glob, text, matches]
const MATCHES: [string, string, boolean][] = [
  ['a*', 'a', true],
  ['a*', 'a/', true],
  ['a*', 'ab/c/d', true],
  ['a/', 'a', false],
  ['a/', 'a/', true],
  ['a/', 'a/x', false],
  ['b/*', 'b', false],
  ['b/*', 'b/', true], // the empty key
  ['b/*', 'b/x/y', true],
  ['b/p/*', 'b/p', false],
  ['b/p/*', 'b/pq/x', false],
  ['b/*/x', 'b/a/b/x', true],
  ['*', '', true],
  ['a.b?c', 'a.b?c', true], // regex characters are literal
  ['a.b?c', 'aXbYc', false],
  ['logs-*', 'logs-2024', true],
  ['logs-*', 'logs', false],
];

test('matches: * spans any characters including /; the rest is literal', () => {
  for (const [g, text, want] of MATCHES) assert.equal(compileGlob(g).matches(text), want, `${g} ~ ${JSON.stringify(text)}`);
});

// [glob, prefix, touches (some string with the prefix matches), covers (every one does)]
const PREFIX: [string, string, boolean, boolean][] = [
  ['b/p/*', 'b/p/', true, true],
  ['b/p/*', 'b/p/sub/', true, true],
  ['b/p/*', 'b/', true, false],
  ['b/p/*', 'b/p', true, false], // "b/pq…" is under the prefix too
  ['b/p/*', 'b/q', false, false],
  ['b/*', 'b/', true, true],
  ['b', 'b/', false, false],
  ['*', 'anything', true, true],
  ['b*/x*', 'b/x', true, true],
  ['b*/x*', 'b/', true, false],
  ['b/p/file', 'b/p/', true, false],
];

test('touches and covers a prefix', () => {
  for (const [g, prefix, touches, covers] of PREFIX) {
    assert.equal(compileGlob(g).touches(prefix), touches, `${g} touches ${prefix}`);
    assert.equal(compileGlob(g).covers(prefix), covers, `${g} covers ${prefix}`);
  }
});
