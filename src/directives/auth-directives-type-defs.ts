/**
 * The SDL of claimgate's directives and of the `AuthErrorCode` enum, to add to your type
 * definitions. The same text ships as `claimgate/schema/auth.graphql`; a test keeps them equal.
 */
export const authDirectivesTypeDefs = `"""
Requires an authenticated caller (a Bearer token that verified). On a type or an interface it
applies to every field of the type, and to the matching fields of every implementing type.
"""
directive @auth on OBJECT | INTERFACE | FIELD_DEFINITION

"""
Requires an authenticated caller holding permissions. Takes exactly one argument: \`permission\`
(this one), \`anyOf\` (at least one of these) or \`allOf\` (every one of these). Repeating the
directive means AND. Implies @auth.
"""
directive @hasPermission(
  permission: String
  anyOf: [String!]
  allOf: [String!]
) repeatable on OBJECT | INTERFACE | FIELD_DEFINITION

"""
Marks a field, or every field of a type, as reachable without credentials. Only meaningful with
deny-by-default (\`applyAuthDirectives(schema, { denyByDefault: true })\`): it exempts the field from
the default requirement. It never weakens @auth or @hasPermission, and is not inherited from
interfaces.
"""
directive @public on OBJECT | FIELD_DEFINITION

"""
The stable codes claimgate puts in \`extensions.code\` of the errors it raises.
"""
enum AuthErrorCode {
  "No credentials were sent and the field needs them. HTTP 401."
  UNAUTHENTICATED
  "The token verified but has expired: refresh it and retry. HTTP 401."
  TOKEN_EXPIRED
  "The token cannot be trusted: sign in again. HTTP 401."
  TOKEN_INVALID
  "Authenticated, but a required permission is missing. HTTP 403."
  FORBIDDEN
  "The request's credentials are malformed (e.g. two Authorization headers). HTTP 400."
  BAD_REQUEST
  "The keys to verify the token, or the rate-limit/revocation store, cannot be reached right now: retry later, keep the token. HTTP 503."
  AUTH_UNAVAILABLE
  "Too many failed authentications from this client: retry after \`extensions.retryAfter\` seconds. HTTP 429."
  RATE_LIMITED
  "The token verified but was revoked: sign in again. HTTP 401."
  TOKEN_REVOKED
}
`;
