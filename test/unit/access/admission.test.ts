// access/admission.ts from tables: each match kind alone and together, order, continue, CIDRs v4/v6
// (an IPv4-mapped client), globs at the edges, no bucket (ListBuckets), and each action's verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admission, compileMatch, type AdmissionRequest } from '../../../access/admission.ts';
import type { AdmissionMatch, AdmissionRuleConfig } from '../../../core/config/types.ts';

const REQ: AdmissionRequest = { method: 'GET', sourceIp: '10.1.2.3', bucket: 'builds', key: 'releases/v1.tgz', authenticated: true };

// [match, request changes, matches?]
const MATCHES: [AdmissionMatch, Partial<AdmissionRequest>, boolean][] = [
  [{}, {}, true],
  [{}, { bucket: undefined, key: '' }, true],
  [{ methods: ['GET'] }, { method: 'get' }, true],
  [{ methods: ['PUT', 'POST'] }, {}, false],
  [{ sourceIpList: ['10.0.0.0/8'] }, {}, true],
  [{ sourceIpList: ['10.0.0.0/8'] }, { sourceIp: '::ffff:10.9.9.9' }, true],
  [{ sourceIpList: ['10.0.0.0/8'] }, { sourceIp: '11.0.0.1' }, false],
  [{ sourceIpList: ['203.0.113.0/24', '2001:db8::/32'] }, { sourceIp: '2001:db8::7' }, true],
  [{ sourceIpList: ['2001:db8::/32'] }, { sourceIp: '2001:db9::7' }, false],
  [{ sourceIpList: ['::1'] }, { sourceIp: '::1' }, true],
  [{ sourceIpList: ['0.0.0.0/0', '::/0'] }, { sourceIp: '' }, false], // unknown address: no list matches
  [{ bucket: 'builds' }, {}, true],
  [{ bucket: 'build' }, {}, false],
  [{ bucket: 'b*' }, {}, true],
  [{ bucket: '*' }, { bucket: undefined, key: '' }, false], // the service has no bucket
  [{ path: '/builds/releases/*' }, {}, true],
  [{ path: '/builds/releases/*' }, { key: 'releases/' }, true],
  [{ path: '/builds/releases/*' }, { key: 'releasesX/a' }, false],
  [{ path: '/builds/releases/*' }, { key: '' }, false], // bucket-level: /builds
  [{ path: '/builds' }, { key: '' }, true],
  [{ path: '/builds*' }, { key: '' }, true],
  [{ path: '/' }, { bucket: undefined, key: '' }, true],
  [{ path: '*.tgz' }, {}, true],
  [{ authenticated: true }, {}, true],
  [{ authenticated: false }, {}, false],
  [{ authenticated: false }, { authenticated: false }, true],
  // Every field given must match.
  [{ methods: ['GET'], bucket: 'builds', sourceIpList: ['10.0.0.0/8'], authenticated: true }, {}, true],
  [{ methods: ['GET'], bucket: 'builds', sourceIpList: ['10.0.0.0/8'], authenticated: false }, {}, false],
];

test('each match kind, alone and together', () => {
  for (const [match, change, expected] of MATCHES) {
    assert.equal(compileMatch(match)({ ...REQ, ...change }), expected, `${JSON.stringify(match)} ${JSON.stringify(change)}`);
  }
});

const RULES: AdmissionRuleConfig[] = [
  { name: 'trace', match: { bucket: 'builds' }, action: 'continue' },
  { name: 'office', match: { sourceIpList: ['192.0.2.0/24'] }, action: 'allow-anonymous' },
  { name: 'block-net', match: { sourceIpList: ['203.0.113.0/24'] }, action: 'deny' },
  { match: { bucket: 'frozen', methods: ['PUT', 'POST', 'DELETE'] }, action: 'reject', status: 503, message: 'frozen for maintenance' },
  { name: 'slow', match: { path: '/hot/*' }, action: 'reject', status: 429, message: 'too hot' },
];
const admission = new Admission(RULES);

const verdict = (change: Partial<AdmissionRequest>) => {
  const v = admission.decide({ ...REQ, ...change });
  return v.action === 'continue' ? 'continue' : `${v.action} ${v.rule.name ?? v.rule.index}${'error' in v ? ` ${v.error.status} ${v.error.code} ${v.error.message}` : ''}`;
};

test('the first matching rule that is not continue decides; no match goes on', () => {
  assert.equal(verdict({}), 'continue'); // only `trace` matched
  assert.equal(verdict({ sourceIp: '203.0.113.5' }), 'deny block-net 403 AccessDenied Access Denied');
  // An earlier allow-anonymous ends the chain: the deny after it is never tried.
  assert.equal(verdict({ sourceIp: '192.0.2.1' }), 'allow-anonymous office');
  assert.equal(verdict({ bucket: 'frozen', method: 'PUT' }), 'reject 3 503 ServiceUnavailable frozen for maintenance');
  assert.equal(verdict({ bucket: 'frozen', method: 'GET' }), 'continue');
  assert.equal(verdict({ bucket: 'hot', key: 'k' }), 'reject slow 429 SlowDown too hot');
  assert.equal(new Admission().decide(REQ).action, 'continue');
  assert.equal(new Admission([]).decide(REQ).action, 'continue');
});
