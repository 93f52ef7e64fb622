/**
 * An access requirement in conjunctive normal form: the caller must be authenticated, and for every
 * clause hold at least one of its permissions. `{ clauses: [] }` is plain authentication (`@auth`).
 *
 * `@hasPermission(permission: "a")` is `[["a"]]`, `anyOf: ["a","b"]` is `[["a","b"]]`, and
 * `allOf: ["a","b"]` is `[["a"],["b"]]`; requirements combine with AND by concatenating clauses.
 */
export interface Requirement {
  readonly clauses: readonly (readonly string[])[];
}

/** Plain authentication, no permission. */
export const AUTHENTICATED: Requirement = Object.freeze({ clauses: Object.freeze([]) });

/** The AND of `requirements`: duplicate clauses are dropped, order is kept. */
export function combineRequirements(...requirements: readonly Requirement[]): Requirement {
  const seen = new Set<string>();
  const clauses: (readonly string[])[] = [];
  for (const requirement of requirements) {
    for (const clause of requirement.clauses) {
      const normalised = [...new Set(clause)].sort();
      const key = JSON.stringify(normalised);
      if (seen.has(key)) continue;
      seen.add(key);
      clauses.push(Object.freeze(normalised));
    }
  }
  return Object.freeze({ clauses: Object.freeze(clauses) });
}
