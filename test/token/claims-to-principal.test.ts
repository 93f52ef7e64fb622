import { describe, expect, it } from 'vitest';
import { claimsToPrincipal, DEFAULT_PERMISSION_CLAIMS } from '../../src/index.js';
import { compileClaimPaths } from '../../src/token/claims-to-principal.js';

const defaults = compileClaimPaths(DEFAULT_PERMISSION_CLAIMS);

describe('claimsToPrincipal', () => {
  it('merges the permissions array and the space-delimited scope', () => {
    const principal = claimsToPrincipal(
      { sub: 'u1', iss: 'https://id', permissions: ['a', 'b'], scope: 'b  c openid' },
      defaults,
    );
    expect(principal.subject).toBe('u1');
    expect(principal.issuer).toBe('https://id');
    expect([...principal.permissions].sort()).toEqual(['a', 'b', 'c', 'openid']);
  });

  it('grants nothing when no permission claim is present', () => {
    const principal = claimsToPrincipal({}, defaults);
    expect(principal.permissions.size).toBe(0);
    expect(principal.subject).toBeUndefined();
  });

  it('reads nested claim paths and exact names containing dots', () => {
    const paths = compileClaimPaths(['realm_access.roles', ['https://example.com/roles']]);
    const principal = claimsToPrincipal(
      { realm_access: { roles: ['admin'] }, 'https://example.com/roles': ['editor'] },
      paths,
    );
    expect([...principal.permissions].sort()).toEqual(['admin', 'editor']);
  });

  it('never reads through the prototype chain', () => {
    const paths = compileClaimPaths(['constructor.name', '__proto__']);
    expect(claimsToPrincipal({}, paths).permissions.size).toBe(0);
  });

  it('refuses a permission claim of the wrong type with a typed reason', () => {
    for (const permissions of [42, true, { a: 1 }, ['a', 1], [null]]) {
      expect(() => claimsToPrincipal({ permissions }, defaults)).toThrow(
        expect.objectContaining({
          code: 'TOKEN_INVALID',
          reason: 'permissions-claim',
          claim: 'permissions',
        }),
      );
    }
    const nested = compileClaimPaths(['realm_access.roles']);
    expect(
      () => claimsToPrincipal({ realm_access: { roles: 'x y' } }, nested).permissions,
    ).not.toThrow();
    expect(() => claimsToPrincipal({ realm_access: { roles: 7 } }, nested)).toThrow(
      expect.objectContaining({ code: 'TOKEN_INVALID', claim: 'realm_access.roles' }),
    );
  });

  it('refuses a non-string sub or iss', () => {
    expect(() => claimsToPrincipal({ sub: 12 } as never, defaults)).toThrow(
      expect.objectContaining({ code: 'TOKEN_INVALID', claim: 'sub' }),
    );
    expect(() => claimsToPrincipal({ iss: ['a'] } as never, defaults)).toThrow(
      expect.objectContaining({ code: 'TOKEN_INVALID', claim: 'iss' }),
    );
  });

  it('refuses empty claim paths at start-up', () => {
    expect(() => compileClaimPaths([''])).toThrow(TypeError);
    expect(() => compileClaimPaths(['a..b'])).toThrow(/invalid permission claim path/);
    expect(() => compileClaimPaths([[]])).toThrow(TypeError);
  });
});
