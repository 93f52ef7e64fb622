import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, createTokenVerifier, type TokenVerifier } from '../../src/index.js';
import { loadServerConfig } from '../../src/server/load-server-config.js';
import { startExampleServer, type ExampleServer } from '../../src/server/start-example-server.js';
import { postGraphQL } from '../helpers/graphql-request.js';
import { generateTestSecret, mintToken, secretBytes } from '../helpers/keys.js';

const secret = generateTestSecret(48);
const B64URL = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];
const HEADER_CHARS = ['\t', ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i))];

/** A character an attacker might put in a token: base64url, separators, padding, whitespace. */
const tokenChar = fc.constantFrom(...B64URL, '.', '=', '+', '/', ' ', '\t', '\u0000', 'é', '{');

type Edit =
  | { readonly kind: 'replace' | 'insert'; readonly at: number; readonly char: string }
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'segments'; readonly order: readonly number[] };

/** Edits of a valid token (some may leave it unchanged; those runs are skipped). */
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: tokenChar }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), char: tokenChar }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('segments' as const),
    order: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 5 }),
  }),
);

function applyEdit(token: string, change: Edit): string {
  const at = 'at' in change ? change.at % (token.length + 1) : 0;
  switch (change.kind) {
    case 'replace':
      return token.slice(0, at) + change.char + token.slice(at + 1);
    case 'insert':
      return token.slice(0, at) + change.char + token.slice(at);
    case 'delete':
      return token.slice(0, at) + token.slice(at + 1);
    case 'segments': {
      const parts = token.split('.');
      return change.order.map((i) => parts[i] ?? '').join('.');
    }
  }
}

describe('authenticate over attacker-controlled input (property-based)', () => {
  let verifier: TokenVerifier;
  let valid: string;
  beforeAll(async () => {
    verifier = await createTokenVerifier({ algorithms: ['HS256'], key: { secret } });
    valid = await mintToken({ alg: 'HS256', key: secretBytes(secret), claims: { sub: 'u' } });
  });

  it('never throws and never authenticates an arbitrary Authorization header', async () => {
    const header = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 60 }),
      fc
        .tuple(
          fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Bearer:', ''),
          fc.constantFrom(' ', '  ', '\t', ',', ''),
          fc.array(fc.string({ unit: tokenChar, maxLength: 40 }), { maxLength: 5 }),
        )
        .map(([scheme, sep, parts]) => `${scheme}${sep}${parts.join('.')}`),
      fc.array(fc.string({ maxLength: 40 }), { minLength: 2, maxLength: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(header, async (authorization) => {
        const state = await authenticate(authorization, verifier);
        expect(state.status).not.toBe('authenticated');
        if (state.status === 'failed') {
          expect(['TOKEN_INVALID', 'TOKEN_EXPIRED', 'BAD_REQUEST']).toContain(state.error.code);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('authenticates the valid token and no edit of it', async () => {
    expect((await authenticate(`Bearer ${valid}`, verifier)).status).toBe('authenticated');
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 3 }), async (edits) => {
        const tampered = edits.reduce(applyEdit, valid);
        // Spaces after `Bearer ` (RFC 6750's 1*SP) and trailing whitespace (HTTP's OWS, which Node
        // strips from header values) leave the same credentials: not an edit of the token.
        fc.pre(tampered.replace(/^ +/, '').replace(/[ \t]+$/, '') !== valid);
        const state = await authenticate(`Bearer ${tampered}`, verifier);
        expect(state.status).toBe('failed');
        if (state.status === 'failed') {
          expect(['TOKEN_INVALID', 'BAD_REQUEST']).toContain(state.error.code);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('the example server over attacker-controlled headers (property-based)', () => {
  let server: ExampleServer;
  beforeAll(async () => {
    server = await startExampleServer(
      // Every generated request comes from one address: without this the failed-auth limit
      // (issue #5) would answer 429 after a few, and the properties would test the limiter.
      loadServerConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        JWT_SECRET: secret,
        AUTH_RATE_LIMIT: 'off',
      }),
    );
  });
  afterAll(() => server.close());

  it('never answers 5xx and never resolves a protected field', async () => {
    const value = fc.oneof(
      fc.string({ unit: fc.constantFrom(...HEADER_CHARS), maxLength: 120 }),
      fc
        .tuple(
          fc.constantFrom('Bearer ', 'bearer  ', 'Bearer\t', 'Basic '),
          fc.string({ unit: fc.constantFrom(...B64URL, '.', '=', ' '), maxLength: 120 }),
        )
        .map(([scheme, rest]) => scheme + rest),
    );
    await fc.assert(
      fc.asyncProperty(value, async (authorization) => {
        const response = await postGraphQL(server.url, {
          query: '{ me { sub } }',
          headers: { authorization },
        });
        expect(response.status).toBeLessThan(500);
        expect([200, 400, 401]).toContain(response.status);
        expect(response.body.data?.['me'] ?? null).toBeNull();
      }),
      { numRuns: 60 },
    );
  });
});
