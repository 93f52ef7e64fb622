import type { GraphQLResolveInfo } from 'graphql';
import type { MeModel, SecurityReportModel, FailureCountsModel, ServerContext, Authenticated } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
};

export type AdminReport = {
  __typename?: 'AdminReport';
  articleCount: Scalars['Int']['output'];
  customerCount: Scalars['Int']['output'];
  generatedAt: Scalars['String']['output'];
};

export type Article = Node & {
  __typename?: 'Article';
  /** Signed-in readers only. */
  body?: Maybe<Scalars['String']['output']>;
  /** Writers or administrators. */
  draftNotes?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  title: Scalars['String']['output'];
};

export type AuditEntry = {
  __typename?: 'AuditEntry';
  action: Scalars['String']['output'];
  actor: Scalars['String']['output'];
  at: Scalars['String']['output'];
};

/** The stable codes claimgate puts in `extensions.code` of the errors it raises. */
export type AuthErrorCode =
  /** The keys to verify the token, or the rate-limit/revocation store, cannot be reached right now: retry later, keep the token. HTTP 503. */
  | 'AUTH_UNAVAILABLE'
  /** The request's credentials are malformed (e.g. two Authorization headers). HTTP 400. */
  | 'BAD_REQUEST'
  /** Authenticated, but a required permission is missing. HTTP 403. */
  | 'FORBIDDEN'
  /** Too many failed authentications from this client: retry after `extensions.retryAfter` seconds. HTTP 429. */
  | 'RATE_LIMITED'
  /** The token verified but has expired: refresh it and retry. HTTP 401. */
  | 'TOKEN_EXPIRED'
  /** The token cannot be trusted: sign in again. HTTP 401. */
  | 'TOKEN_INVALID'
  /** The token verified but was revoked: sign in again. HTTP 401. */
  | 'TOKEN_REVOKED'
  /** No credentials were sent and the field needs them. HTTP 401. */
  | 'UNAUTHENTICATED';

/** Anything with money figures: every implementing type's Billable fields need billing:read. */
export type Billable = {
  balance?: Maybe<Scalars['Float']['output']>;
};

/** Every field needs an authenticated caller (type-level @auth). */
export type Customer = Billable & Node & {
  __typename?: 'Customer';
  balance?: Maybe<Scalars['Float']['output']>;
  id: Scalars['ID']['output'];
  name?: Maybe<Scalars['String']['output']>;
};

export type FailureCounts = {
  __typename?: 'FailureCounts';
  expired: Scalars['Int']['output'];
  invalidSignature: Scalars['Int']['output'];
  malformed: Scalars['Int']['output'];
  other: Scalars['Int']['output'];
};

export type LimitedClient = {
  __typename?: 'LimitedClient';
  clientKey: Scalars['String']['output'];
  retryAfterSeconds: Scalars['Int']['output'];
};

/** The authenticated caller. */
export type Me = {
  __typename?: 'Me';
  /** Every permission the token grants. */
  permissions: Array<Scalars['String']['output']>;
  /** The token's `sub` claim. */
  sub?: Maybe<Scalars['String']['output']>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Writers or administrators. */
  publishArticle?: Maybe<Article>;
  /**
   * Revokes every token of a subject issued before `before` (seconds since the epoch; default now:
   * sign-out everywhere). A moment in the future is refused. With `iss`, only that issuer's tokens of
   * the subject; without it, those of every issuer. Administrators only.
   */
  revokeSubject?: Maybe<Scalars['Boolean']['output']>;
  /**
   * Revokes one token by its `jti` until its `exp` (seconds since the epoch, at most ten years ahead).
   * Without `exp` (a token that has none) the entry is kept one day, the longest token lifetime the
   * server accepts. With `iss`, only that issuer's token with this `jti`; without it, any issuer's.
   * Invalid input is BAD_USER_INPUT. Administrators only.
   */
  revokeToken?: Maybe<Scalars['Boolean']['output']>;
};


export type MutationPublishArticleArgs = {
  body: Scalars['String']['input'];
  title: Scalars['String']['input'];
};


export type MutationRevokeSubjectArgs = {
  before?: InputMaybe<Scalars['Float']['input']>;
  iss?: InputMaybe<Scalars['String']['input']>;
  sub: Scalars['String']['input'];
};


export type MutationRevokeTokenArgs = {
  exp?: InputMaybe<Scalars['Float']['input']>;
  iss?: InputMaybe<Scalars['String']['input']>;
  jti: Scalars['String']['input'];
};

export type Node = {
  id: Scalars['ID']['output'];
};

export type Offender = {
  __typename?: 'Offender';
  attempts: Scalars['Int']['output'];
  clientKey: Scalars['String']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** Administrators only. */
  adminReport?: Maybe<AdminReport>;
  /** Public lookup by id. */
  article?: Maybe<Article>;
  /** Public list; some fields of Article are protected. */
  articles: Array<Article>;
  /** Needs both audit:read and admin. */
  auditLog?: Maybe<Array<AuditEntry>>;
  /** Customers need an authenticated caller; their balances need billing:read (via Billable). */
  customers?: Maybe<Array<Customer>>;
  /** Public: answers without credentials. */
  health: Scalars['String']['output'];
  /** The caller, as their verified token describes them. */
  me?: Maybe<Me>;
  /**
   * Public search over a union. Protected fields stay protected through fragments: a Customer (type-level
   * @auth) comes back as null with an error for an anonymous caller, which is why the items are nullable.
   */
  search: Array<Maybe<SearchResult>>;
  /** Failed authentications over the rate-limit window. Administrators only. */
  securityReport?: Maybe<SecurityReport>;
};


export type QueryArticleArgs = {
  id: Scalars['ID']['input'];
};


export type QuerySearchArgs = {
  term: Scalars['String']['input'];
};

export type SearchResult = Article | Customer;

/** Failed authentications over the rate-limit window, across every instance sharing the store. */
export type SecurityReport = {
  __typename?: 'SecurityReport';
  failuresByKind: FailureCounts;
  generatedAt: Scalars['String']['output'];
  /** Clients limited now. */
  limitedClientCount: Scalars['Int']['output'];
  /** The limited clients with the longest wait (bounded). */
  limitedClients: Array<LimitedClient>;
  /** Requests refused with RATE_LIMITED within the window. */
  refusedRequests: Scalars['Int']['output'];
  /** The clients with the most failed or refused attempts within the window (bounded). */
  topOffenders: Array<Offender>;
  /** The window the counts cover, in seconds (granularity: a sixth of it). */
  windowSeconds: Scalars['Int']['output'];
};

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Each article as it is published (over WebSocket, graphql-ws). Readers or administrators; the
   * connection ends with TOKEN_EXPIRED when its token expires.
   */
  articlePublished: Article;
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;



/** Mapping of union types */
export type ResolversUnionTypes<_RefType extends Record<string, unknown>> = {
  SearchResult:
    | ( Article )
    | ( Customer )
  ;
};

/** Mapping of interface types */
export type ResolversInterfaceTypes<_RefType extends Record<string, unknown>> = {
  Billable: ( Customer );
  Node:
    | ( Article )
    | ( Customer )
  ;
};

/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  AdminReport: ResolverTypeWrapper<AdminReport>;
  Article: ResolverTypeWrapper<Article>;
  AuditEntry: ResolverTypeWrapper<AuditEntry>;
  AuthErrorCode: AuthErrorCode;
  Billable: ResolverTypeWrapper<ResolversInterfaceTypes<ResolversTypes>['Billable']>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Customer: ResolverTypeWrapper<Customer>;
  FailureCounts: ResolverTypeWrapper<FailureCountsModel>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  LimitedClient: ResolverTypeWrapper<LimitedClient>;
  Me: ResolverTypeWrapper<MeModel>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Node: ResolverTypeWrapper<ResolversInterfaceTypes<ResolversTypes>['Node']>;
  Offender: ResolverTypeWrapper<Offender>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  SearchResult: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['SearchResult']>;
  SecurityReport: ResolverTypeWrapper<SecurityReportModel>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  AdminReport: AdminReport;
  Article: Article;
  AuditEntry: AuditEntry;
  Billable: ResolversInterfaceTypes<ResolversParentTypes>['Billable'];
  Boolean: Scalars['Boolean']['output'];
  Customer: Customer;
  FailureCounts: FailureCountsModel;
  Float: Scalars['Float']['output'];
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  LimitedClient: LimitedClient;
  Me: MeModel;
  Mutation: Record<PropertyKey, never>;
  Node: ResolversInterfaceTypes<ResolversParentTypes>['Node'];
  Offender: Offender;
  Query: Record<PropertyKey, never>;
  SearchResult: ResolversUnionTypes<ResolversParentTypes>['SearchResult'];
  SecurityReport: SecurityReportModel;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
};

export type AuthDirectiveArgs = { };

export type AuthDirectiveResolver<Result, Parent, ContextType = ServerContext, Args = AuthDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type HasPermissionDirectiveArgs = {
  allOf?: Maybe<Array<Scalars['String']['input']>>;
  anyOf?: Maybe<Array<Scalars['String']['input']>>;
  permission?: Maybe<Scalars['String']['input']>;
};

export type HasPermissionDirectiveResolver<Result, Parent, ContextType = ServerContext, Args = HasPermissionDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type PublicDirectiveArgs = { };

export type PublicDirectiveResolver<Result, Parent, ContextType = ServerContext, Args = PublicDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type AdminReportResolvers<ContextType = ServerContext, ParentType extends ResolversParentTypes['AdminReport'] = ResolversParentTypes['AdminReport']> = {
  articleCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  customerCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  generatedAt?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type ArticleResolvers<ContextType = ServerContext, ParentType extends ResolversParentTypes['Article'] = ResolversParentTypes['Article']> = {
  body?: Resolver<Maybe<ResolversTypes['String']>, ParentType, Authenticated<ContextType>>;
  draftNotes?: Resolver<Maybe<ResolversTypes['String']>, ParentType, Authenticated<ContextType>>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  title?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type AuditEntryResolvers<ContextType = ServerContext, ParentType extends ResolversParentTypes['AuditEntry'] = ResolversParentTypes['AuditEntry']> = {
  action?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  actor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  at?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type BillableResolvers<ContextType = ServerContext, ParentType extends ResolversParentTypes['Billable'] = ResolversParentTypes['Billable']> = {
  __resolveType: TypeResolveFn<'Customer', ParentType, ContextType>;
};

export type CustomerResolvers<ContextType = ServerContext, ParentType extends ResolversParentTypes['Customer'] = ResolversParentTypes['Customer']> = {
  balance?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type FailureCountsResolvers<ContextType = ServerContext, ParentType extends ResolversParentTypes['FailureCounts'] = ResolversParentTypes['FailureCounts']> = {
  expired?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  invalidSignature?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  malformed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  other?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type LimitedClientResolvers<ContextType = ServerContext, ParentType extends ResolversParentTypes['LimitedClient'] = ResolversParentTypes['LimitedClient']> = {
  clientKey?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  retryAfterSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type MeResolvers<ContextType = ServerContext, ParentType extends ResolversParentTypes['Me'] = ResolversParentTypes['Me']> = {
  permissions?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  sub?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type MutationResolvers<ContextType = ServerContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  publishArticle?: Resolver<Maybe<ResolversTypes['Article']>, ParentType, Authenticated<ContextType>, RequireFields<MutationPublishArticleArgs, 'body' | 'title'>>;
  revokeSubject?: Resolver<Maybe<ResolversTypes['Boolean']>, ParentType, Authenticated<ContextType>, RequireFields<MutationRevokeSubjectArgs, 'sub'>>;
  revokeToken?: Resolver<Maybe<ResolversTypes['Boolean']>, ParentType, Authenticated<ContextType>, RequireFields<MutationRevokeTokenArgs, 'jti'>>;
};

export type NodeResolvers<ContextType = ServerContext, ParentType extends ResolversParentTypes['Node'] = ResolversParentTypes['Node']> = {
  __resolveType: TypeResolveFn<'Article' | 'Customer', ParentType, ContextType>;
};

export type OffenderResolvers<ContextType = ServerContext, ParentType extends ResolversParentTypes['Offender'] = ResolversParentTypes['Offender']> = {
  attempts?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  clientKey?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = ServerContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  adminReport?: Resolver<Maybe<ResolversTypes['AdminReport']>, ParentType, Authenticated<ContextType>>;
  article?: Resolver<Maybe<ResolversTypes['Article']>, ParentType, ContextType, RequireFields<QueryArticleArgs, 'id'>>;
  articles?: Resolver<Array<ResolversTypes['Article']>, ParentType, ContextType>;
  auditLog?: Resolver<Maybe<Array<ResolversTypes['AuditEntry']>>, ParentType, Authenticated<ContextType>>;
  customers?: Resolver<Maybe<Array<ResolversTypes['Customer']>>, ParentType, Authenticated<ContextType>>;
  health?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  me?: Resolver<Maybe<ResolversTypes['Me']>, ParentType, Authenticated<ContextType>>;
  search?: Resolver<Array<Maybe<ResolversTypes['SearchResult']>>, ParentType, ContextType, RequireFields<QuerySearchArgs, 'term'>>;
  securityReport?: Resolver<Maybe<ResolversTypes['SecurityReport']>, ParentType, Authenticated<ContextType>>;
};

export type SearchResultResolvers<ContextType = ServerContext, ParentType extends ResolversParentTypes['SearchResult'] = ResolversParentTypes['SearchResult']> = {
  __resolveType: TypeResolveFn<'Article' | 'Customer', ParentType, ContextType>;
};

export type SecurityReportResolvers<ContextType = ServerContext, ParentType extends ResolversParentTypes['SecurityReport'] = ResolversParentTypes['SecurityReport']> = {
  failuresByKind?: Resolver<ResolversTypes['FailureCounts'], ParentType, ContextType>;
  generatedAt?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  limitedClientCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  limitedClients?: Resolver<Array<ResolversTypes['LimitedClient']>, ParentType, ContextType>;
  refusedRequests?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  topOffenders?: Resolver<Array<ResolversTypes['Offender']>, ParentType, ContextType>;
  windowSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = ServerContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  articlePublished?: SubscriptionResolver<ResolversTypes['Article'], "articlePublished", ParentType, Authenticated<ContextType>>;
};

export type Resolvers<ContextType = ServerContext> = {
  AdminReport?: AdminReportResolvers<ContextType>;
  Article?: ArticleResolvers<ContextType>;
  AuditEntry?: AuditEntryResolvers<ContextType>;
  Billable?: BillableResolvers<ContextType>;
  Customer?: CustomerResolvers<ContextType>;
  FailureCounts?: FailureCountsResolvers<ContextType>;
  LimitedClient?: LimitedClientResolvers<ContextType>;
  Me?: MeResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Node?: NodeResolvers<ContextType>;
  Offender?: OffenderResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  SearchResult?: SearchResultResolvers<ContextType>;
  SecurityReport?: SecurityReportResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
};

export type DirectiveResolvers<ContextType = ServerContext> = {
  auth?: AuthDirectiveResolver<any, any, ContextType>;
  hasPermission?: HasPermissionDirectiveResolver<any, any, ContextType>;
  public?: PublicDirectiveResolver<any, any, ContextType>;
};
