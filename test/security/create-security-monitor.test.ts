import { describe, expect, it } from 'vitest';
import {
  createMemorySecurityStore,
  createSecurityMonitor,
  MAX_REVOCATION_HORIZON_SECONDS,
  type SecurityLookup,
  type SecurityMonitorOptions,
  type SecurityStore,
} from '../../src/index.js';

const store = createMemorySecurityStore();
/** A check that looked nothing up: `checkRevocation` makes its own lookup. */
const NOTHING = {
  refusal: undefined,
  claims: undefined,
  revocation: undefined,
  revocationUnavailable: false,
} as const;

describe('createSecurityMonitor', () => {
  it('rejects invalid options at creation with a TypeError saying what to fix', () => {
    const bad: SecurityMonitorOptions[] = [
      { store, rateLimit: { failures: 0, windowSeconds: 60 } },
      { store, maxTokenLifetimeSeconds: -1 },
      { store, reportTop: 0 },
      { store, failMode: { revocation: 'maybe' as 'open' } },
    ];
    for (const options of bad) {
      expect(() => createSecurityMonitor(options)).toThrow(TypeError);
      expect(() => createSecurityMonitor(options)).toThrow(/^claimgate: /);
    }
  });

  it('rejects a revocation without its identifying claims', async () => {
    const monitor = createSecurityMonitor({ store });
    await expect(monitor.revokeToken({ jti: '', exp: 1 })).rejects.toThrow(TypeError);
    await expect(monitor.revokeToken({ jti: 'j', exp: Number.NaN })).rejects.toThrow(/exp/);
    await expect(monitor.revokeSubject({ sub: '' })).rejects.toThrow(/sub/);
  });

  it('rejects an exp too far away or not finite, and an empty iss, naming the field', async () => {
    const now = 1_800_000_000_000;
    const monitor = createSecurityMonitor({ store: createMemorySecurityStore(), now: () => now });
    for (const exp of [
      1e300,
      Number.POSITIVE_INFINITY,
      now,
      now / 1000 + MAX_REVOCATION_HORIZON_SECONDS + 1,
    ]) {
      await expect(monitor.revokeToken({ jti: 'j', exp })).rejects.toThrow(TypeError);
      await expect(monitor.revokeToken({ jti: 'j', exp })).rejects.toThrow(/`exp`/);
    }
    await expect(
      monitor.revokeToken({ jti: 'j', exp: now / 1000 + MAX_REVOCATION_HORIZON_SECONDS }),
    ).resolves.toBeUndefined();
    await expect(monitor.revokeToken({ jti: 'j', exp: 1, iss: '' })).rejects.toThrow(/`iss`/);
    await expect(
      monitor.revokeToken({ jti: 'j', exp: 1, iss: 5 as unknown as string }),
    ).rejects.toThrow(TypeError);
    await expect(monitor.revokeSubject({ sub: 's', iss: '' })).rejects.toThrow(/`iss`/);
  });

  it('keeps the revocation of a token without exp for maxTokenLifetimeSeconds', async () => {
    let now = 1_800_000_000_000;
    const monitor = createSecurityMonitor({
      store: createMemorySecurityStore(),
      maxTokenLifetimeSeconds: 3600,
      now: () => now,
    });
    await monitor.revokeToken({ jti: 'no-exp' });
    const claims = { jti: 'no-exp', sub: undefined, iat: 1_700_000_000 };
    const revoked = async () => (await monitor.checkRevocation(NOTHING, claims))?.code;
    now += 3600_000 - 1;
    expect(await revoked()).toBe('TOKEN_REVOKED');
    now += 1;
    expect(await revoked()).toBeUndefined();
  });

  it('applies an issuer-scoped revocation to that issuer’s tokens only', async () => {
    const now = 1_800_000_000_000;
    const monitor = createSecurityMonitor({ store: createMemorySecurityStore(), now: () => now });
    await monitor.revokeSubject({ sub: 'user-42', iss: 'https://a.example/' });
    await monitor.revokeToken({ jti: 'shared', exp: 1_800_003_600, iss: 'https://a.example/' });
    const verdict = async (claims: { jti?: string; sub?: string; iss?: string }) =>
      (
        await monitor.checkRevocation(NOTHING, {
          jti: claims.jti,
          sub: claims.sub,
          iat: 1_799_999_000,
          iss: claims.iss,
        })
      )?.code ?? 'accepted';
    expect(await verdict({ sub: 'user-42', iss: 'https://a.example/' })).toBe('TOKEN_REVOKED');
    expect(await verdict({ sub: 'user-42', iss: 'https://b.example/' })).toBe('accepted');
    expect(await verdict({ sub: 'user-42' })).toBe('accepted');
    expect(await verdict({ jti: 'shared', iss: 'https://a.example/' })).toBe('TOKEN_REVOKED');
    expect(await verdict({ jti: 'shared', iss: 'https://b.example/' })).toBe('accepted');
    expect(
      await monitor.isRevoked({
        subject: 'user-42',
        issuer: 'https://a.example/',
        permissions: new Set<string>(),
        claims: { sub: 'user-42', iat: 1_799_999_000, iss: 'https://a.example/' },
      }),
    ).toBe(true);

    // Unscoped: every issuer, and tokens without iss.
    await monitor.revokeSubject({ sub: 'user-7' });
    expect(await verdict({ sub: 'user-7', iss: 'https://b.example/' })).toBe('TOKEN_REVOKED');
    expect(await verdict({ sub: 'user-7' })).toBe('TOKEN_REVOKED');
  });

  it('asks for the issuer-scoped entries in the one lookup, and again when the verified iss differs', async () => {
    const inner = createMemorySecurityStore();
    const lookups: SecurityLookup[] = [];
    const store: SecurityStore = {
      ...inner,
      lookup: (query) => (lookups.push(query), inner.lookup(query)),
    };
    const monitor = createSecurityMonitor({ store });
    await monitor.revokeSubject({ sub: 'u', iss: 'https://b.example/' });
    const peeked = { jti: 'j', sub: 'u', iat: 1, iss: 'https://a.example/' };
    const check = await monitor.check({ clientKey: '192.0.2.9', claims: peeked });
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toMatchObject({ jti: 'j', subject: 'u', issuer: 'https://a.example/' });
    expect(await monitor.checkRevocation(check, peeked)).toBeUndefined();
    expect(lookups).toHaveLength(1);
    // Verified claims of another issuer than the one peeked: looked up again, for that issuer.
    const revoked = await monitor.checkRevocation(check, { ...peeked, iss: 'https://b.example/' });
    expect(lookups).toHaveLength(2);
    expect(lookups[1]).toMatchObject({ issuer: 'https://b.example/' });
    expect(revoked).toMatchObject({ code: 'TOKEN_REVOKED', by: 'subject' });
  });

  it('revokes a subject up to the end of the current second by default', async () => {
    const now = 1_800_000_000_500;
    const monitor = createSecurityMonitor({ store: createMemorySecurityStore(), now: () => now });
    await monitor.revokeSubject({ sub: 'alice' });
    const check = await monitor.check({
      clientKey: undefined,
      claims: { jti: undefined, sub: 'alice', iat: 1_800_000_000 },
    });
    expect(check.revocation?.subjectRevokedBefore).toBe(1_800_000_001);
    await expect(
      monitor.checkRevocation(check, { jti: undefined, sub: 'alice', iat: 1_800_000_000 }),
    ).resolves.toMatchObject({ code: 'TOKEN_REVOKED', by: 'subject' });
  });

  it('refuses a client once its failures reach the limit, with the wait in seconds', async () => {
    let now = 1_800_000_000_000;
    const monitor = createSecurityMonitor({
      store: createMemorySecurityStore(),
      rateLimit: { failures: 2, windowSeconds: 10 },
      now: () => now,
    });
    await monitor.recordFailure('192.0.2.1', 'expired');
    now += 1000;
    await monitor.recordFailure('192.0.2.1', 'expired');
    const limited = await monitor.check({ clientKey: '192.0.2.1', claims: undefined });
    expect(limited.refusal).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 9 });
    now += 9001;
    const lifted = await monitor.check({ clientKey: '192.0.2.1', claims: undefined });
    expect(lifted.refusal).toBeUndefined();
  });
});
