// CIDR matching for policy conditions (and, later, admission lists): IPv4 and IPv6, an IPv4 client
// seen as IPv4-mapped IPv6 (`::ffff:10.1.2.3`) matching IPv4 ranges.
import { BlockList, isIP } from 'node:net';

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
      const plain = unmapped(ip);
      const f = isIP(plain);
      return f !== 0 && list.check(plain, f === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

function unmapped(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1]! : ip;
}
