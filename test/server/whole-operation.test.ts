import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadServerConfig } from '../../src/server/load-server-config.js';
import { startExampleServer, type ExampleServer } from '../../src/server/start-example-server.js';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import { generateTestSecret, mintToken, secretBytes } from '../helpers/keys.js';

const PUBLISH = 'mutation { publishArticle(title: "T", body: "B") { id } }';

describe('the example server with AUTH_WHOLE_OPERATION=true', () => {
  const secret = generateTestSecret();
  let server: ExampleServer;
  beforeAll(async () => {
    server = await startExampleServer(
      loadServerConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        JWT_SECRET: secret,
        AUTH_WHOLE_OPERATION: 'true',
      }),
    );
  });
  afterAll(() => server.close());
  const token = (permissions: string[]) =>
    mintToken({ alg: 'HS256', key: secretBytes(secret), claims: { sub: 'w', permissions } });

  it('refuses a forbidden mutation with 403 before its resolver runs', async () => {
    const before = await postGraphQL(server.url, { query: '{ articles { id } }' });
    const response = await postGraphQL(server.url, { query: PUBLISH, token: await token([]) });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="admin articles:write"',
    );
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    const after = await postGraphQL(server.url, { query: '{ articles { id } }' });
    expect(after.body.data).toEqual(before.body.data);
  });

  it('refuses a query selecting a protected field instead of answering it partially', async () => {
    const response = await postGraphQL(server.url, { query: '{ health me { sub } }' });
    expect(response.status).toBe(401);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors?.[0]?.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      coordinate: 'Query.me',
    });
  });

  it('runs an allowed operation', async () => {
    const response = await postGraphQL(server.url, {
      query: PUBLISH,
      token: await token(['articles:write']),
    });
    expect(response.status).toBe(200);
    expect(response.body.data?.['publishArticle']).toEqual({ id: expect.any(String) as string });
  });

  it('is off by default and refuses a value other than true or false', () => {
    expect(loadServerConfig({}).wholeOperation).toBe(false);
    expect(() => loadServerConfig({ AUTH_WHOLE_OPERATION: 'yes' })).toThrow(ConfigError);
  });
});
