import type { Requirement } from './requirement.js';

/**
 * Whether every caller who satisfies `stronger` also satisfies `weaker`, decided on the clauses
 * alone: each clause of `weaker` must contain some clause of `stronger` (holding one permission of
 * the smaller clause then holds one of the larger). `undefined` is "public": it implies only itself.
 */
export function requirementImplies(
  stronger: Requirement | undefined,
  weaker: Requirement | undefined,
): boolean {
  if (weaker === undefined) return true;
  if (stronger === undefined) return false;
  return weaker.clauses.every((clause) =>
    stronger.clauses.some((held) => held.every((permission) => clause.includes(permission))),
  );
}

/**
 * A requirement in words for tables and messages: `public`, `authenticated`, or its clauses joined
 * with `AND`, each clause's permissions with `OR` (`billing:read AND (admin OR audit:read)`).
 */
export function formatRequirement(requirement: Requirement | undefined): string {
  if (requirement === undefined) return 'public';
  if (requirement.clauses.length === 0) return 'authenticated';
  return requirement.clauses
    .map((clause) =>
      clause.length === 1 || requirement.clauses.length === 1
        ? clause.join(' OR ')
        : `(${clause.join(' OR ')})`,
    )
    .join(' AND ');
}
