import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientKeyOf, createClientKeyResolver } from '../../src/index.js';

const req = (remoteAddress: string | undefined, xff?: string | string[]) => ({
  headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
  socket: { remoteAddress },
});

describe('createClientKeyResolver', () => {
  it('keys on the socket address and ignores X-Forwarded-For by default', () => {
    const keyOf = createClientKeyResolver();
    expect(keyOf(req('203.0.113.9', '198.51.100.1'))).toBe('203.0.113.9');
  });

  it('normalises IPv4-mapped IPv6 and IPv6 case', () => {
    const keyOf = createClientKeyResolver();
    expect(keyOf(req('::ffff:203.0.113.9'))).toBe('203.0.113.9');
    expect(keyOf(req('2001:DB8::1'))).toBe('2001:db8:0:0::/64');
  });

  it('keys an IPv6 client by its /64, so rotating addresses inside it does not escape the limit', () => {
    const keyOf = createClientKeyResolver();
    const key = keyOf(req('2001:db8:1:2:aaaa::1'));
    expect(key).toBe('2001:db8:1:2::/64');
    expect(keyOf(req('2001:db8:1:2:bbbb:cccc:dddd:eeee'))).toBe(key);
    expect(keyOf(req('2001:0db8:0001:0002::9'))).toBe(key);
    expect(keyOf(req('2001:db8:1:3::1'))).not.toBe(key);
    expect(clientKeyOf('::1')).toBe('0:0:0:0::/64');
    expect(clientKeyOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKeyOf('::ffff:0:203.0.113.9')).toBe('0:0:0:0::/64');
    expect(clientKeyOf('203.0.113.9')).toBe('203.0.113.9');
  });

  it('gives every address of one /64 the same key, and addresses of two /64s different keys', () => {
    const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    const groups = (n: number) => fc.array(group, { minLength: n, maxLength: n });
    fc.assert(
      fc.property(groups(4), groups(4), groups(4), groups(4), (net, a, b, other) => {
        const key = clientKeyOf([...net, ...a].join(':'));
        expect(clientKeyOf([...net, ...b].join(':'))).toBe(key);
        // The same address written with `::` for its longest run of zero groups.
        const compressed = new URL(`http://[${[...net, ...a].join(':')}]/`).hostname.slice(1, -1);
        expect(clientKeyOf(compressed)).toBe(key);
        if (other.join(':') !== net.join(':')) {
          expect(clientKeyOf([...other, ...a].join(':'))).not.toBe(key);
        }
      }),
    );
  });

  it('returns undefined without a socket address', () => {
    expect(createClientKeyResolver()(req(undefined))).toBeUndefined();
  });

  it('takes the address the trusted hop reports', () => {
    const keyOf = createClientKeyResolver({ hops: 1 });
    expect(keyOf(req('10.0.0.2', '198.51.100.7, 203.0.113.9'))).toBe('203.0.113.9');
    expect(keyOf(req('10.0.0.2'))).toBe('10.0.0.2');
  });

  it('walks past trusted proxies and stops at the first untrusted address', () => {
    const keyOf = createClientKeyResolver({ proxies: ['10.0.0.0/8', '192.0.2.1'] });
    expect(keyOf(req('10.0.0.2', '1.1.1.1, 203.0.113.9, 192.0.2.1'))).toBe('203.0.113.9');
    expect(keyOf(req('198.51.100.4', '203.0.113.9'))).toBe('198.51.100.4');
  });

  it('never keys on a forged entry that is not an address', () => {
    const keyOf = createClientKeyResolver({ hops: 2 });
    expect(keyOf(req('10.0.0.2', 'evil-key, 10.0.0.1'))).toBe('10.0.0.1');
    const byList = createClientKeyResolver({ proxies: ['10.0.0.0/8'] });
    expect(byList(req('10.0.0.2', ['not-an-ip', '10.0.0.1']))).toBe('10.0.0.1');
  });

  it('rejects invalid trust settings at creation', () => {
    expect(() => createClientKeyResolver({ hops: -1 })).toThrow(TypeError);
    expect(() => createClientKeyResolver({ proxies: [] })).toThrow(/proxies/);
    expect(() => createClientKeyResolver({ proxies: ['10.0.0.0/33'] })).toThrow(/CIDR/);
    expect(() => createClientKeyResolver({ proxies: ['proxy.internal'] })).toThrow(/claimgate: /);
  });

  it('always keys on an IP address, whatever X-Forwarded-For holds', () => {
    const entry = fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 40 }));
    const header = fc.array(entry, { maxLength: 8 }).map((items) => items.join(','));
    const resolvers = [
      createClientKeyResolver(),
      createClientKeyResolver({ hops: 1 }),
      createClientKeyResolver({ hops: 3 }),
      createClientKeyResolver({ proxies: ['10.0.0.0/8', '::1'] }),
    ];
    fc.assert(
      fc.property(header, fc.oneof(fc.ipV4(), fc.ipV6()), (xff, socket) => {
        for (const keyOf of resolvers) {
          const key = keyOf(req(socket, xff));
          expect(key).toBeDefined();
          const address = key?.endsWith('::/64') === true ? key.slice(0, -3) : (key ?? '');
          expect(isIP(address)).not.toBe(0);
        }
        expect(resolvers[0]?.(req(socket, xff))).toBe(createClientKeyResolver()(req(socket)));
      }),
    );
  });
});
