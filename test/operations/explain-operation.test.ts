import { describe, expect, it } from 'vitest';
import { explain } from '../../src/index.js';
import { buildGuardedSchema, buildSchema, readFixture } from '../helpers/build-guarded-schema.js';
import { EXPIRED_STATE, principalWith } from '../helpers/principal.js';

const schema = buildGuardedSchema(readFixture('library.graphql'));

function denied(operation: string, caller: Parameters<typeof explain>[2], variables = {}) {
  return explain(schema, operation, caller, { variables }).denied.map((d) => ({
    coordinate: d.coordinate,
    path: d.path.join('.'),
    code: d.code,
  }));
}

describe('explain', () => {
  it('allows an operation that selects only public fields', () => {
    const result = explain(schema, '{ open docs { id title } }', null);
    expect(result).toEqual({ allowed: true, denied: [] });
  });

  it('lists a denied field with its coordinate, response path and code', () => {
    expect(denied('{ open hidden: secret }', null)).toEqual([
      { coordinate: 'Query.secret', path: 'hidden', code: 'UNAUTHENTICATED' },
    ]);
  });

  it('does not visit the selections below a denied field', () => {
    expect(denied('{ report { summary } }', null)).toEqual([
      { coordinate: 'Query.report', path: 'report', code: 'UNAUTHENTICATED' },
    ]);
  });

  it('honours @skip and @include with variables', () => {
    const operation = 'query ($s: Boolean!) { secret @skip(if: $s) open @include(if: $s) }';
    expect(denied(operation, null, { s: true })).toEqual([]);
    expect(denied(operation, null, { s: false })).toHaveLength(1);
    expect(denied('{ ... @include(if: false) { secret } }', null)).toEqual([]);
  });

  it('considers every possible type of a union through inline fragments', () => {
    expect(
      denied('{ items { ... on Doc { title body } ... on Invoice { total } } }', null),
    ).toEqual([
      { coordinate: 'Doc.body', path: 'items.body', code: 'UNAUTHENTICATED' },
      { coordinate: 'Invoice.total', path: 'items.total', code: 'UNAUTHENTICATED' },
    ]);
  });

  it('considers every implementation of an interface, through named fragments too', () => {
    const operation = `
      query { nodes { ...N } }
      fragment N on Node { id ... on Priced { price } }
    `;
    expect(denied(operation, principalWith([]))).toEqual([
      { coordinate: 'Invoice.price', path: 'nodes.price', code: 'FORBIDDEN' },
    ]);
    expect(denied(operation, null).map((d) => d.coordinate)).toEqual([
      'Invoice.id',
      'Invoice.price',
    ]);
    expect(denied(operation, principalWith(['billing:read']))).toEqual([]);
  });

  it('reports a refused token with its own code', () => {
    expect(denied('{ secret }', EXPIRED_STATE)).toEqual([
      { coordinate: 'Query.secret', path: 'secret', code: 'TOKEN_EXPIRED' },
    ]);
  });

  it('carries the error and requirement field-level enforcement would use', () => {
    const [first] = explain(
      schema,
      'mutation { publish(title: "t") { id } }',
      principalWith([]),
    ).denied;
    expect(first?.error).toMatchObject({ code: 'FORBIDDEN', anyOf: ['admin', 'docs:write'] });
    expect(first?.requirement).toEqual({ clauses: [['admin', 'docs:write']] });
  });

  it('ignores introspection fields', () => {
    expect(denied('{ __typename __schema { queryType { name } } }', null)).toEqual([]);
  });

  it('throws a TypeError for a schema that applyAuthDirectives did not return', () => {
    expect(() => explain(buildSchema('type Query { a: String @auth }'), '{ a }', null)).toThrow(
      TypeError,
    );
    expect(() => explain(buildSchema('type Query { a: String @auth }'), '{ a }', null)).toThrow(
      'applyAuthDirectives',
    );
  });

  it('throws a TypeError for an operation that does not validate', () => {
    expect(() => explain(schema, '{ nope }', null)).toThrow(TypeError);
    expect(() => explain(schema, '{', null)).toThrow(TypeError);
    expect(() => explain(schema, 'query A { open } query B { open }', null)).toThrow(TypeError);
  });
});
