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

  it('accepts one or more spaces between the scheme and the token (RFC 6750 1*SP)', () => {
    expect(extractBearerToken('Bearer  a.b.c')).toEqual({ kind: 'bearer', token: 'a.b.c' });
    expect(extractBearerToken(['Bearer a.b.c'])).toEqual({ kind: 'bearer', token: 'a.b.c' });
  });

  it('marks other separators and duplicate headers as a bad request', () => {
    for (const header of ['Bearer\ta.b.c', 'Bearer,a.b.c', 'Bearer \ta.b.c', 'Bearer\u00a0a.b.c']) {
      expect(extractBearerToken(header), JSON.stringify(header)).toEqual({
        kind: 'bad-request',
        reason: 'separator',
      });
    }
    expect(extractBearerToken(['Bearer a.b.c', 'Bearer d.e.f'])).toEqual({
      kind: 'bad-request',
      reason: 'duplicate-header',
    });
    expect(extractBearerToken(['Basic x', 'Bearer a.b.c'])).toEqual({
      kind: 'bad-request',
      reason: 'duplicate-header',
    });
  });

  it('passes a token with inner whitespace on, for the verifier to refuse', () => {
    expect(extractBearerToken('Bearer a.b c')).toEqual({ kind: 'bearer', token: 'a.b c' });
  });
});
