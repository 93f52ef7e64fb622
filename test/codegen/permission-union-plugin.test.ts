import { describe, expect, it } from 'vitest';
import { plugin } from '../../src/codegen/permission-union-plugin.js';
import { PERMISSIONS, type Permission } from '../../src/server/generated/permissions.js';
import { buildSchema, readFixture } from '../helpers/build-guarded-schema.js';

describe('permission-union-plugin', () => {
  it('emits a union of every permission the schema names, type and interface levels included', () => {
    const output = plugin(buildSchema(readFixture('library.graphql')), []);
    expect(output).toContain(
      'export type Permission =\n  | "admin"\n  | "audit:read"\n  | "billing:read"\n  | "docs:write"\n  | "editor";',
    );
    expect(output).toContain(
      'export const PERMISSIONS: readonly Permission[] = ["admin", "audit:read", "billing:read", "docs:write", "editor"];',
    );
  });

  it('emits never for a schema that names no permission, under the configured name', () => {
    const output = plugin(buildSchema('type Query { a: String @auth }'), [], { typeName: 'Scope' });
    expect(output).toContain('export type Scope = never;');
    expect(output).toContain('export const SCOPES: readonly Scope[] = [];');
  });

  it('quotes permissions that contain quotes or backslashes', () => {
    const output = plugin(
      buildSchema(`type Query { a: String @hasPermission(permission: "it's \\\\ \\"x\\"") }`),
      [],
    );
    expect(output).toContain(String.raw`| "it's \\ \"x\""`);
  });

  it('throws a TypeError for a typeName that is not an identifier', () => {
    expect(() => plugin(buildSchema('type Query { a: String }'), [], { typeName: 'a-b' })).toThrow(
      TypeError,
    );
  });

  it('types the example server permissions so a misspelling does not compile', () => {
    const granted: Permission = 'billing:read';
    // @ts-expect-error "admn" is not a permission the example schema names: the point of the union.
    const misspelt: Permission = 'admn';
    expect(PERMISSIONS).toContain(granted);
    expect(PERMISSIONS).not.toContain(misspelt);
  });
});
