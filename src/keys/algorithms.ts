/** HMAC algorithms (RFC 7518 §3.2): one shared secret signs and verifies. */
export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512';

/** Public-key algorithms (RFC 7518 §3.3–3.5, RFC 8037): the verifier holds only a public key. */
export type AsymmetricAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519';

/** Every JWS algorithm claimgate verifies. `none` is not one of them, in any casing. */
export type SupportedAlgorithm = HmacAlgorithm | AsymmetricAlgorithm;

/** An allow-list that passed {@link normalizeAlgorithms}: non-empty, known, and of one family. */
export type AlgorithmAllowList =
  | { readonly family: 'hmac'; readonly algorithms: readonly HmacAlgorithm[] }
  | { readonly family: 'asymmetric'; readonly algorithms: readonly AsymmetricAlgorithm[] };

const HMAC: ReadonlySet<string> = new Set<HmacAlgorithm>(['HS256', 'HS384', 'HS512']);
const ASYMMETRIC: ReadonlySet<string> = new Set<AsymmetricAlgorithm>([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);

/** Whether `alg` is an HMAC algorithm. */
export function isHmacAlgorithm(alg: string): alg is HmacAlgorithm {
  return HMAC.has(alg);
}

/** Whether `alg` is a public-key algorithm claimgate supports. */
export function isAsymmetricAlgorithm(alg: string): alg is AsymmetricAlgorithm {
  return ASYMMETRIC.has(alg);
}

/**
 * Validates an algorithm allow-list once, at start-up (RFC 8725 §3.1: the verifier, not the token,
 * picks the algorithm).
 * @throws TypeError when the list is empty, names an unknown algorithm (or `none`), or mixes HMAC
 *   and public-key algorithms (the key-confusion attack of RFC 8725 §2.1).
 */
export function normalizeAlgorithms(algorithms: readonly string[] | undefined): AlgorithmAllowList {
  const isList = (value: unknown): value is readonly unknown[] => Array.isArray(value);
  if (!isList(algorithms) || algorithms.length === 0) {
    throw new TypeError(
      'claimgate: `algorithms` is required: list the JWS algorithms you accept, e.g. ["RS256"].',
    );
  }
  const unique = [...new Set<unknown>(algorithms)];
  const unknown = unique.filter(
    (alg) => typeof alg !== 'string' || (!HMAC.has(alg) && !ASYMMETRIC.has(alg)),
  );
  if (unknown.length > 0) {
    throw new TypeError(
      `claimgate: unsupported algorithm(s) ${unknown.map((a) => JSON.stringify(a)).join(', ')}; ` +
        `use HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512 or EdDSA.`,
    );
  }
  const known = unique as string[]; // every entry is a known algorithm name by now
  const hmac = known.filter(isHmacAlgorithm);
  const asymmetric = known.filter(isAsymmetricAlgorithm);
  if (hmac.length > 0 && asymmetric.length > 0) {
    throw new TypeError(
      `claimgate: \`algorithms\` mixes HMAC (${hmac.join(', ')}) and public-key (${asymmetric.join(', ')}) ` +
        'algorithms; use one family per verifier (RFC 8725 §2.1, key confusion).',
    );
  }
  return hmac.length > 0
    ? { family: 'hmac', algorithms: Object.freeze(hmac) }
    : { family: 'asymmetric', algorithms: Object.freeze(asymmetric) };
}
