import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const LIBRARY = 'test/fixtures/library.graphql';
const temp = makeTempDir();
afterAll(() => temp.remove());

interface Row {
  coordinate: string;
  kind: string;
  requirement: string;
  clauses: string[][] | null;
  sources: string[];
  defaulted: boolean;
}

describe('claimgate matrix', () => {
  it('prints a table of every coordinate with its effective requirement and sources', async () => {
    const result = await runCli(['matrix', LIBRARY]);
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^COORDINATE\s+REQUIREMENT\s+FROM$/);
    expect(lines).toContainEqual(expect.stringMatching(/^Query\.open\s+public$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^Invoice\.price\s+billing:read\s+Invoice, Priced$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^Doc\.notes\s+docs:write AND editor\s+Doc\.notes$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^Priced\.price \(interface\)\s+billing:read\s+Priced$/),
    );
  });

  it('prints JSON with --json, and applies deny-by-default when asked', async () => {
    const result = await runCli(['matrix', LIBRARY, '--json', '--deny-by-default']);
    expect(result.status).toBe(0);
    const rows = JSON.parse(result.stdout) as Row[];
    expect(rows.find((r) => r.coordinate === 'Report.summary')).toMatchObject({
      kind: 'object',
      clauses: [['admin'], ['audit:read']],
      sources: ['Report'],
    });
    expect(rows.find((r) => r.coordinate === 'Query.open')).toMatchObject({
      requirement: 'authenticated',
      defaulted: true,
    });
    expect(rows).toHaveLength(18);
  });

  it('reads several files and exits 2 for a missing file or a syntax error', async () => {
    const types = join(temp.dir, 'types.graphql');
    const query = join(temp.dir, 'query.graphql');
    const broken = join(temp.dir, 'broken.graphql');
    writeFileSync(types, 'type Thing @auth { id: ID }\n');
    writeFileSync(query, 'type Query { thing: Thing }\n');
    writeFileSync(broken, 'type Query {\n  thing: \n}\n');
    const both = await runCli(['matrix', types, query, '--json']);
    expect(both.status).toBe(0);
    expect(
      (JSON.parse(both.stdout) as Row[]).map((r) => `${r.coordinate} ${r.requirement}`),
    ).toEqual(['Query.thing public', 'Thing.id authenticated']);
    const missing = await runCli(['matrix', join(temp.dir, 'absent.graphql')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read');
    const syntax = await runCli(['matrix', broken]);
    expect(syntax.status).toBe(2);
    expect(syntax.stderr).toContain(`${broken}:3:1: Syntax Error`);
  });

  it('exits 2 for an invalid directive use, pointing at lint', async () => {
    const file = join(temp.dir, 'invalid.graphql');
    writeFileSync(file, 'type Query { a: String @hasPermission }\n');
    const result = await runCli(['matrix', file]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('@hasPermission on Query.a takes exactly one of');
  });
});
