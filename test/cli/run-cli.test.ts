import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

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
});
