import { BlockList, isIP } from 'node:net';

/**
 * Which `X-Forwarded-For` entries to believe, so a client cannot pick its own key:
 * - `{ hops: n }`: exactly `n` reverse proxies you run sit in front of the server; the client is
 *   the address `n` entries from the right of `X-Forwarded-For` + the socket address.
 * - `{ proxies: [...] }`: addresses or CIDR ranges (`10.0.0.0/8`, `fd00::/8`) of your proxies;
 *   walking from the socket address leftwards, the first address not in the list is the client.
 */
export type TrustProxyOptions = { readonly hops: number } | { readonly proxies: readonly string[] };

/** The request shape read for the client key: Node's `IncomingMessage` fits. */
export interface RequestWithSocket {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly socket?: { readonly remoteAddress?: string | undefined } | undefined;
}

/**
 * Creates the function that names the client of a request for rate limiting: its socket address
 * by default; with `trustProxy`, the address your proxies report in `X-Forwarded-For`. Addresses
 * are normalised (`::ffff:1.2.3.4` is `1.2.3.4`); an entry that is not an IP address is never a key;
 * an IPv6 client is keyed by its /64 ({@link clientKeyOf}).
 * Returns `undefined` when no address is known (the request is then not rate limited).
 * @throws TypeError when `trustProxy` is invalid.
 */
export function createClientKeyResolver(
  trustProxy?: TrustProxyOptions,
): (req: RequestWithSocket) => string | undefined {
  const resolveAddress = createAddressResolver(trustProxy);
  return (req) => {
    const address = resolveAddress(req);
    return address === undefined ? undefined : clientKeyOf(address);
  };
}

/**
 * The rate-limit key of a client address: an IPv4 address as is; an IPv6 address by its /64
 * (`2001:db8:1:2::/64`), the block one subscriber usually holds, so that a client cannot escape
 * its limit by rotating through the 2^64 addresses of its own network.
 */
export function clientKeyOf(address: string): string {
  if (isIP(address) !== 6) return address;
  const [withoutZone = ''] = address.split('%');
  const [head = '', tail] = withoutZone.split('::');
  const groups = (part: string) =>
    part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const full =
    tail === undefined
      ? left
      : [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${full
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

function createAddressResolver(
  trustProxy: TrustProxyOptions | undefined,
): (req: RequestWithSocket) => string | undefined {
  if (trustProxy === undefined) return (req) => normalize(req.socket?.remoteAddress);
  if ('hops' in trustProxy) {
    const { hops } = trustProxy;
    if (!Number.isSafeInteger(hops) || hops < 0 || hops > 32) {
      throw new TypeError('claimgate: `trustProxy.hops` must be an integer from 0 to 32.');
    }
    return (req) => {
      const chain = addressChain(req);
      // chain is [leftmost XFF ... rightmost XFF, socket]; with n trusted hops the client is the
      // n-th from the right. A shorter chain (a request that bypassed a proxy) gives its leftmost.
      const index = Math.max(0, chain.length - 1 - hops);
      return chain[index];
    };
  }
  const proxies = trustProxy.proxies;
  if (!Array.isArray(proxies) || proxies.length === 0) {
    throw new TypeError('claimgate: `trustProxy.proxies` must be a non-empty list of addresses.');
  }
  const trusted = new BlockList();
  for (const entry of proxies) {
    const [address = '', bits, extra] = String(entry).trim().split('/');
    const family = isIP(address);
    const prefix = bits === undefined ? undefined : Number(bits);
    if (
      family === 0 ||
      extra !== undefined ||
      (prefix !== undefined &&
        (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)))
    ) {
      throw new TypeError(
        `claimgate: trusted proxy ${JSON.stringify(entry)} is not an IP address or CIDR range.`,
      );
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) trusted.addAddress(address, type);
    else trusted.addSubnet(address, prefix, type);
  }
  const isTrusted = (address: string) =>
    trusted.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
  return (req) => {
    const chain = addressChain(req);
    for (let i = chain.length - 1; i >= 0; i -= 1) {
      const address = chain[i];
      if (address !== undefined && !isTrusted(address)) return address;
    }
    // Every hop is a trusted proxy: the leftmost is the best we know.
    return chain[0];
  };
}

/** XFF entries (valid IPs only, up to the first invalid one from the right) then the socket. */
function addressChain(req: RequestWithSocket): string[] {
  const socket = normalize(req.socket?.remoteAddress);
  if (socket === undefined) return [];
  const header = req.headers['x-forwarded-for'];
  const raw = typeof header === 'string' ? header : (header ?? []).join(',');
  const entries = raw === '' ? [] : raw.split(',');
  const chain: string[] = [];
  // Read right to left and stop at an entry that is not an address: anything left of it was
  // written by someone we cannot vouch for.
  for (let i = entries.length - 1; i >= 0 && chain.length < 64; i -= 1) {
    const address = normalize(entries[i]);
    if (address === undefined) break;
    chain.unshift(address);
  }
  chain.push(socket);
  return chain;
}

function normalize(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let address = value.trim();
  // RFC 7239-style "[v6]" and IPv4-mapped IPv6 (how a dual-stack socket reports IPv4 clients).
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  if (address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4) {
    address = address.slice(7);
  }
  if (isIP(address) === 0) return undefined;
  return isIP(address) === 6 ? address.toLowerCase() : address;
}
