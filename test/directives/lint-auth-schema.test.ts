import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintAuthSchema, type LintOptions } from '../../src/index.js';
import { buildUnvalidatedSchema, readFixture } from '../helpers/build-guarded-schema.js';

const problems = buildUnvalidatedSchema(readFixture('lint-problems.graphql'));

function lint(schemaText: string | undefined, options?: LintOptions) {
  const schema = schemaText === undefined ? problems : buildUnvalidatedSchema(schemaText);
  return lintAuthSchema(schema, options).map((f) => `${f.coordinate} ${f.rule}`);
}

describe('lintAuthSchema', () => {
  it('names each coordinate with each rule it breaks', () => {
    expect(lint(undefined)).toEqual([
      'Post.secretNote interface-requirement-bypass',
      'Post.secretNote non-null-denial',
      'Post.title interface-requirement-bypass',
      'Query.bad invalid-directive',
      'Query.bad unknown-argument',
      'Query.both invalid-directive',
      'Query.me non-null-denial',
      'Query.typo unknown-directive',
    ]);
  });

  it('explains a finding in a message that names what to change', () => {
    const finding = lintAuthSchema(problems).find((f) => f.coordinate === 'Post.title');
    expect(finding?.message).toBe(
      'Owned requires owner for the fields it declares only; Post.title is reachable with public. Add the requirement to Post or to the field.',
    );
    const root = lintAuthSchema(problems).find((f) => f.coordinate === 'Query.me');
    expect(root?.message).toContain('nulls the whole response data');
  });

  it('reports permissions outside the allowed list at the directive that names them', () => {
    expect(
      lint(undefined, { allowedPermissions: ['owner', 'editor'] }).filter((f) =>
        f.endsWith('permission-not-allowed'),
      ),
    ).toEqual(['Post.secretNote permission-not-allowed']);
    expect(
      lint('type Q2 @hasPermission(anyOf: ["a", "b"]) { x: String } type Query { q: Q2 }', {
        allowedPermissions: ['a'],
      }),
    ).toEqual(['Q2 permission-not-allowed']);
  });

  it('reports root fields without a decision under deny-by-default', () => {
    const found = lint(undefined, { denyByDefault: true });
    expect(found.filter((f) => f.endsWith('unmarked-root-field'))).toEqual([
      'Query.posts unmarked-root-field',
      'Query.search unmarked-root-field',
      'Query.typo unmarked-root-field',
    ]);
  });

  it('does not report a non-null field every way to whose parent already requires as much', () => {
    expect(
      lint(`
        type Query { account: Account @auth, shop: Shop }
        type Account { id: ID! @auth }
        type Shop @auth { id: ID! }
      `),
    ).toEqual([]);
  });

  it('does not report a non-null subscription root field, refused at subscribe time', () => {
    expect(lint(`type Query { a: String } type Subscription { events: String! @auth }`)).toEqual(
      [],
    );
    expect(lint(`type Query { a: String } type Mutation { events: String! @auth }`)).toEqual([
      'Mutation.events non-null-denial',
    ]);
  });

  it('does not report @public implementations of a defaulted interface field', () => {
    expect(
      lint(
        `type Query { a: A @public }
         interface Node { id: ID }
         type A implements Node @public { id: ID }`,
        { denyByDefault: true },
      ),
    ).toEqual([]);
  });

  it('finds nothing in the example schema', () => {
    const example = readFileSync(new URL('../../schema/example.graphql', import.meta.url), 'utf8');
    expect(lint(example)).toEqual([]);
  });
});
