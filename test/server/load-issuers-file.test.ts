import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/server/load-server-config.js';
import { loadIssuersFile } from '../../src/server/load-issuers-file.js';

const dir = mkdtempSync(join(tmpdir(), 'claimgate-config-'));
let count = 0;
function file(content: unknown): string {
  count += 1;
  const path = join(dir, `config-${count}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('loadIssuersFile', () => {
  it('reads issuers with RS256 by default and resolves jwksFile against the file', () => {
    const path = file({
      issuers: [
        {
          issuer: 'https://id.example.com/realms/acme',
          audience: 'api',
          key: { oidcIssuer: 'https://id.example.com/realms/acme', timeoutDuration: 2000 },
          permissionClaims: ['realm_access.roles'],
        },
        {
          issuer: 'https://m2m.example.com/',
          algorithms: ['ES256'],
          key: { jwksFile: 'keys.json' },
        },
      ],
    });
    expect(loadIssuersFile(path)).toEqual([
      {
        issuer: 'https://id.example.com/realms/acme',
        audience: 'api',
        algorithms: ['RS256'],
        key: { oidcIssuer: 'https://id.example.com/realms/acme', timeoutDuration: 2000 },
        permissionClaims: ['realm_access.roles'],
      },
      {
        issuer: 'https://m2m.example.com/',
        algorithms: ['ES256'],
        key: { jwksFile: join(dir, 'keys.json') },
      },
    ]);
  });

  it.each<[string, unknown, RegExp]>([
    ['not JSON', '{', /is not valid JSON/],
    ['no issuers', { issuers: [] }, /at least one issuer/],
    ['a missing issuer', { issuers: [{ key: { jwksUrl: 'https://x/' } }] }, /"issuer" must be/],
    [
      'an unknown field',
      { issuers: [{ issuer: 'i', key: { jwksUrl: 'u' }, iss: 'x' }] },
      /unknown field\(s\) iss/,
    ],
    [
      'two key kinds',
      { issuers: [{ issuer: 'i', key: { jwksUrl: 'u', oidcIssuer: 'o' } }] },
      /exactly one of/,
    ],
    [
      'a function-only key kind',
      { issuers: [{ issuer: 'i', key: { getKey: 'x' } }] },
      /exactly one of/,
    ],
    ['a secret', { issuers: [{ issuer: 'i', key: { secret: 'x' } }] }, /exactly one of/],
    [
      'a non-numeric timeout',
      { issuers: [{ issuer: 'i', key: { jwksUrl: 'u', timeoutDuration: '5s' } }] },
      /key.timeoutDuration/,
    ],
    [
      'bad algorithms',
      { issuers: [{ issuer: 'i', algorithms: 'RS256', key: { jwksUrl: 'u' } }] },
      /"algorithms"/,
    ],
  ])('refuses a file with %s, naming the entry', (_name, content, message) => {
    const path = file(content);
    expect(() => loadIssuersFile(path)).toThrow(ConfigError);
    expect(() => loadIssuersFile(path)).toThrow(message);
  });

  it('accepts maxStaleAge and refreshJitter for a remote key, and checks they are numbers', () => {
    const key = {
      jwksUrl: 'https://id.example.com/jwks',
      maxStaleAge: 3_600_000,
      refreshJitter: 0,
    };
    expect(loadIssuersFile(file({ issuers: [{ issuer: 'i', key }] }))).toEqual([
      { issuer: 'i', algorithms: ['RS256'], key },
    ]);
    const path = file({ issuers: [{ issuer: 'i', key: { ...key, maxStaleAge: '1h' } }] });
    expect(() => loadIssuersFile(path)).toThrow(ConfigError);
    expect(() => loadIssuersFile(path)).toThrow(/"key.maxStaleAge" must be a number/);
  });

  it('refuses a file that cannot be read', () => {
    expect(() => loadIssuersFile(join(dir, 'missing.json'))).toThrow(/cannot be read/);
  });
});
