import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityStore } from '../../src/index.js';

/** How a contract run gets a fresh store and cleans up after it. */
export interface StoreUnderTest {
  readonly store: SecurityStore;
  cleanup(): Promise<void>;
}

const WINDOW_MS = 60_000;
const LIMIT = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The one contract every {@link SecurityStore} passes. Times are based on the real clock because
 * Redis expires revocations by real time (PXAT); window arithmetic uses the `nowMs` passed in.
 */
export function describeSecurityStoreContract(
  name: string,
  create: () => Promise<StoreUnderTest>,
): void {
  describe(`${name} (SecurityStore contract)`, () => {
    let subject: StoreUnderTest;
    let store: SecurityStore;
    let n = 0;
    // Each test uses its own client keys and subjects, so tests share one store safely.
    const id = (label: string) => `${label}-${(n += 1)}`;

    beforeAll(async () => {
      subject = await create();
      store = subject.store;
    });
    afterAll(async () => {
      await subject.cleanup();
    });

    const fail = (clientKey: string, nowMs: number, kind: 'expired' | 'refused' = 'expired') =>
      store.recordFailure({ clientKey, kind, nowMs, limit: LIMIT, windowMs: WINDOW_MS });

    it('answers an empty lookup with no failures and no revocation', async () => {
      const result = await store.lookup({
        nowMs: Date.now(),
        failuresOf: { clientKey: id('client'), limit: LIMIT },
        jti: id('jti'),
        subject: id('sub'),
      });
      expect(result).toEqual({
        recentFailures: [],
        jtiRevoked: false,
        subjectRevokedBefore: undefined,
      });
    });

    it('keeps the newest failures of a client, newest first, at most the limit', async () => {
      const client = id('client');
      const t = Date.now();
      for (let i = 0; i < 5; i += 1) await fail(client, t + i);
      const result = await store.lookup({
        nowMs: t + 10,
        failuresOf: { clientKey: client, limit: LIMIT },
      });
      expect(result.recentFailures).toEqual([t + 4, t + 3, t + 2]);
    });

    it('returns the failures after recording, dropping those that left the window', async () => {
      const client = id('client');
      const t = Date.now();
      await fail(client, t);
      await fail(client, t + 1);
      const after = await fail(client, t + WINDOW_MS + 5);
      expect(after).toEqual([t + WINDOW_MS + 5]);
    });

    it('does not count a refusal as a failure of the client', async () => {
      const client = id('client');
      const t = Date.now();
      await fail(client, t);
      const after = await fail(client, t + 1, 'refused');
      expect(after).toEqual([t]);
    });

    it('applies concurrent failures of one client atomically', async () => {
      const client = id('client');
      const t = Date.now();
      await Promise.all(Array.from({ length: 20 }, (_, i) => fail(client, t + i)));
      const result = await store.lookup({
        nowMs: t + 30,
        failuresOf: { clientKey: client, limit: LIMIT },
      });
      expect(result.recentFailures).toHaveLength(LIMIT);
      const report = await store.report({
        nowMs: t + 30,
        limit: LIMIT,
        windowMs: WINDOW_MS,
        top: 1000,
      });
      expect(report.topOffenders.find((o) => o.clientKey === client)?.attempts).toBe(20);
    });

    it('revokes a jti until its expiry, then forgets it', async () => {
      const jti = id('jti');
      await store.revokeToken(jti, Date.now() + 1000, Date.now());
      expect((await store.lookup({ nowMs: Date.now(), jti })).jtiRevoked).toBe(true);
      await sleep(1200);
      expect((await store.lookup({ nowMs: Date.now(), jti })).jtiRevoked).toBe(false);
    });

    it('ignores the revocation of a jti that has already expired', async () => {
      const jti = id('jti');
      await store.revokeToken(jti, Date.now() - 1000, Date.now());
      expect((await store.lookup({ nowMs: Date.now(), jti })).jtiRevoked).toBe(false);
    });

    it('keeps the latest revoked-before moment of a subject', async () => {
      const sub = id('sub');
      await store.revokeSubject(sub, 2_000_000_000, 60_000, Date.now());
      await store.revokeSubject(sub, 1_000_000_000, 60_000, Date.now());
      expect((await store.lookup({ nowMs: Date.now(), subject: sub })).subjectRevokedBefore).toBe(
        2_000_000_000,
      );
    });

    it('forgets a subject revocation after its lifetime', async () => {
      const sub = id('sub');
      await store.revokeSubject(sub, 1_000_000_000, 1000, Date.now());
      expect((await store.lookup({ nowMs: Date.now(), subject: sub })).subjectRevokedBefore).toBe(
        1_000_000_000,
      );
      await sleep(1200);
      expect(
        (await store.lookup({ nowMs: Date.now(), subject: sub })).subjectRevokedBefore,
      ).toBeUndefined();
    });

    describe('issuer-scoped revocations', () => {
      const ISS_A = 'https://a.example/';
      const ISS_B = 'https://b.example/';
      const jtiRevoked = async (jti: string, issuer?: string) =>
        (
          await store.lookup({
            nowMs: Date.now(),
            jti,
            ...(issuer === undefined ? {} : { issuer }),
          })
        ).jtiRevoked;
      const revokedBefore = async (subject: string, issuer?: string) =>
        (
          await store.lookup({
            nowMs: Date.now(),
            subject,
            ...(issuer === undefined ? {} : { issuer }),
          })
        ).subjectRevokedBefore;

      it('revokes a jti for its issuer only', async () => {
        const jti = id('jti');
        await store.revokeToken(jti, Date.now() + 60_000, Date.now(), ISS_A);
        expect(await jtiRevoked(jti, ISS_A)).toBe(true);
        expect(await jtiRevoked(jti, ISS_B)).toBe(false);
        // A token without iss is of no issuer: a scoped entry does not apply to it.
        expect(await jtiRevoked(jti)).toBe(false);
      });

      it('revokes an unscoped jti for every issuer, and for tokens without iss', async () => {
        const jti = id('jti');
        await store.revokeToken(jti, Date.now() + 60_000, Date.now());
        expect(await jtiRevoked(jti, ISS_A)).toBe(true);
        expect(await jtiRevoked(jti, ISS_B)).toBe(true);
        expect(await jtiRevoked(jti)).toBe(true);
      });

      it('keeps colliding jtis of different issuers apart', async () => {
        const jti = id('shared-jti');
        await store.revokeToken(jti, Date.now() + 60_000, Date.now(), ISS_A);
        expect(await jtiRevoked(jti, ISS_B)).toBe(false);
        await store.revokeToken(jti, Date.now() + 60_000, Date.now(), ISS_B);
        expect(await jtiRevoked(jti, ISS_A)).toBe(true);
        expect(await jtiRevoked(jti, ISS_B)).toBe(true);
        expect(await jtiRevoked(jti, 'https://c.example/')).toBe(false);
      });

      it('encodes (issuer, value) unambiguously: no pair collides with another split', async () => {
        const tail = id('x');
        // Concatenated with ":" both would read "iss:a:<tail>".
        await store.revokeToken(`a:${tail}`, Date.now() + 60_000, Date.now(), 'iss');
        expect(await jtiRevoked(tail, 'iss:a')).toBe(false);
        expect(await jtiRevoked(`a:${tail}`, 'iss')).toBe(true);
        // Nor does a scoped entry stand for an unscoped value that looks like the pair.
        expect(await jtiRevoked(JSON.stringify(['iss', `a:${tail}`]))).toBe(false);
        await store.revokeSubject(`a:${tail}`, 1_000_000_000, 60_000, Date.now(), 'iss');
        expect(await revokedBefore(tail, 'iss:a')).toBeUndefined();
      });

      it('revokes a subject for its issuer only', async () => {
        const sub = id('sub');
        await store.revokeSubject(sub, 1_500_000_000, 60_000, Date.now(), ISS_A);
        expect(await revokedBefore(sub, ISS_A)).toBe(1_500_000_000);
        expect(await revokedBefore(sub, ISS_B)).toBeUndefined();
        expect(await revokedBefore(sub)).toBeUndefined();
      });

      it('revokes an unscoped subject for every issuer', async () => {
        const sub = id('sub');
        await store.revokeSubject(sub, 1_500_000_000, 60_000, Date.now());
        expect(await revokedBefore(sub, ISS_A)).toBe(1_500_000_000);
        expect(await revokedBefore(sub, ISS_B)).toBe(1_500_000_000);
        expect(await revokedBefore(sub)).toBe(1_500_000_000);
      });

      it('answers the later of the scoped and the unscoped moments of a subject', async () => {
        const sub = id('sub');
        await store.revokeSubject(sub, 1_500_000_000, 60_000, Date.now());
        await store.revokeSubject(sub, 1_600_000_000, 60_000, Date.now(), ISS_A);
        expect(await revokedBefore(sub, ISS_A)).toBe(1_600_000_000);
        expect(await revokedBefore(sub, ISS_B)).toBe(1_500_000_000);
        const other = id('sub');
        await store.revokeSubject(other, 1_700_000_000, 60_000, Date.now());
        await store.revokeSubject(other, 1_600_000_000, 60_000, Date.now(), ISS_A);
        expect(await revokedBefore(other, ISS_A)).toBe(1_700_000_000);
      });

      it('reads the scoped entries in the same lookup as the failures', async () => {
        const client = id('client');
        const jti = id('jti');
        const sub = id('sub');
        const t = Date.now();
        await fail(client, t);
        await store.revokeToken(jti, t + 60_000, t, ISS_A);
        await store.revokeSubject(sub, 1_500_000_000, 60_000, t, ISS_A);
        expect(
          await store.lookup({
            nowMs: t + 1,
            failuresOf: { clientKey: client, limit: LIMIT },
            jti,
            subject: sub,
            issuer: ISS_A,
          }),
        ).toEqual({ recentFailures: [t], jtiRevoked: true, subjectRevokedBefore: 1_500_000_000 });
      });

      it('forgets a scoped jti at its expiry', async () => {
        const jti = id('jti');
        await store.revokeToken(jti, Date.now() + 1000, Date.now(), ISS_A);
        expect(await jtiRevoked(jti, ISS_A)).toBe(true);
        await sleep(1200);
        expect(await jtiRevoked(jti, ISS_A)).toBe(false);
      });
    });

    it('reports failures by kind, refusals, limited clients and top offenders', async () => {
      // A far-future clock isolates this report from the other tests' buckets.
      const t = Date.now() + 10 * WINDOW_MS;
      const heavy = id('heavy');
      const light = id('light');
      for (const kind of ['expired', 'invalid-signature', 'malformed'] as const) {
        await store.recordFailure({
          clientKey: heavy,
          kind,
          nowMs: t,
          limit: LIMIT,
          windowMs: WINDOW_MS,
        });
      }
      await fail(heavy, t + 1, 'refused');
      await store.recordFailure({
        clientKey: light,
        kind: 'other',
        nowMs: t + 2,
        limit: LIMIT,
        windowMs: WINDOW_MS,
      });
      const report = await store.report({
        nowMs: t + 3,
        limit: LIMIT,
        windowMs: WINDOW_MS,
        top: 1,
      });
      expect(report).toMatchObject({
        windowSeconds: 60,
        failuresByKind: { expired: 1, 'invalid-signature': 1, malformed: 1, other: 1 },
        refusedRequests: 1,
        limitedClientCount: 1,
        limitedClients: [{ clientKey: heavy, retryAfterSeconds: 60 }],
        topOffenders: [{ clientKey: heavy, attempts: 4 }],
      });
    });

    it('leaves failures older than the window out of the report', async () => {
      const t = Date.now() + 20 * WINDOW_MS;
      const client = id('client');
      await fail(client, t);
      const later = await store.report({
        nowMs: t + 2 * WINDOW_MS,
        limit: LIMIT,
        windowMs: WINDOW_MS,
        top: 10,
      });
      expect(later.failuresByKind.expired).toBe(0);
      expect(later.topOffenders).toEqual([]);
      expect(later.limitedClientCount).toBe(0);
    });
  });
}
