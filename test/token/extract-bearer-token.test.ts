import { describe, expect, it } from 'vitest';
import { extractBearerToken } from '../../src/index.js';

describe('extractBearerToken', () => {
  it('reads a Bearer token with the scheme in any casing', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      expect(extractBearerToken(`${scheme} abc.def.ghi`)).toEqual({
        kind: 'bearer',
        token: 'abc.def.ghi',
      });
    }
  });

  it('treats a missing header and another scheme as no credentials', () => {
    expect(extractBearerToken(undefined)).toEqual({ kind: 'none' });
    expect(extractBearerToken('')).toEqual({ kind: 'none' });
    expect(extractBearerToken('Basic dXNlcjpwYXNz')).toEqual({ kind: 'none' });
    expect(extractBearerToken('Bearerabc')).toEqual({ kind: 'none' });
  });

  it('marks the Bearer scheme without credentials as a bad request', () => {
    expect(extractBearerToken('Bearer')).toEqual({
      kind: 'bad-request',
      reason: 'missing-credentials',
    });
    expect(extractBearerToken('Bearer    ')).toEqual({
      kind: 'bad-request',
      reason: 'missing-credentials',
    });
  });
});
