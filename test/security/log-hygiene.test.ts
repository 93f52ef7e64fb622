import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { postGraphQL } from '../helpers/graphql-request.js';
import { generateTestSecret, mintToken, nowSeconds, secretBytes } from '../helpers/keys.js';
import { rawPost } from '../helpers/raw-http.js';

describe('npm start logs', () => {
  it('never print a token, a payload segment or a stack trace, whatever clients send', async () => {
    const secret = generateTestSecret(48);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        JWT_SECRET: secret,
        JWT_ISSUER: 'https://issuer.test/',
        JWT_AUDIENCE: 'api://logs',
        PORT: '0',
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`server did not start: ${output}`)),
          15_000,
        );
        child.stdout.on('data', () => {
          const match = /ready at (http:\S+)/.exec(output);
          if (match?.[1] !== undefined) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const claims = { iss: 'https://issuer.test/', aud: 'api://logs', sub: 'secret-subject-42' };
      const key = secretBytes(secret);
      const tokens = [
        await mintToken({ alg: 'HS256', key, claims }),
        await mintToken({ alg: 'HS256', key, claims, exp: nowSeconds() - 60 }),
        await mintToken({ alg: 'HS256', key: secretBytes(generateTestSecret(48)), claims }),
      ];
      for (const token of tokens) {
        const response = await postGraphQL(url, { query: '{ me { sub } }', token });
        expect(response.status).toBeLessThan(500);
        await rawPost(
          url,
          { authorization: [`Bearer ${token}`, `Bearer ${token}`] },
          {
            query: '{ me { sub } }',
          },
        );
        await postGraphQL(url, { query: '{ me { sub', token });
      }
      child.kill('SIGTERM');
      await exited;
      expect(output).toContain('ready at');
      for (const token of tokens) {
        for (const segment of token.split('.')) expect(output).not.toContain(segment);
      }
      expect(output).not.toContain('secret-subject-42');
      expect(output).not.toContain(secret);
      expect(output).not.toMatch(/\n\s+at .+:\d+:\d+/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
