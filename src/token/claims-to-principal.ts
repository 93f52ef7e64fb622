import type { JWTPayload } from 'jose';
import { TokenInvalidError } from '../errors/auth-error.js';
import type { Principal } from './auth-state.js';

/**
 * Where a claim lives in the payload. A string is split on `.` (`"realm_access.roles"`); an array
 * names each segment exactly, for claim names that contain dots (`["https://example.com/roles"]`).
 */
export type ClaimPath = string | readonly string[];

/** The claims permissions are read from by default: `permissions` (array) and `scope` (string). */
export const DEFAULT_PERMISSION_CLAIMS: readonly ClaimPath[] = Object.freeze([
  'permissions',
  'scope',
]);

/** Claim paths compiled once, at start-up. */
export interface CompiledClaimPath {
  readonly segments: readonly string[];
  readonly name: string;
}

/**
 * Compiles claim paths once.
 * @throws TypeError for an empty path or segment.
 */
export function compileClaimPaths(paths: readonly ClaimPath[]): readonly CompiledClaimPath[] {
  return paths.map((path) => {
    const segments = typeof path === 'string' ? path.split('.') : [...path];
    if (segments.length === 0 || segments.some((s) => typeof s !== 'string' || s.length === 0)) {
      throw new TypeError(
        `claimgate: invalid permission claim path ${JSON.stringify(path)}; use "name", "a.b" or ["a", "b"].`,
      );
    }
    return { segments, name: segments.join('.') };
  });
}

function read(payload: JWTPayload, segments: readonly string[]): unknown {
  let value: unknown = payload;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    // Own properties only: a claim named "__proto__" or "constructor" must not reach the prototype.
    if (!Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * Builds the {@link Principal} of a verified payload. Each permission claim may be an array of
 * strings or a space-delimited string (RFC 8693 §4.2 `scope`); they are merged into one Set.
 * @throws TokenInvalidError (`TOKEN_INVALID`, reason `permissions-claim`) when a permission claim
 *   has another type, and (reason `claim`) when `sub` or `iss` is present but not a string.
 */
export function claimsToPrincipal(
  payload: JWTPayload,
  permissionClaims: readonly CompiledClaimPath[],
): Principal {
  const permissions: string[] = [];
  for (const path of permissionClaims) {
    const value = read(payload, path.segments);
    if (value === undefined) continue;
    if (typeof value === 'string') {
      for (const permission of value.split(' '))
        if (permission !== '') permissions.push(permission);
    } else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
      permissions.push(...value);
    } else {
      throw new TokenInvalidError('permissions-claim', { claim: path.name });
    }
  }
  const { sub, iss } = payload;
  if (sub !== undefined && typeof sub !== 'string')
    throw new TokenInvalidError('claim', { claim: 'sub' });
  if (iss !== undefined && typeof iss !== 'string')
    throw new TokenInvalidError('claim', { claim: 'iss' });
  // A verified principal may be cached and shared by later requests with the same token: nothing a
  // resolver does to it (its permissions, its claims at any depth) may reach the next request.
  return Object.freeze({
    subject: sub,
    issuer: iss,
    permissions: new ReadonlyPermissionSet(permissions),
    claims: deepFreeze(payload),
  });
}

/** A Set of permissions that refuses changes once built (a frozen Set still accepts `add`). */
class ReadonlyPermissionSet extends Set<string> {
  readonly #sealed: boolean;

  constructor(values: readonly string[]) {
    super();
    for (const value of values) super.add(value);
    this.#sealed = true;
  }

  override add(value: string): this {
    if (this.#sealed) throw readOnly();
    return super.add(value);
  }

  override delete(): boolean {
    throw readOnly();
  }

  override clear(): void {
    throw readOnly();
  }
}

function readOnly(): TypeError {
  return new TypeError("claimgate: a principal's permissions are read-only.");
}

/** Freezes a parsed JSON value and everything in it (plain objects and arrays only). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
