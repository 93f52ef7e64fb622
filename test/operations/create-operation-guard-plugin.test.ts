import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOperationGuardPlugin,
  createTokenVerifier,
  type DeniedField,
} from '../../src/index.js';
import { buildSchema, readFixture } from '../helpers/build-guarded-schema.js';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { createLibraryResolvers, type ResolverCalls } from '../helpers/library-resolvers.js';
import { startTestApi, type TestApi } from '../helpers/start-test-api.js';

const typeDefs = readFixture('library.graphql');
const PUBLISH = 'mutation { publish(title: "New") { id title } }';

describe('createOperationGuardPlugin', () => {
  let issuer: TestIssuer;
  let guarded: TestApi;
  let fieldLevel: TestApi;
  const calls: ResolverCalls = { publish: 0 };
  const rejected: DeniedField[] = [];

  beforeAll(async () => {
    issuer = await createTestIssuer();
    const verifier = await createTokenVerifier(issuer.verifierOptions());
    const resolvers = createLibraryResolvers(calls);
    guarded = await startTestApi({
      typeDefs,
      resolvers,
      context: { verifier },
      plugins: [
        createOperationGuardPlugin({ realm: 'api', onReject: (denied) => rejected.push(denied) }),
      ],
    });
    fieldLevel = await startTestApi({ typeDefs, resolvers, context: { verifier } });
  });
  afterAll(async () => {
    await guarded.stop();
    await fieldLevel.stop();
  });

  const token = (permissions: string[]) => issuer.mint({ permissions });

  it('rejects an anonymous forbidden mutation with 401 before its resolver runs', async () => {
    const before = calls.publish;
    const response = await postGraphQL(guarded.url, { query: PUBLISH });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors?.[0]?.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      coordinate: 'Mutation.publish',
    });
    expect(calls.publish).toBe(before);
  });

  it('rejects a caller lacking a permission with 403 and insufficient_scope', async () => {
    const before = calls.publish;
    const response = await postGraphQL(guarded.url, { query: PUBLISH, token: await token([]) });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="insufficient_scope", scope="admin docs:write"',
    );
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(calls.publish).toBe(before);
    expect(rejected.at(-1)).toMatchObject({ coordinate: 'Mutation.publish', code: 'FORBIDDEN' });
  });

  it('rejects an expired token with 401 invalid_token', async () => {
    const response = await postGraphQL(guarded.url, {
      query: '{ open secret }',
      token: await issuer.mintExpired(),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(errorCodes(response)).toEqual(['TOKEN_EXPIRED']);
  });

  it('runs an allowed mutation', async () => {
    const before = calls.publish;
    const response = await postGraphQL(guarded.url, {
      query: PUBLISH,
      token: await token(['docs:write']),
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { publish: { id: 'd1', title: 'New' } } });
    expect(calls.publish).toBe(before + 1);
  });

  it('rejects a denied field selected through a union fragment', async () => {
    const response = await postGraphQL(guarded.url, {
      query: '{ items { ... on Doc { title } ... on Invoice { total } } }',
    });
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0]?.extensions?.['coordinate']).toBe('Invoice.total');
  });

  it('lets an operation through when @skip removes the denied field', async () => {
    const response = await postGraphQL(guarded.url, {
      query: 'query ($s: Boolean!) { open secret @skip(if: $s) }',
      variables: { s: true },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { open: 'open' } });
  });

  it('leaves field-level partial results as the default without the plugin', async () => {
    const before = calls.publish;
    const response = await postGraphQL(fieldLevel.url, { query: '{ open secret }' });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ open: 'open', secret: null });
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(calls.publish).toBe(before);
  });

  it('refuses to start with a schema that applyAuthDirectives did not return', async () => {
    const server = new ApolloServer({
      schema: buildSchema(typeDefs),
      plugins: [createOperationGuardPlugin()],
    });
    await expect(server.start()).rejects.toThrow(/applyAuthDirectives/);
  });

  it('throws a TypeError at creation for an invalid realm', () => {
    expect(() => createOperationGuardPlugin({ realm: 'a"b' })).toThrow(TypeError);
  });
});
