// The public contract of claimgate: explicit named exports only.

export {
  AUTH_ERROR_CODES,
  AUTH_ERROR_HTTP_STATUS,
  AUTH_ERROR_MESSAGES,
  AuthError,
  AuthUnavailableError,
  BadRequestError,
  ForbiddenError,
  isAuthError,
  RateLimitedError,
  TokenExpiredError,
  TokenInvalidError,
  TokenRevokedError,
  UnauthenticatedError,
} from './errors/auth-error.js';
export type {
  AuthErrorCode,
  BadRequestReason,
  KeySourceFailureReason,
  TokenFailureReason,
} from './errors/auth-error.js';
export { formatError, isAuthErrorCode, MASKED_ERROR_MESSAGE } from './errors/format-error.js';
export { toGraphQLError } from './errors/to-graphql-error.js';
export type { ToGraphQLErrorOptions } from './errors/to-graphql-error.js';
export { formatWwwAuthenticate } from './errors/www-authenticate.js';
export type { WwwAuthenticateOptions } from './errors/www-authenticate.js';

export { normalizeAlgorithms } from './keys/algorithms.js';
export type {
  AlgorithmAllowList,
  AsymmetricAlgorithm,
  HmacAlgorithm,
  SupportedAlgorithm,
} from './keys/algorithms.js';
export { REMOTE_JWKS_DEFAULTS } from './keys/create-remote-key-source.js';
export type { RemoteJwksOptions } from './keys/create-remote-key-source.js';
export type { FetchFunction } from './keys/bounded-json-fetch.js';
export { DEFAULT_MAX_JWKS_KEYS } from './keys/import-jwks.js';
export { importKeySource } from './keys/import-key-source.js';
export {
  isRepeatedByte,
  isWellKnownSecret,
  WELL_KNOWN_SECRETS,
} from './keys/well-known-secrets.js';
export type { KeyConfig } from './keys/import-key-source.js';
export { KeySourceError } from './keys/key-source.js';
export type { ImportedKeySource, KeySource } from './keys/key-source.js';

export { ANONYMOUS } from './token/auth-state.js';
export type {
  AnonymousState,
  AuthenticatedState,
  AuthState,
  FailedState,
  Principal,
} from './token/auth-state.js';
export {
  assertCanonicalJws,
  assertStrictJsonPayload,
  MAX_JSON_DEPTH,
} from './token/assert-canonical-jws.js';
export {
  authenticate,
  authenticateCredentials,
  DEFAULT_MAX_TOKEN_BYTES,
} from './token/authenticate.js';
export type { AuthenticateOptions } from './token/authenticate.js';
export {
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  isStringListOf,
  MAX_CLOCK_TOLERANCE_SECONDS,
} from './token/check-claims-policy.js';
export type { ClaimValidator } from './token/check-claims-policy.js';
export { claimsToPrincipal, DEFAULT_PERMISSION_CLAIMS } from './token/claims-to-principal.js';
export type { ClaimPath } from './token/claims-to-principal.js';
export {
  createTokenVerifier,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
} from './token/create-token-verifier.js';
export type {
  TokenVerification,
  TokenVerifier,
  TokenVerifierOptions,
} from './token/create-token-verifier.js';
export {
  DEFAULT_CACHE_MAX_BYTES,
  DEFAULT_CACHE_MAX_ENTRIES,
} from './token/create-verified-token-cache.js';
export type { VerifiedTokenCacheOptions } from './token/create-verified-token-cache.js';
export { createMultiIssuerVerifier } from './token/create-multi-issuer-verifier.js';
export type {
  IssuerPolicy,
  MultiIssuerVerifierOptions,
} from './token/create-multi-issuer-verifier.js';
export { extractBearerToken } from './token/extract-bearer-token.js';
export { extractCookieToken } from './token/extract-cookie-token.js';
export type { BearerCredentials } from './token/extract-bearer-token.js';

export { checkRequirement, compileRequirement } from './policy/check-requirement.js';
export type { Decision, RequirementCheck } from './policy/check-requirement.js';
export { AUTHENTICATED, combineRequirements } from './policy/requirement.js';
export type { Requirement } from './policy/requirement.js';
export { formatRequirement, requirementImplies } from './policy/requirement-implies.js';

export {
  DEFAULT_RATE_LIMIT,
  decideRateLimit,
  FAILURE_KINDS,
  failureKindOf,
  normalizeRateLimit,
  parseRateLimit,
} from './policy/rate-limit.js';
export type { FailureKind, RateLimitDecision, RateLimitPolicy } from './policy/rate-limit.js';
export { decideRevocation, revocationClaimsOf } from './policy/revocation.js';
export type {
  RevocationClaims,
  RevocationDecision,
  RevocationStatus,
} from './policy/revocation.js';

export {
  createMemorySecurityStore,
  DEFAULT_MAX_OFFENDERS_PER_BUCKET,
  DEFAULT_MAX_TRACKED_CLIENTS,
} from './stores/memory-security-store.js';
export type {
  MemorySecurityStore,
  MemorySecurityStoreOptions,
  MemorySecurityStoreStats,
} from './stores/memory-security-store.js';
export {
  createRedisSecurityStore,
  DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
} from './stores/redis-security-store.js';
export type {
  RedisSecurityStore,
  RedisSecurityStoreOptions,
} from './stores/redis-security-store.js';
export type {
  ClientEntry,
  FailureEvent,
  LimitedClient,
  SecurityLookup,
  SecurityLookupResult,
  SecurityReport,
  SecurityReportQuery,
  SecurityStore,
} from './stores/security-store.js';

export {
  createSecurityMonitor,
  MAX_REVOCATION_HORIZON_SECONDS,
} from './security/create-security-monitor.js';
export type {
  FailMode,
  SecurityCheck,
  SecurityEvent,
  SecurityMonitor,
  SecurityMonitorOptions,
} from './security/create-security-monitor.js';
export { SecurityUnavailableError } from './security/security-unavailable-error.js';

export { applyAuthDirectives, REQUIREMENT_EXTENSION } from './directives/apply-auth-directives.js';
export type { ApplyAuthDirectivesOptions } from './directives/apply-auth-directives.js';
export { computeAccessMatrix, listPermissions } from './directives/access-matrix.js';
export { lintAuthSchema } from './directives/lint-auth-schema.js';
export type { LintFinding, LintOptions, LintRule } from './directives/lint-auth-schema.js';
export type {
  AccessMatrix,
  AccessMatrixOptions,
  FieldAccess,
  RequirementSource,
} from './directives/access-matrix.js';
export { authDirectivesTypeDefs } from './directives/auth-directives-type-defs.js';

export { explain } from './operations/explain-operation.js';
export type {
  Caller,
  DeniedField,
  Explanation,
  ExplainOptions,
} from './operations/explain-operation.js';
export { createOperationGuardPlugin } from './operations/create-operation-guard-plugin.js';
export type { OperationGuardPluginOptions } from './operations/create-operation-guard-plugin.js';

export type {
  AuthenticationEvent,
  AuthenticationOutcome,
  AuthObserver,
  DenialEvent,
} from './observer/auth-observer.js';

export { createAuthContext } from './context/create-auth-context.js';
export { createAuthStatusPlugin } from './context/create-auth-status-plugin.js';
export type { AuthStatusPluginOptions } from './context/create-auth-status-plugin.js';
export { clientKeyOf, createClientKeyResolver } from './context/create-client-key-resolver.js';
export type { RequestWithSocket, TrustProxyOptions } from './context/create-client-key-resolver.js';
export type {
  Authenticated,
  AuthContext,
  AuthContextOptions,
  AuthenticatedContext,
  RequestWithHeaders,
} from './context/create-auth-context.js';

export {
  createWsAuth,
  IS_REVOKED_TIMEOUT_MS,
  WS_CLOSE_FORBIDDEN,
  WS_CLOSE_INTERNAL_ERROR,
  WS_CLOSE_RATE_LIMITED,
  WS_CLOSE_TRY_AGAIN_LATER,
} from './context/create-ws-auth.js';
export type {
  ClosableSocket,
  WsAuth,
  WsAuthOptions,
  WsConnectionContext,
} from './context/create-ws-auth.js';
export {
  MAX_CONNECTION_AUTHORIZATION_LENGTH,
  readConnectionAuthorization,
} from './context/read-connection-authorization.js';
export type { ConnectionAuthorization } from './context/read-connection-authorization.js';
