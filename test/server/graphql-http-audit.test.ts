import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/server/load-server-config.js';
import { startExampleServer, type ExampleServer } from '../../src/server/start-example-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('the example server against the GraphQL-over-HTTP audit suite', () => {
  let server: ExampleServer;
  // Development mode persists its signing key: keep it out of the checkout's .claimgate/.
  const devDir = makeTempDir('claimgate-dev-');
  beforeAll(async () => {
    server = await startExampleServer(
      loadServerConfig({ PORT: '0', HOST: '127.0.0.1', CLAIMGATE_DEV_DIR: devDir.dir }),
    );
  });
  afterAll(async () => {
    await server.close();
    devDir.remove();
  });

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
