import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/server/load-server-config.js';
import { startExampleServer, type ExampleServer } from '../../src/server/start-example-server.js';
import { postGraphQL } from '../helpers/graphql-request.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('claimgate mint', () => {
  const temp = makeTempDir();
  const env = { CLAIMGATE_DEV_DIR: temp.dir };
  let server: ExampleServer;
  beforeAll(async () => {
    server = await startExampleServer(
      loadServerConfig({ PORT: '0', HOST: '127.0.0.1', CLAIMGATE_DEV_DIR: temp.dir }),
    );
  });
  afterAll(async () => {
    await server.close();
    temp.remove();
  });

  it('mints a token the example server accepts, signed with its persisted dev key', async () => {
    const minted = await runCli(
      ['mint', '--sub', 'alice', '--permission', 'admin', '--permission', 'audit:read'],
      { env },
    );
    expect(minted.status).toBe(0);
    expect(minted.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const response = await postGraphQL(server.url, {
      query: '{ me { sub permissions } auditLog { action } }',
      token: minted.stdout.trim(),
    });
    expect(response.body).toEqual({
      data: { me: { sub: 'alice', permissions: ['admin', 'audit:read'] }, auditLog: [] },
    });
    const verified = await runCli(['verify', minted.stdout.trim()], { env });
    expect(verified.status).toBe(0);
  });

  it('sets the lifetime and extra claims, printing them with --json', async () => {
    const result = await runCli(
      ['mint', '--json', '--ttl', '90m', '--claim', 'tenant=acme', '--claim', 'level=3'],
      { env },
    );
    expect(result.status).toBe(0);
    const { payload, header } = JSON.parse(result.stdout) as {
      payload: { exp: number; iat: number; tenant: unknown; level: unknown; sub: unknown };
      header: { alg: string; kid: string };
    };
    expect(payload.exp - payload.iat).toBe(5400);
    expect(payload).toMatchObject({ tenant: 'acme', level: 3, sub: 'dev-user' });
    expect(header.alg).toBe('ES256');
  });

  it('refuses to run when NODE_ENV=production', async () => {
    const result = await runCli(['mint'], { env: { ...env, NODE_ENV: 'production' } });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('refuses to run with NODE_ENV=production');
  });

  it('exits 2 for a claim it sets itself or a malformed lifetime', async () => {
    const claim = await runCli(['mint', '--claim', 'exp=1'], { env });
    expect(claim.status).toBe(2);
    expect(claim.stderr).toContain('--claim cannot set exp');
    const ttl = await runCli(['mint', '--ttl', 'soon'], { env });
    expect(ttl.status).toBe(2);
    expect(ttl.stderr).toContain('--ttl must be a positive duration');
  });
});
