import dns from 'node:dns';
import net from 'node:net';

/**
 * The SSRF guard for outbound requests: a webhook may not reach loopback, private,
 * link-local (cloud metadata at 169.254.169.254), unique-local, CGNAT, multicast or
 * other special-purpose addresses, in IPv4 or IPv6 (including IPv4-mapped, NAT64
 * and 6to4 forms that embed an IPv4 address), unless the instance operator allows
 * it for the whole server (RAPPORT_WEBHOOKS_ALLOW_PRIVATE; never a workspace: any
 * signed-up administrator could otherwise probe the internal network). The check
 * runs on the addresses the connection actually uses (a `lookup` for
 * http.request), so DNS rebinding between check and connect does not help, and
 * redirects are never followed.
 */

/** What a workspace is told when its URL is refused (no detail about the internal network). */
export const PRIVATE_REFUSED =
  'refused: not a public address (private, loopback and reserved networks can only be allowed by the instance operator)';

/** [first address, prefix length] of every IPv4 range refused. */
const V4_BLOCKED: [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

/** IPv6 ranges refused outright, as [first address, prefix length]. */
const V6_BLOCKED: [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID …)
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (incl. fd00:ec2::254, a metadata address)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function v4Blocked(ip: string): boolean {
  const n = v4ToInt(ip);
  return V4_BLOCKED.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    const start = v4ToInt(base);
    return n >= start && n < start + size;
  });
}

/** The 16 bytes of an IPv6 address (with an embedded dotted IPv4 tail, too). */
function v6Bytes(ip: string): number[] {
  let text = ip.toLowerCase().split('%')[0] as string;
  const tail: number[] = [];
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted?.[1]) {
    for (const p of dotted[1].split('.')) tail.push(Number(p));
    text = `${text.slice(0, -dotted[1].length)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const h = head ? head.split(':') : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const missing = 8 - h.length - r.length;
  const groups = rest === undefined ? h : [...h, ...Array(missing).fill('0'), ...r];
  const bytes = groups.flatMap((g) => {
    const v = Number.parseInt(g || '0', 16);
    return [v >> 8, v & 0xff];
  });
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function inV6Prefix(bytes: number[], base: string, bits: number): boolean {
  const b = v6Bytes(base);
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if (((bytes[byte] ?? 0) & mask) !== ((b[byte] ?? 0) & mask)) return false;
  }
  return true;
}

const v4Of = (bytes: number[], at: number) => bytes.slice(at, at + 4).join('.');

/** Why an IP address is refused, or null when it is a public address. */
export function blockedReason(ip: string): string | null {
  const family = net.isIP(ip);
  if (family === 4) return v4Blocked(ip) ? `${ip} is a private, loopback or reserved address` : null;
  if (family !== 6) return `${ip} is not an IP address`;
  const bytes = v6Bytes(ip);
  const why = (v4: string) => (v4Blocked(v4) ? `${ip} embeds the private or reserved IPv4 address ${v4}` : null);
  if (inV6Prefix(bytes, '::ffff:0:0', 96)) return why(v4Of(bytes, 12)) ?? null; // IPv4-mapped
  if (inV6Prefix(bytes, '::', 96)) return why(v4Of(bytes, 12)) ?? `${ip} is an IPv4-compatible address`;
  if (inV6Prefix(bytes, '64:ff9b::', 96) || inV6Prefix(bytes, '64:ff9b:1::', 48)) return why(v4Of(bytes, 12)); // NAT64
  if (inV6Prefix(bytes, '2002::', 16)) return why(v4Of(bytes, 2)); // 6to4
  for (const [base, bits] of V6_BLOCKED) {
    if (inV6Prefix(bytes, base, bits)) return `${ip} is a loopback, link-local, unique-local or reserved address`;
  }
  return null;
}

export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
  readonly code = 'EBLOCKEDADDRESS';
}

/** The URL's host without IPv6 brackets. */
export const bareHost = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/**
 * The host as a resolver sees it: lower case, without IPv6 brackets and without the
 * trailing dots of a fully qualified name (`localhost.` is `localhost`). The URL
 * parser already turns decimal, octal and hex IPv4 forms into dotted quads.
 */
export const canonicalHost = (url: URL) => bareHost(url).toLowerCase().replace(/\.+$/, '');

/**
 * Names that point inside the network whatever DNS says: localhost and its
 * subdomains, /etc/hosts loopback aliases, mDNS (.local), and the suffixes reserved
 * for private use (.internal, .home.arpa, .localdomain, .lan), plus single-label
 * names, which the resolver completes with the server's own search domains.
 */
function internalName(host: string): boolean {
  if (!host.includes('.')) return true;
  if (host === 'localhost.localdomain') return true;
  return /\.(localhost|local|internal|localdomain|lan|intranet|corp|home\.arpa)$/.test(host);
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request/net.connect that resolves the host and refuses the
 * connection when any of its addresses is blocked.
 */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const list = addresses as dns.LookupAddress[];
    for (const a of list) {
      const reason = blockedReason(a.address);
      if (reason) return callback(new BlockedAddressError(`${hostname} resolves to ${reason}`), '');
    }
    if (options.all) return callback(null, list);
    const first = list[0];
    if (!first) return callback(new BlockedAddressError(`${hostname} has no address`), '');
    callback(null, first.address, first.family);
  });
}

/**
 * Checks a URL before anything is sent: http(s) only, no credentials in it, and
 * (unless the operator allows private networks) an IP literal must be public and a
 * name must not be an internal one. Other host names are checked when connecting
 * (guardedLookup). Returns a problem, or null.
 */
export function urlProblem(raw: string, allowPrivateNetwork: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not contain credentials';
  if (allowPrivateNetwork) return null;
  const host = canonicalHost(url);
  if (net.isIP(host)) return blockedReason(host) ? PRIVATE_REFUSED : null;
  if (host === '' || internalName(host)) return PRIVATE_REFUSED;
  return null;
}

/**
 * Resolves a host name now and reports whether it points at a blocked address (for a
 * 422 at creation). The answer does not say which address it resolved to: a
 * workspace must not learn the internal network's names and addresses this way.
 */
export async function resolvesToBlocked(raw: string): Promise<string | null> {
  const host = canonicalHost(new URL(raw));
  if (net.isIP(host)) return blockedReason(host) ? PRIVATE_REFUSED : null;
  try {
    const addresses = await dns.promises.lookup(host, { all: true });
    if (addresses.some((a) => blockedReason(a.address))) return PRIVATE_REFUSED;
  } catch {
    // Unresolvable today: accepted, and checked again at every delivery.
  }
  return null;
}
