// CIDR matching for policy conditions (and, later, admission lists): IPv4 and IPv6, an IPv4 client
// seen as IPv4-mapped IPv6 (`::ffff:10.1.2.3`) matching IPv4 ranges.
import { BlockList, SocketAddress, isIP } from 'node:net';
import { boundedCache } from './bounded-cache.ts';

export interface Cidr {
  readonly source: string;
  contains(ip: string): boolean;
}

/** A parsed CIDR (`10.0.0.0/8`, `2001:db8::/32`, or a bare address), or undefined if it is not one. */
export function parseCidr(source: string): Cidr | undefined {
  const slash = source.indexOf('/');
  const address = slash < 0 ? source : source.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  const bits = slash < 0 ? max : Number(source.slice(slash + 1));
  if (!/^\d{1,3}$/.test(slash < 0 ? String(max) : source.slice(slash + 1)) || bits > max) return undefined;
  const list = new BlockList();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  list.addSubnet(address, bits, type);
  return {
    source,
    contains(ip) {
      const address = socketAddress(ip);
      return address !== undefined && list.check(address);
    },
  };
}

/**
 * A client's address as BlockList checks it: given a string, check() makes a SocketAddress each time
 * (1.3 µs a check, against 0.03 µs given one, measured here), and the same few clients ask again and again.
 */
const socketAddress = boundedCache((ip: string): SocketAddress | undefined => {
  const plain = unmapped(ip);
  const f = isIP(plain);
  if (f === 0) return undefined;
  try {
    return new SocketAddress({ address: plain, family: f === 4 ? 'ipv4' : 'ipv6' });
  } catch {
    return undefined; // what check() answers for an address it cannot make
  }
});

function unmapped(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1]! : ip;
}
