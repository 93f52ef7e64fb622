import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertCanonicalJws, assertStrictJsonPayload, MAX_JSON_DEPTH } from '../../src/index.js';
import { isCanonicalBase64url } from '../../src/token/assert-canonical-jws.js';
import { b64u, b64uJson } from '../helpers/jws.js';

const HEADER = b64uJson({ alg: 'RS256' });
const refused = { code: 'TOKEN_INVALID', reason: 'malformed' };

describe('assertCanonicalJws', () => {
  it('accepts three canonical segments with a JSON-object header', () => {
    expect(() => assertCanonicalJws(`${HEADER}.${b64uJson({ a: 1 })}.AAAA`)).not.toThrow();
  });

  it('refuses anything but three non-empty base64url segments', () => {
    for (const token of [
      '',
      HEADER,
      `${HEADER}.e30`,
      `${HEADER}.e30.`,
      `${HEADER}..AAAA`,
      `${HEADER}.e30.AAAA.AAAA.AAAA`,
      `${HEADER}.e30.AA==`,
      `${HEADER}.e30.AA AA`,
      `${HEADER}.e30.AA+/`,
      `${HEADER}.e30.A`,
    ]) {
      expect(() => assertCanonicalJws(token), token).toThrow(
        expect.objectContaining(refused) as Error,
      );
    }
  });

  it('refuses a header that is not a strict JSON object', () => {
    for (const header of [
      b64u('[]'),
      b64u('"RS256"'),
      b64u('{"alg":"RS256"'),
      b64u('{"alg":"RS256","alg":"none"}'),
      b64u(Uint8Array.of(0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d)),
      b64u(`{"alg":"RS256","x":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}`),
    ]) {
      expect(() => assertCanonicalJws(`${header}.e30.AAAA`), header).toThrow(
        expect.objectContaining(refused) as Error,
      );
    }
  });

  it('allows nesting up to the limit and the same name in different objects', () => {
    const depth = MAX_JSON_DEPTH - 1;
    const payload = `{"a":{"x":1},"b":{"x":2},"c":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    expect(() => assertStrictJsonPayload(`${HEADER}.${b64u(payload)}.AAAA`)).not.toThrow();
  });
});

describe('isCanonicalBase64url', () => {
  it('accepts exactly the unpadded base64url encoding of any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        expect(isCanonicalBase64url(Buffer.from(bytes).toString('base64url'))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses every other spelling atob decodes to the same bytes', () => {
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // What atob (jose's decoder on Node 20) tolerates: padding, whitespace, stray trailing bits.
    const variant = fc.oneof(
      fc.record({ kind: fc.constant('pad' as const) }),
      fc.record({
        kind: fc.constant('space' as const),
        at: fc.nat(),
        ws: fc.constantFrom(' ', '\t', '\n'),
      }),
      fc.record({ kind: fc.constant('bits' as const), bits: fc.integer({ min: 1, max: 15 }) }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), variant, (bytes, change) => {
        const canonical = Buffer.from(bytes).toString('base64url');
        let other = canonical;
        if (change.kind === 'pad') {
          fc.pre(canonical.length % 4 !== 0);
          other = canonical + '='.repeat(4 - (canonical.length % 4));
        }
        if (change.kind === 'space') {
          const at = change.at % (canonical.length + 1);
          other = canonical.slice(0, at) + change.ws + canonical.slice(at);
        }
        if (change.kind === 'bits') {
          const spare = canonical.length % 4 === 2 ? 0x0f : canonical.length % 4 === 3 ? 0x03 : 0;
          fc.pre((change.bits & spare) !== 0);
          const last = ALPHABET.indexOf(canonical.charAt(canonical.length - 1));
          other = canonical.slice(0, -1) + ALPHABET.charAt(last | (change.bits & spare));
        }
        const lenient = atob(other.replace(/-/g, '+').replace(/_/g, '/').replace(/\s/g, ''));
        expect(Buffer.from(lenient, 'latin1').equals(Buffer.from(bytes))).toBe(true);
        expect(isCanonicalBase64url(other)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
