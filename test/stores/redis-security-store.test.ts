import { describe, expect, it } from 'vitest';
import { createRedisSecurityStore } from '../../src/index.js';
import { deleteKeys, SHARED_REDIS_URL, uniqueKeyPrefix } from '../helpers/redis.js';
import { describeSecurityStoreContract } from './security-store-contract.js';

describeSecurityStoreContract('createRedisSecurityStore', async () => {
  const keyPrefix = uniqueKeyPrefix();
  const store = await createRedisSecurityStore({ url: SHARED_REDIS_URL, keyPrefix });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await deleteKeys(SHARED_REDIS_URL, keyPrefix);
    },
  };
});

describe('createRedisSecurityStore', () => {
  it('puts every key under the prefix and one hash tag, with jti and sub digested', async () => {
    const keyPrefix = uniqueKeyPrefix();
    const store = await createRedisSecurityStore({ url: SHARED_REDIS_URL, keyPrefix });
    try {
      const t = Date.now();
      await store.recordFailure({
        clientKey: '192.0.2.7',
        kind: 'expired',
        nowMs: t,
        limit: 1,
        windowMs: 60_000,
      });
      await store.revokeToken('jti-secret-value', t + 60_000, t);
      await store.revokeSubject('alice@example.com', 1_000_000_000, 60_000, t);
      // Issuer-scoped entries: keys of their own, in the same slot, without the raw issuer.
      await store.revokeToken('jti-secret-value', t + 60_000, t, 'https://idp.example/');
      await store.revokeSubject(
        'alice@example.com',
        1_000_000_000,
        60_000,
        t,
        'https://idp.example/',
      );
      const { createClient } = await import('redis');
      const client = createClient({ url: SHARED_REDIS_URL });
      await client.connect();
      const keys: string[] = [];
      for await (const batch of client.scanIterator({ MATCH: `${keyPrefix}*` }))
        keys.push(...batch);
      client.destroy();
      expect(keys.length).toBeGreaterThanOrEqual(7);
      for (const key of keys) {
        expect(key.startsWith(`${keyPrefix}{cg}:`)).toBe(true);
        expect(key).not.toContain('jti-secret-value');
        expect(key).not.toContain('alice@example.com');
        expect(key).not.toContain('idp.example');
      }
      const kinds = keys.map((key) => key.slice(`${keyPrefix}{cg}:`.length).split(':')[0]);
      for (const kind of ['j', 's', 'ji', 'si']) {
        expect(kinds.filter((k) => k === kind)).toHaveLength(1);
      }
    } finally {
      await store.close();
      await deleteKeys(SHARED_REDIS_URL, keyPrefix);
    }
  });

  it('rejects a key prefix with a hash-tag brace', async () => {
    await expect(createRedisSecurityStore({ keyPrefix: 'app{1}:' })).rejects.toThrow(/keyPrefix/);
  });
});
