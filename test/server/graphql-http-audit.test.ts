import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/server/load-server-config.js';
import { startExampleServer, type ExampleServer } from '../../src/server/start-example-server.js';

describe('the example server against the GraphQL-over-HTTP audit suite', () => {
  let server: ExampleServer;
  beforeAll(async () => {
    server = await startExampleServer(loadServerConfig({ PORT: '0', HOST: '127.0.0.1' }));
  });
  afterAll(() => server.close());

  it('passes every MUST audit of graphql-http', async () => {
    const failures: string[] = [];
    let musts = 0;
    for (const audit of serverAudits({ url: server.url })) {
      if (!audit.name.startsWith('MUST')) continue;
      musts += 1;
      const result = await audit.fn();
      if (result.status !== 'ok') failures.push(`${audit.id} ${audit.name}: ${result.reason}`);
    }
    expect(musts).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  });
});
