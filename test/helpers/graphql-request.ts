/** What a GraphQL request over HTTP came back with. */
export interface GraphQLHttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: {
      message: string;
      path?: (string | number)[];
      extensions?: Record<string, unknown>;
    }[];
  };
}

/** Options of {@link postGraphQL}. */
export interface PostGraphQLOptions {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Extra or overriding headers (e.g. a raw `authorization`). */
  readonly headers?: Record<string, string>;
  /** Aborts the request (e.g. `AbortSignal.timeout(ms)`), so a hang fails the test. */
  readonly signal?: AbortSignal;
}

/** POSTs a GraphQL operation to `url` (a real HTTP request on loopback). */
export async function postGraphQL(
  url: string,
  options: PostGraphQLOptions,
): Promise<GraphQLHttpResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  Object.assign(headers, options.headers);
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: options.query, variables: options.variables }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const text = await response.text();
  let body: GraphQLHttpResponse['body'];
  try {
    body = JSON.parse(text) as GraphQLHttpResponse['body'];
  } catch {
    throw new Error(`non-JSON response (${response.status}): ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, body };
}

/** The `extensions.code` of each error, in order. */
export function errorCodes(response: GraphQLHttpResponse): unknown[] {
  return (response.body.errors ?? []).map((error) => error.extensions?.['code']);
}
