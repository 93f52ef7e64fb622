import { makeExecutableSchema } from '@graphql-tools/schema';
import { isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  applyAuthDirectives,
  computeAccessMatrix,
  formatRequirement,
  listPermissions,
  REQUIREMENT_EXTENSION,
} from '../../src/index.js';
import { buildSchema, readFixture } from '../helpers/build-guarded-schema.js';

const library = buildSchema(readFixture('library.graphql'));

function clausesAt(coordinate: string, options = {}) {
  return computeAccessMatrix(library, options).get(coordinate)?.requirement?.clauses;
}

describe('computeAccessMatrix', () => {
  it('lists root types first, then the other object and interface types by name', () => {
    const types = [...new Set([...computeAccessMatrix(library).values()].map((a) => a.typeName))];
    expect(types).toEqual(['Query', 'Mutation', 'Doc', 'Invoice', 'Node', 'Priced', 'Report']);
  });

  it('leaves a field without directives public', () => {
    const access = computeAccessMatrix(library).get('Query.open');
    expect(access).toMatchObject({ requirement: undefined, sources: [], isDefaulted: false });
  });

  it('reads @auth as plain authentication', () => {
    expect(clausesAt('Query.secret')).toEqual([]);
  });

  it('combines repeated @hasPermission with AND', () => {
    expect(clausesAt('Doc.notes')).toEqual([['docs:write'], ['editor']]);
  });

  it('reads anyOf as one clause and allOf as one clause per permission', () => {
    expect(clausesAt('Mutation.publish')).toEqual([['admin', 'docs:write']]);
    expect(clausesAt('Report.summary')).toEqual([['admin'], ['audit:read']]);
  });

  it('applies a type-level requirement to every field of the type', () => {
    expect(clausesAt('Invoice.total')).toEqual([]);
    expect(clausesAt('Invoice.id')).toEqual([]);
  });

  it('applies an interface-level requirement to the matching fields of implementations only', () => {
    const access = computeAccessMatrix(library).get('Invoice.price');
    expect(access?.requirement?.clauses).toEqual([['billing:read']]);
    expect(access?.sources.map((s) => s.coordinate)).toEqual(['Invoice', 'Priced']);
    expect(clausesAt('Priced.price')).toEqual([['billing:read']]);
    expect(computeAccessMatrix(library).get('Priced.price')?.kind).toBe('interface');
  });

  it('records in each guarded field exactly the requirement of the matrix', () => {
    const matrix = computeAccessMatrix(library);
    const guarded = applyAuthDirectives(library);
    let compared = 0;
    for (const type of Object.values(guarded.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const expected = matrix.get(`${type.name}.${field.name}`)?.requirement;
        expect(field.extensions[REQUIREMENT_EXTENSION]).toEqual(expected);
        compared += 1;
      }
    }
    expect(compared).toBe(16);
  });

  it('requires authentication everywhere except @public under deny-by-default', () => {
    const schema = buildSchema(`
      type Query { health: String @public, me: String, catalog: Catalog @public }
      type Catalog @public { title: String, price: Float @hasPermission(permission: "prices") }
    `);
    const matrix = computeAccessMatrix(schema, { denyByDefault: true });
    expect(matrix.get('Query.health')).toMatchObject({ requirement: undefined, isPublic: true });
    expect(matrix.get('Query.me')).toMatchObject({
      requirement: { clauses: [] },
      isDefaulted: true,
    });
    expect(matrix.get('Catalog.title')?.requirement).toBeUndefined();
    // @public never weakens a declared requirement.
    expect(matrix.get('Catalog.price')).toMatchObject({
      requirement: { clauses: [['prices']] },
      isPublic: true,
      isDefaulted: false,
    });
  });

  it('throws a TypeError naming the coordinate of an invalid @hasPermission', () => {
    const schema = buildSchema('type Query { a: String @hasPermission(anyOf: []) }');
    expect(() => computeAccessMatrix(schema)).toThrow(TypeError);
    expect(() => computeAccessMatrix(schema)).toThrow('Query.a');
  });

  it('reports every invalid use to onInvalidDirective and fails closed', () => {
    const schema = buildSchema(`type Query {
      a: String @hasPermission
      b: String @hasPermission(permission: "x", anyOf: ["y"])
    }`);
    const messages: string[] = [];
    const matrix = computeAccessMatrix(schema, {
      onInvalidDirective: (error) => messages.push(error.message),
    });
    expect(messages).toHaveLength(2);
    expect(messages[1]).toContain('Query.b');
    expect(matrix.get('Query.a')?.requirement).toEqual({ clauses: [] });
  });

  it('refuses deny-by-default when the schema does not define @public', () => {
    const schema = makeExecutableSchema({
      typeDefs: `
        directive @auth on OBJECT | INTERFACE | FIELD_DEFINITION
        type Query { a: String @auth }
      `,
    });
    expect(() => computeAccessMatrix(schema, { denyByDefault: true })).toThrow(TypeError);
    expect(() => computeAccessMatrix(schema, { denyByDefault: true })).toThrow('@public');
  });

  it('lists every permission the schema names', () => {
    expect(listPermissions(computeAccessMatrix(library))).toEqual([
      'admin',
      'audit:read',
      'billing:read',
      'docs:write',
      'editor',
    ]);
  });
});

describe('formatRequirement', () => {
  it('writes requirements in words', () => {
    const matrix = computeAccessMatrix(library);
    const text = (coordinate: string) => formatRequirement(matrix.get(coordinate)?.requirement);
    expect(text('Query.open')).toBe('public');
    expect(text('Query.secret')).toBe('authenticated');
    expect(text('Mutation.publish')).toBe('admin OR docs:write');
    expect(text('Doc.notes')).toBe('docs:write AND editor');
  });
});
