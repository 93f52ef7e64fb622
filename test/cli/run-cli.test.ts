import { describe, expect, it } from 'vitest';
import { CLI_TIMEOUT_MS, runCli } from '../helpers/run-cli.js';

describe('claimgate', () => {
  it('lists every command with --help and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.status).toBe(0);
    for (const name of ['decode', 'verify', 'mint', 'keygen', 'matrix', 'lint', 'revoke']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });

  it('prints the usage and exits 2 without a command', async () => {
    const result = await runCli([]);
    expect(result.status).toBe(2);
    expect(result.stdout).toContain('Usage: claimgate <command>');
  });

  it('exits 2 for an unknown command or option, saying what was wrong', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const option = await runCli(['matrix', '--nope', 'x.graphql']);
    expect(option.status).toBe(2);
    expect(option.stderr).toContain("Unknown option '--nope'");
    expect(option.stderr).toContain('claimgate matrix --help');
  });

  it('prints each command’s help with its exit statuses', async () => {
    const result = await runCli(['lint', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: claimgate lint');
    expect(result.stdout).toContain('Exit status: 0 no findings, 1 findings, 2 usage error');
  });

  it.each([
    ['decode', '0 decoded (even with warnings), 1 not a decodable JWT, 2 usage error.'],
    [
      'verify',
      '0 the token verified, 1 it did not, 2 usage or configuration error, or the keys could not be loaded (AUTH_UNAVAILABLE).',
    ],
    ['mint', '0 minted (the token is the only line on standard output), 2 usage error or refused.'],
    ['keygen', '0 generated, 2 usage error (unknown algorithm, existing file).'],
    [
      'matrix',
      '0 printed, 2 usage error, unreadable or invalid schema, or an invalid directive use',
    ],
  ])('prints %s --help with its usage and exit statuses, and exits 0', async (name, statuses) => {
    const result = await runCli([name, '--help']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`^Usage: claimgate ${name}[ \\n]`));
    // The help text wraps: compare with runs of whitespace as one space.
    expect(result.stdout.replace(/\s+/g, ' ')).toContain(`Exit status: ${statuses}`);
  });
});

describe('the runCli test helper', () => {
  it('kills a child that outlives its timeout and rejects saying so', async () => {
    expect(CLI_TIMEOUT_MS).toBeLessThan(20_000);
    // A 1 ms bound: node's start-up alone outlives it.
    await expect(runCli(['decode', '--help'], { timeoutMs: 1 })).rejects.toThrow(
      /^claimgate decode --help did not exit within 1 ms and was killed/,
    );
  });
});
