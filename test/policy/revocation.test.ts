import { describe, expect, it } from 'vitest';
import { decideRevocation, revocationClaimsOf } from '../../src/index.js';

const none = { jtiRevoked: false, subjectRevokedBefore: undefined };

describe('decideRevocation', () => {
  it('passes a token nothing applies to', () => {
    expect(decideRevocation({ jti: 'j', sub: 's', iat: 100 }, none)).toEqual({ revoked: false });
  });

  it('revokes a token whose jti is revoked', () => {
    expect(
      decideRevocation({ jti: 'j', sub: 's', iat: 100 }, { ...none, jtiRevoked: true }),
    ).toEqual({ revoked: true, by: 'jti' });
  });

  it('revokes a token of the subject issued before the moment, not one issued at or after it', () => {
    const status = { jtiRevoked: false, subjectRevokedBefore: 100 };
    expect(decideRevocation({ jti: undefined, sub: 's', iat: 99 }, status)).toEqual({
      revoked: true,
      by: 'subject',
    });
    expect(decideRevocation({ jti: undefined, sub: 's', iat: 100 }, status)).toEqual({
      revoked: false,
    });
  });

  it('revokes a token without iat when its subject has a revocation', () => {
    expect(
      decideRevocation(
        { jti: undefined, sub: 's', iat: undefined },
        { jtiRevoked: false, subjectRevokedBefore: 1 },
      ),
    ).toEqual({ revoked: true, by: 'subject' });
  });
});

describe('revocationClaimsOf', () => {
  it('keeps string jti, sub and iss and a numeric iat, dropping other types', () => {
    expect(revocationClaimsOf({ jti: 'a', sub: 'b', iat: 5, iss: 'https://a.example/' })).toEqual({
      jti: 'a',
      sub: 'b',
      iat: 5,
      iss: 'https://a.example/',
    });
    const dropped = revocationClaimsOf({ jti: 1, sub: '', iat: '5', iss: ['x'] });
    expect(dropped).toEqual({ jti: undefined, sub: undefined, iat: undefined, iss: undefined });
    expect(dropped).toHaveProperty('iss', undefined);
    expect(revocationClaimsOf({ iss: '' }).iss).toBeUndefined();
  });
});
