import { GraphQLError } from 'graphql';
import { MAX_REVOCATION_HORIZON_SECONDS, type SecurityMonitor } from '../index.js';
import { createPubSub, type PubSub } from './create-pub-sub.js';
import type { Resolvers } from './generated/resolvers-types.js';

interface ArticleRecord {
  id: string;
  title: string;
  body: string;
  draftNotes: string;
}
interface CustomerRecord {
  id: string;
  name: string;
  balance: number;
}

/** The example server's in-memory data. One store per server instance. */
export interface ExampleData {
  readonly articles: ArticleRecord[];
  readonly customers: CustomerRecord[];
  readonly audit: { at: string; actor: string; action: string }[];
  /** Articles as they are published: the source of `Subscription.articlePublished`. */
  readonly published: PubSub<ArticleRecord>;
}

/** Fresh sample data. */
export function createExampleData(): ExampleData {
  return {
    articles: [
      {
        id: 'a1',
        title: 'Verifying JWTs once per request',
        body: 'Verify in the context, check in the field.',
        draftNotes: 'Add the benchmark table.',
      },
      {
        id: 'a2',
        title: 'Schema directives for access control',
        body: '@auth and @hasPermission compile to synchronous checks.',
        draftNotes: 'Mention interfaces.',
      },
    ],
    customers: [
      { id: 'c1', name: 'Ada Industries', balance: 1250.5 },
      { id: 'c2', name: 'Babbage & Co', balance: -40 },
    ],
    audit: [],
    published: createPubSub(),
  };
}

/** Resolvers of schema/example.graphql; claimgate's directives guard them, not these functions. */
export function createResolvers(data: ExampleData, security: SecurityMonitor): Resolvers {
  return {
    Query: {
      health: () => 'ok',
      me: (_parent, _args, { auth }) => auth.principal,
      adminReport: () => ({
        generatedAt: new Date().toISOString(),
        articleCount: data.articles.length,
        customerCount: data.customers.length,
      }),
      articles: () => data.articles,
      article: (_parent, { id }) => data.articles.find((a) => a.id === id) ?? null,
      search: (_parent, { term }) => {
        const needle = term.toLowerCase();
        return [
          ...data.articles.filter((a) => a.title.toLowerCase().includes(needle)),
          ...data.customers.filter((c) => c.name.toLowerCase().includes(needle)),
        ];
      },
      customers: () => data.customers,
      auditLog: () => data.audit,
      securityReport: () => security.report(),
    },
    Mutation: {
      publishArticle: (_parent, { title, body }, { auth }) => {
        const article = { id: `a${data.articles.length + 1}`, title, body, draftNotes: '' };
        data.articles.push(article);
        data.audit.push({
          at: new Date().toISOString(),
          actor: auth.principal.subject ?? 'unknown',
          action: `publishArticle ${article.id}`,
        });
        data.published.publish(article);
        return article;
      },
      revokeToken: async (_parent, { jti, exp, iss }, { auth }) => {
        if (jti.trim() === '') throw badInput('`jti` must be a non-empty token id.');
        if (exp !== null && exp !== undefined) {
          if (!Number.isFinite(exp) || exp > Date.now() / 1000 + MAX_REVOCATION_HORIZON_SECONDS) {
            throw badInput(
              '`exp` must be the token’s expiry in seconds since the epoch, at most ten years ahead (omit it for a token without exp).',
            );
          }
        }
        const issuer = issuerOf(iss);
        await security.revokeToken({
          jti,
          ...(exp === null || exp === undefined ? {} : { exp }),
          ...(issuer === undefined ? {} : { iss: issuer }),
        });
        data.audit.push({
          at: new Date().toISOString(),
          actor: auth.principal.subject ?? 'unknown',
          action: 'revokeToken',
        });
        return true;
      },
      revokeSubject: async (_parent, { sub, before, iss }, { auth }) => {
        if (sub.trim() === '') throw badInput('`sub` must be a non-empty subject.');
        if (before !== null && before !== undefined) {
          // A future moment would also refuse tokens not issued yet (as `claimgate revoke` refuses).
          if (!Number.isFinite(before) || before < 0 || before > Date.now() / 1000 + 1) {
            throw badInput('`before` must be seconds since the epoch, not in the future.');
          }
        }
        const issuer = issuerOf(iss);
        await security.revokeSubject({
          sub,
          ...(before === null || before === undefined ? {} : { before }),
          ...(issuer === undefined ? {} : { iss: issuer }),
        });
        data.audit.push({
          at: new Date().toISOString(),
          actor: auth.principal.subject ?? 'unknown',
          action: 'revokeSubject',
        });
        return true;
      },
    },
    FailureCounts: {
      invalidSignature: (counts) => counts['invalid-signature'],
    },
    Subscription: {
      articlePublished: {
        // Runs only after @hasPermission allowed the caller: no stream is opened for a denial.
        subscribe: () => data.published.subscribe(),
        resolve: (article: ArticleRecord) => article,
      },
    },
    Me: {
      sub: (principal) => principal.subject ?? null,
      permissions: (principal) => [...principal.permissions].sort(),
    },
    SearchResult: {
      __resolveType: (item) => ('balance' in item ? 'Customer' : 'Article'),
    },
    Node: {
      __resolveType: (item) => ('balance' in item ? 'Customer' : 'Article'),
    },
    Billable: {
      __resolveType: () => 'Customer',
    },
  };
}

/** The `iss` argument of a revocation: omitted or null for every issuer, else non-empty. */
function issuerOf(iss: string | null | undefined): string | undefined {
  if (iss === null || iss === undefined) return undefined;
  if (iss.trim() === '')
    throw badInput('`iss` must be a non-empty issuer, or omitted for every issuer.');
  return iss;
}

/** An admin's invalid argument: `BAD_USER_INPUT` (Apollo's code for it), never a 500. */
function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}
