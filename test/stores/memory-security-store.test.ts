import { describe, expect, it } from 'vitest';
import { createMemorySecurityStore } from '../../src/index.js';
import { describeSecurityStoreContract } from './security-store-contract.js';

describeSecurityStoreContract('createMemorySecurityStore', () =>
  Promise.resolve({ store: createMemorySecurityStore(), cleanup: () => Promise.resolve() }),
);

describe('createMemorySecurityStore', () => {
  it('stays within its configured size while tracking a million distinct clients', async () => {
    const store = createMemorySecurityStore({ maxClients: 5000, maxOffendersPerBucket: 500 });
    const t = Date.now();
    for (let i = 0; i < 1_000_000; i += 1) {
      await store.recordFailure({
        clientKey: `client-${i}`,
        kind: 'malformed',
        nowMs: t,
        limit: 5,
        windowMs: 300_000,
      });
    }
    const stats = store.stats();
    expect(stats.trackedClients).toBeLessThanOrEqual(5000);
    expect(stats.trackedClients).toBeGreaterThanOrEqual(2500);
    expect(stats.offenderEntries).toBeLessThanOrEqual(2 * 500);
    const report = await store.report({ nowMs: t, limit: 5, windowMs: 300_000, top: 10 });
    expect(report.failuresByKind.malformed).toBe(1_000_000);
    // A few seconds alone; the bound keeps a loaded 2-core machine from failing it on time.
  }, 60_000);

  it('evicts the least recently failing clients first', async () => {
    const store = createMemorySecurityStore({ maxClients: 4 });
    const t = Date.now();
    const fail = (clientKey: string, nowMs: number) =>
      store.recordFailure({ clientKey, kind: 'other', nowMs, limit: 5, windowMs: 60_000 });
    await fail('a', t);
    await fail('b', t + 1);
    await fail('c', t + 2);
    await fail('a', t + 3);
    await fail('d', t + 4);
    await fail('e', t + 5);
    const lookup = async (clientKey: string) =>
      (await store.lookup({ nowMs: t + 9, failuresOf: { clientKey, limit: 5 } })).recentFailures;
    expect(await lookup('b')).toEqual([]);
    expect(await lookup('a')).toEqual([t + 3, t]);
    expect(await lookup('e')).toEqual([t + 5]);
    expect(store.stats().trackedClients).toBeLessThanOrEqual(4);
  });

  it('rejects a bound that is not a positive integer', () => {
    expect(() => createMemorySecurityStore({ maxClients: 0 })).toThrow(TypeError);
    expect(() => createMemorySecurityStore({ maxOffendersPerBucket: 1.5 })).toThrow(
      /maxOffendersPerBucket/,
    );
  });
});
