// claimgate/testing: helpers for applications' own tests. Never import it from production code.

export {
  createTestIssuer,
  EXPECTED_TOKEN_FAILURES,
  TOKEN_FAILURE_KINDS,
} from './create-test-issuer.js';
export type {
  RotateKeyOptions,
  TestIssuer,
  TestIssuerOptions,
  TestJwksServer,
  TestTokenOptions,
  TokenFailureKind,
} from './create-test-issuer.js';
