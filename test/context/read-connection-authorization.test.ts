import { describe, expect, it } from 'vitest';
import {
  MAX_CONNECTION_AUTHORIZATION_LENGTH,
  readConnectionAuthorization,
} from '../../src/index.js';

describe('readConnectionAuthorization', () => {
  it.each([
    ['Authorization', { Authorization: 'Bearer abc' }],
    ['authorization', { authorization: 'Bearer abc' }],
    ['AUTHORIZATION', { AUTHORIZATION: 'Bearer abc' }],
    ['both spellings with one value', { Authorization: 'Bearer abc', authorization: 'Bearer abc' }],
    ['a null spelling beside a value', { Authorization: null, authorization: 'Bearer abc' }],
  ])('reads the value under %s', (_name, params) => {
    expect(readConnectionAuthorization(params)).toEqual({
      kind: 'value',
      authorization: 'Bearer abc',
    });
  });

  it.each([
    ['no params', undefined],
    ['null params', null],
    ['an array', ['Bearer abc']],
    ['a string', 'Bearer abc'],
    ['params without the key', { token: 'abc', 'x-authorization': 'Bearer abc' }],
    ['a null value', { Authorization: null }],
  ])('reports no credentials for %s', (_name, params) => {
    expect(readConnectionAuthorization(params)).toEqual({
      kind: 'value',
      authorization: undefined,
    });
  });

  it.each([
    ['a number', { Authorization: 42 }],
    ['an object', { Authorization: { token: 'abc' } }],
    ['an array of one value', { Authorization: ['Bearer a'] }],
    [
      'an oversized value',
      { Authorization: `Bearer ${'a'.repeat(MAX_CONNECTION_AUTHORIZATION_LENGTH)}` },
    ],
  ])('reports malformed credentials for %s', (_name, params) => {
    expect(readConnectionAuthorization(params)).toEqual({ kind: 'malformed' });
  });

  it.each([
    ['an array of values', { Authorization: ['Bearer a', 'Bearer b'] }],
    [
      'two spellings with different values',
      { Authorization: 'Bearer a', authorization: 'Bearer b' },
    ],
  ])('reports duplicate credentials for %s, as two HTTP headers', (_name, params) => {
    expect(readConnectionAuthorization(params)).toEqual({ kind: 'duplicate' });
  });

  it('reads a __proto__ key from JSON as data, never the prototype', () => {
    const params: unknown = JSON.parse('{"__proto__": {"Authorization": "Bearer evil"}}');
    expect(readConnectionAuthorization(params)).toEqual({
      kind: 'value',
      authorization: undefined,
    });
  });
});
