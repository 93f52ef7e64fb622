import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ANONYMOUS,
  AUTHENTICATED,
  checkRequirement,
  combineRequirements,
  compileRequirement,
  TokenExpiredError,
  TokenInvalidError,
  type AuthState,
  type Requirement,
} from '../../src/index.js';

function authenticated(...permissions: string[]): AuthState {
  return {
    status: 'authenticated',
    principal: { subject: 'u', issuer: undefined, permissions: new Set(permissions), claims: {} },
  };
}
const failed = (error: TokenExpiredError | TokenInvalidError): AuthState => ({
  status: 'failed',
  principal: null,
  error,
});

const permission = (p: string): Requirement => ({ clauses: [[p]] });
const anyOf = (...ps: string[]): Requirement => ({ clauses: [ps] });
const allOf = (...ps: string[]): Requirement => ({ clauses: ps.map((p) => [p]) });

describe('checkRequirement', () => {
  it('denies an anonymous caller with UNAUTHENTICATED for every requirement', () => {
    for (const requirement of [AUTHENTICATED, permission('a'), anyOf('a', 'b'), allOf('a', 'b')]) {
      const decision = checkRequirement(requirement, ANONYMOUS);
      expect(decision).toMatchObject({ allowed: false, error: { code: 'UNAUTHENTICATED' } });
    }
  });

  it('denies a refused token with that token’s own error', () => {
    const expired = new TokenExpiredError();
    const invalid = new TokenInvalidError('signature');
    expect(checkRequirement(AUTHENTICATED, failed(expired))).toEqual({
      allowed: false,
      error: expired,
    });
    expect(checkRequirement(permission('a'), failed(invalid))).toEqual({
      allowed: false,
      error: invalid,
    });
  });

  it('allows any authenticated caller through @auth', () => {
    expect(checkRequirement(AUTHENTICATED, authenticated())).toEqual({ allowed: true });
  });

  it('checks permission, anyOf and allOf', () => {
    const table: [Requirement, string[], boolean][] = [
      [permission('a'), ['a'], true],
      [permission('a'), ['b'], false],
      [permission('a'), [], false],
      [anyOf('a', 'b'), ['b'], true],
      [anyOf('a', 'b'), ['c'], false],
      [allOf('a', 'b'), ['a', 'b', 'c'], true],
      [allOf('a', 'b'), ['a'], false],
      [allOf('a', 'b'), ['b'], false],
      [combineRequirements(anyOf('a', 'b'), permission('c')), ['b', 'c'], true],
      [combineRequirements(anyOf('a', 'b'), permission('c')), ['a'], false],
      [combineRequirements(anyOf('a', 'b'), permission('c')), ['c'], false],
    ];
    for (const [requirement, held, allowed] of table) {
      expect(
        checkRequirement(requirement, authenticated(...held)).allowed,
        JSON.stringify([requirement, held]),
      ).toBe(allowed);
    }
  });

  it('names the first failed clause in FORBIDDEN', () => {
    const decision = checkRequirement(allOf('a', 'b'), authenticated('a'));
    expect(decision).toMatchObject({ allowed: false, error: { code: 'FORBIDDEN', anyOf: ['b'] } });
  });

  it('agrees with the definition of CNF on every generated case', () => {
    const perm = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    fc.assert(
      fc.property(
        fc.array(fc.array(perm, { minLength: 1, maxLength: 3 }), { maxLength: 4 }),
        fc.uniqueArray(perm),
        (clauses, held) => {
          const expected = clauses.every((clause) => clause.some((p) => held.includes(p)));
          const decision = compileRequirement({ clauses })(authenticated(...held));
          expect(decision.allowed).toBe(expected);
          if (!decision.allowed) expect(decision.error.code).toBe('FORBIDDEN');
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('combineRequirements', () => {
  it('ANDs clauses and drops duplicates regardless of order', () => {
    expect(combineRequirements(anyOf('b', 'a'), anyOf('a', 'b'), permission('c'))).toEqual({
      clauses: [['a', 'b'], ['c']],
    });
    expect(combineRequirements(AUTHENTICATED, AUTHENTICATED)).toEqual({ clauses: [] });
  });
});
