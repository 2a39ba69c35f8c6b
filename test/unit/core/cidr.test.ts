// core/cidr.ts: IPv4 and IPv6 ranges, bare addresses, IPv4-mapped IPv6 clients, and what is not a CIDR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr } from '../../../core/cidr.ts';

const CASES: [string, string, boolean][] = [
  ['10.0.0.0/8', '10.255.1.2', true],
  ['10.0.0.0/8', '11.0.0.1', false],
  ['10.0.0.0/8', '::ffff:10.1.2.3', true], // an IPv4 client on a dual-stack listener
  ['192.168.1.7', '192.168.1.7', true],
  ['192.168.1.7', '192.168.1.8', false],
  ['0.0.0.0/0', '203.0.113.9', true],
  ['0.0.0.0/0', '2001:db8::1', false],
  ['2001:db8::/32', '2001:db8:ffff::1', true],
  ['2001:db8::/32', '2001:db9::1', false],
  ['2001:db8::/32', '10.0.0.1', false],
  ['::1', '::1', true],
  ['::/0', '::1', true],
  ['10.0.0.0/8', '', false],
  ['10.0.0.0/8', 'not-an-ip', false],
];

test('contains', () => {
  for (const [range, ip, want] of CASES) assert.equal(parseCidr(range)!.contains(ip), want, `${ip} in ${range}`);
});

test('what is not a CIDR', () => {
  for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0/8', 'host/8', '10.0.0.0/8/1', '10.0.0.0/-1', '']) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
});
