import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const PROBLEMS = 'test/fixtures/lint-problems.graphql';

describe('claimgate lint', () => {
  it('names each coordinate and rule and exits 1 on findings', async () => {
    const result = await runCli(['lint', PROBLEMS]);
    expect(result.status).toBe(1);
    const found = result.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('  ').slice(0, 2).join(' '));
    expect(found).toEqual([
      'Post.secretNote interface-requirement-bypass',
      'Post.secretNote non-null-denial',
      'Post.title interface-requirement-bypass',
      'Query.bad invalid-directive',
      'Query.bad unknown-argument',
      'Query.both invalid-directive',
      'Query.me non-null-denial',
      'Query.typo unknown-directive',
    ]);
    expect(result.stderr).toBe('8 problems found.\n');
  });

  it('checks allowed permissions and deny-by-default root fields, as JSON', async () => {
    const result = await runCli([
      'lint',
      PROBLEMS,
      '--json',
      '--deny-by-default',
      '--allowed-permissions',
      'owner, editor',
    ]);
    expect(result.status).toBe(1);
    const findings = JSON.parse(result.stdout) as { rule: string; coordinate: string }[];
    expect(
      findings
        .filter((f) => ['permission-not-allowed', 'unmarked-root-field'].includes(f.rule))
        .map((f) => `${f.coordinate} ${f.rule}`),
    ).toEqual([
      'Post.secretNote permission-not-allowed',
      'Query.posts unmarked-root-field',
      'Query.search unmarked-root-field',
      'Query.typo unmarked-root-field',
    ]);
  });

  it('exits 0 for the example schema, whose files define the directives themselves', async () => {
    const result = await runCli(['lint', 'schema/auth.graphql', 'schema/example.graphql']);
    expect(result.stdout).toBe('No problems found.\n');
    expect(result.status).toBe(0);
  });

  it('exits 0 for a schema with interfaces, unions and repeated directives used well', async () => {
    const result = await runCli(['lint', '--json', 'test/fixtures/library.graphql']);
    expect(result.stdout).toBe('[]\n');
    expect(result.status).toBe(0);
  });

  it('exits 2 when two files define the same type', async () => {
    const result = await runCli([
      'lint',
      'schema/example.graphql',
      'test/fixtures/library.graphql',
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Query is defined more than once');
  });

  it('exits 2 for an empty allowed list', async () => {
    const result = await runCli(['lint', PROBLEMS, '--allowed-permissions', ',']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--allowed-permissions needs at least one permission');
  });
});
