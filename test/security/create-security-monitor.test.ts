import { describe, expect, it } from 'vitest';
import {
  createMemorySecurityStore,
  createSecurityMonitor,
  type SecurityMonitorOptions,
} from '../../src/index.js';

const store = createMemorySecurityStore();

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
