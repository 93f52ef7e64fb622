import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyAuthDirectives,
  authDirectivesTypeDefs,
  createTokenVerifier,
} from '../../src/index.js';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import { generateTestKeyPair, mintToken, type TestKeyPair } from '../helpers/keys.js';
import { startTestApi, type TestApi } from '../helpers/start-test-api.js';

const typeDefs = `
  type Query {
    health: String @public
    me: String
    catalog: Catalog @public
    report: String @hasPermission(permission: "admin")
  }
  type Catalog @public {
    title: String
    price: Float @hasPermission(permission: "prices")
    owner: Owner
  }
  type Owner { name: String }
`;
const resolvers = {
  Query: {
    health: () => 'ok',
    me: () => 'me',
    catalog: () => ({ title: 'Catalog', price: 1, owner: { name: 'Ada' } }),
    report: () => 'report',
  },
};

describe('applyAuthDirectives with denyByDefault', () => {
  let keys: TestKeyPair;
  let api: TestApi;
  beforeAll(async () => {
    keys = await generateTestKeyPair('ES256');
    const verifier = await createTokenVerifier({
      algorithms: ['ES256'],
      key: { publicKey: keys.publicKeyPem },
    });
    api = await startTestApi({
      typeDefs,
      resolvers,
      context: { verifier },
      directives: { denyByDefault: true },
    });
  });
  afterAll(() => api.stop());

  it('requires authentication for a field that is not @public', async () => {
    const response = await postGraphQL(api.url, { query: '{ health me }' });
    expect(response.body.data).toEqual({ health: 'ok', me: null });
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('exempts the fields of a @public type but keeps their declared requirements', async () => {
    const response = await postGraphQL(api.url, {
      query: '{ catalog { title price owner { name } } }',
    });
    expect(response.body.data).toEqual({
      catalog: { title: 'Catalog', price: null, owner: { name: null } },
    });
    expect(response.body.errors?.map((e) => e.extensions?.['coordinate'])).toEqual([
      'Catalog.price',
      'Owner.name',
    ]);
  });

  it('resolves every field for an authenticated caller with the permissions', async () => {
    const token = await mintToken({
      alg: 'ES256',
      key: keys.privateKey,
      claims: { sub: 'u', permissions: ['admin', 'prices'] },
    });
    const response = await postGraphQL(api.url, {
      query: '{ me report catalog { price owner { name } } }',
      token,
    });
    expect(response.body).toEqual({
      data: { me: 'me', report: 'report', catalog: { price: 1, owner: { name: 'Ada' } } },
    });
  });

  it('keeps introspection reachable without credentials', async () => {
    const response = await postGraphQL(api.url, {
      query:
        '{ __schema { queryType { name } types { name } } __type(name: "Owner") { name } __typename }',
    });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.['__type']).toEqual({ name: 'Owner' });
  });

  it('leaves the schema public by default', () => {
    const schema = applyAuthDirectives(
      makeExecutableSchema({ typeDefs: [authDirectivesTypeDefs, typeDefs] }),
    );
    expect(
      schema.getQueryType()?.getFields()['me']?.extensions['claimgateRequirement'],
    ).toBeUndefined();
  });
});

describe('authDirectivesTypeDefs', () => {
  it('equals schema/auth.graphql, @public included', () => {
    const file = readFileSync(new URL('../../schema/auth.graphql', import.meta.url), 'utf8');
    expect(authDirectivesTypeDefs).toBe(file);
    expect(file).toContain('directive @public on OBJECT | FIELD_DEFINITION');
  });
});
