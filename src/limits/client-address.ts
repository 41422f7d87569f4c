import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/*
 * Who a request comes from, for per-address limits: the TCP peer, or, when the peer is a
 * proxy we trust (TRUSTED_PROXIES), the right-most X-Forwarded-For address that is not one
 * of ours. Everything left of that was written by the client and proves nothing.
 *
 * The fetch handler sees a web Request, which has no peer: src/server.ts records it here
 * (setPeerAddress) when it builds the Request from node's IncomingMessage. Only code holding
 * the Request object can set it, so no header can. A Request nobody recorded (an in-process
 * call) counts as UNKNOWN_PEER, whose X-Forwarded-For is never believed.
 */

/** The address of a request whose peer is not known (it did not come through src/server.ts). */
export const UNKNOWN_PEER = 'unknown';

/** The proxies whose X-Forwarded-For is believed: addresses and CIDR ranges, IPv4 and IPv6. */
export interface TrustedProxies {
  /** The entries as configured (normalised), for logs and docs. */
  readonly entries: readonly string[];
  /** Whether `address` (a normalised IP) is one of them. */
  has(address: string): boolean;
}

export const NO_TRUSTED_PROXIES: TrustedProxies = { entries: [], has: () => false };

/**
 * Parses TRUSTED_PROXIES: comma-separated IPs and CIDRs ("127.0.0.1,10.0.0.0/8,::1,fd00::/8").
 * Throws an Error naming the first entry that is neither.
 */
export function parseTrustedProxies(value: string): TrustedProxies {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return NO_TRUSTED_PROXIES;
  const list = new BlockList();
  const normalised: string[] = [];
  for (const entry of entries) {
    const [ip = '', bits, ...rest] = entry.split('/');
    const address = normaliseAddress(ip);
    const family = address === undefined ? 0 : isIP(address);
    const prefix = bits === undefined ? undefined : Number(bits);
    const maxPrefix = family === 4 ? 32 : 128;
    if (
      address === undefined ||
      rest.length > 0 ||
      (prefix !== undefined && (!/^\d{1,3}$/.test(bits ?? '') || prefix > maxPrefix))
    ) {
      throw new Error(`${JSON.stringify(entry)} is not an IP address or a CIDR range like 10.0.0.0/8`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
    normalised.push(prefix === undefined ? address : `${address}/${prefix}`);
  }
  return {
    entries: normalised,
    has: (address) => {
      const family = isIP(address);
      return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

const peers = new WeakMap<Request, string>();
const resolved = new WeakMap<Request, string>();

/** Records the TCP peer of a Request built from a node request (src/server.ts does, for every one). */
export function setPeerAddress(request: Request, peer: string | undefined): void {
  const address = peer === undefined ? undefined : normaliseAddress(peer);
  if (address !== undefined) peers.set(request, address);
}

/**
 * Records the client's address, already resolved, for a Request made by the server itself
 * (a WebSocket operation's, whose headers the client may write in connection_init).
 */
export function setClientAddress(request: Request, address: string): void {
  resolved.set(request, address);
}

/** The client's address for a fetch-handler Request (see the top of this file), as limits count it. */
export function clientAddress(request: Request, trusted: TrustedProxies): string {
  return (
    resolved.get(request) ??
    addressKey(resolveClientAddress(peers.get(request), request.headers.get('x-forwarded-for'), trusted))
  );
}

/**
 * What an address counts as: an IPv4 address itself, an IPv6 address its /64. One
 * customer's line holds a whole /64 (2^64 addresses to rotate through), so counting the
 * addresses one by one would limit nothing.
 */
export function addressKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The same for a node request that never becomes a fetch Request (a WebSocket upgrade). */
export function incomingClientAddress(request: IncomingMessage, trusted: TrustedProxies): string {
  const forwarded = request.headers['x-forwarded-for'];
  return addressKey(
    resolveClientAddress(
      request.socket.remoteAddress,
      Array.isArray(forwarded) ? forwarded.join(',') : forwarded,
      trusted,
    ),
  );
}

/**
 * The peer, unless it is a trusted proxy: then walk X-Forwarded-For from the right, past
 * our own proxies, to the first address that is not one (or the last one we could read).
 */
export function resolveClientAddress(
  peer: string | undefined,
  forwardedFor: string | null | undefined,
  trusted: TrustedProxies,
): string {
  let client = peer === undefined ? undefined : normaliseAddress(peer);
  if (client === undefined) return UNKNOWN_PEER;
  if (!forwardedFor || !trusted.has(client)) return client;
  const hops = forwardedFor.split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normaliseAddress(hops[i] ?? '');
    // Garbage a trusted proxy passed on: the last address we could read is the best we know.
    if (hop === undefined) return client;
    client = hop;
    if (!trusted.has(hop)) return hop;
  }
  return client;
}

/**
 * One spelling per address, so one client is one key: no port, no brackets, no zone,
 * IPv4-mapped IPv6 as IPv4, IPv6 compressed and lower-case. undefined when not an IP.
 */
export function normaliseAddress(value: string): string | undefined {
  let text = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1] ?? '';
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const family = isIP(text);
  if (family === 4) return text;
  if (family !== 6) return undefined;
  const canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped) {
    const high = parseInt(mapped[1] ?? '0', 16);
    const low = parseInt(mapped[2] ?? '0', 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return canonical;
}
