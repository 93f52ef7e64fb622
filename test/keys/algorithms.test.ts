import { describe, expect, it } from 'vitest';
import { normalizeAlgorithms } from '../../src/index.js';

describe('normalizeAlgorithms', () => {
  it('accepts one family and drops duplicates', () => {
    expect(normalizeAlgorithms(['HS256', 'HS512', 'HS256'])).toEqual({
      family: 'hmac',
      algorithms: ['HS256', 'HS512'],
    });
    expect(normalizeAlgorithms(['RS256', 'ES256', 'EdDSA'])).toEqual({
      family: 'asymmetric',
      algorithms: ['RS256', 'ES256', 'EdDSA'],
    });
  });

  it('refuses a missing or empty list', () => {
    expect(() => normalizeAlgorithms(undefined)).toThrow(/`algorithms` is required/);
    expect(() => normalizeAlgorithms([])).toThrow(TypeError);
  });

  it('refuses none in any casing and unknown names', () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE', 'HS1', 'rs256']) {
      expect(() => normalizeAlgorithms([alg])).toThrow(/unsupported algorithm/);
    }
  });

  it('refuses mixing HMAC and public-key algorithms', () => {
    expect(() => normalizeAlgorithms(['HS256', 'RS256'])).toThrow(/mixes HMAC .*RFC 8725/);
  });
});
