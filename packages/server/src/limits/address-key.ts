/**
 * What "one client address" means for limits. An IPv4 address is one key. One IPv6 host
 * usually owns a whole /64 (privacy extensions hand out new addresses from it at will), so
 * counting single IPv6 addresses would let one machine dodge every per-address limit: the /64
 * is the key. An IPv4 address that arrives IPv4-mapped (`::ffff:1.2.3.4`, as on a dual-stack
 * listener) is the same client as plain `1.2.3.4`.
 */
import { isIPv6 } from 'node:net';

const ipv4Mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

function groups(part: string): string[] {
  if (part === '') return [];
  // An embedded IPv4 tail (`::1.2.3.4`) takes the place of two groups.
  return part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group]));
}

/**
 * The key a client address is counted under: the address itself for IPv4 (and anything that
 * is not an IP address), the /64 prefix for IPv6, as `2001:db8:0:1::/64`.
 *
 * @example
 * addressKey('203.0.113.7'); // '203.0.113.7'
 * addressKey('::ffff:203.0.113.7'); // '203.0.113.7'
 * addressKey('2001:db8::1:2:3:4'); // '2001:db8:0:1::/64'
 */
export function addressKey(address: string): string {
  const mapped = ipv4Mapped.exec(address)?.[1];
  if (mapped !== undefined) return mapped;
  const [host = address] = address.split('%'); // a zone id (fe80::1%eth0) names no other host
  if (!isIPv6(host)) return address;
  const [left = '', right] = host.split('::');
  const head = groups(left);
  const tail = right === undefined ? [] : groups(right);
  const zeros = Array<string>(8 - head.length - tail.length).fill('0');
  const full = [...head, ...zeros, ...tail];
  const prefix = full.slice(0, 4).map((group) => Number.parseInt(group, 16).toString(16));
  return `${prefix.join(':')}::/64`;
}
