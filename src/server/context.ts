import type {
  AuthContext,
  Authenticated as AuthenticatedOf,
  Principal,
  SecurityReport,
} from '../index.js';

/** The example server's GraphQL context: claimgate's `context.auth`. */
export type ServerContext = AuthContext;

/** The context inside guarded fields (codegen's `directiveContextTypes`): a non-null principal. */
export type Authenticated<TContext> = AuthenticatedOf<TContext>;

/** `Me` resolves from the verified principal. */
export type MeModel = Principal;

/** `SecurityReport` resolves from the library's report. */
export type SecurityReportModel = SecurityReport;

/** `FailureCounts` resolves from the report's counts by kind. */
export type FailureCountsModel = SecurityReport['failuresByKind'];
