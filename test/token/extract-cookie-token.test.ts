import { describe, expect, it } from 'vitest';
import { extractCookieToken } from '../../src/index.js';

describe('extractCookieToken', () => {
  it('reads the named cookie among others, quoted or not', () => {
    expect(extractCookieToken('a=1; access_token=x.y.z; b=2', 'access_token')).toEqual({
      kind: 'bearer',
      token: 'x.y.z',
    });
    expect(extractCookieToken('access_token="x.y.z"', 'access_token')).toEqual({
      kind: 'bearer',
      token: 'x.y.z',
    });
    expect(extractCookieToken(['a=1', 'access_token=x.y.z'], 'access_token')).toEqual({
      kind: 'bearer',
      token: 'x.y.z',
    });
  });

  it('is none without the cookie or with an empty one', () => {
    expect(extractCookieToken(undefined, 'access_token')).toEqual({ kind: 'none' });
    expect(extractCookieToken('other=1; access_token_x=2', 'access_token')).toEqual({
      kind: 'none',
    });
    expect(extractCookieToken('access_token=', 'access_token')).toEqual({ kind: 'none' });
  });

  it('marks the cookie sent twice as a bad request', () => {
    expect(extractCookieToken('access_token=a; access_token=b', 'access_token')).toEqual({
      kind: 'bad-request',
      reason: 'multiple-sources',
    });
  });
});
