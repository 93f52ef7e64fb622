import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { formatError, MASKED_ERROR_MESSAGE } from '../../src/index.js';

const located = (original: Error) =>
  new GraphQLError(original.message, { path: ['field'], originalError: original });

describe('formatError', () => {
  it('masks an error thrown as a plain Error, with its stack trace', () => {
    const formatted = formatError(
      {
        message: 'ECONNREFUSED 10.0.0.5',
        path: ['field'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['Error: at db.ts:1'] },
      },
      located(new Error('ECONNREFUSED 10.0.0.5')),
    );
    expect(formatted).toEqual({
      message: MASKED_ERROR_MESSAGE,
      path: ['field'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('keeps a deliberate GraphQLError, without stacktrace', () => {
    const deliberate = new GraphQLError('Article not found', {
      extensions: { code: 'NOT_FOUND' },
    });
    expect(
      formatError(
        { message: 'Article not found', extensions: { code: 'NOT_FOUND', stacktrace: ['x'] } },
        located(deliberate),
      ),
    ).toEqual({ message: 'Article not found', extensions: { code: 'NOT_FOUND' } });
  });

  it('gives claimgate codes their fixed message and only their own extensions', () => {
    const error = new GraphQLError('Context creation failed: The access token is invalid.', {
      extensions: { code: 'TOKEN_INVALID' },
    });
    expect(
      formatError(
        {
          message: error.message,
          extensions: { code: 'TOKEN_INVALID', stacktrace: ['x'], debug: 'token=abc' },
        },
        error,
      ),
    ).toEqual({ message: 'The access token is invalid.', extensions: { code: 'TOKEN_INVALID' } });
    expect(
      formatError(
        {
          message: 'Permission denied.',
          extensions: { code: 'FORBIDDEN', requirement: { anyOf: ['admin'] }, coordinate: 'Q.a' },
        },
        new GraphQLError('Permission denied.'),
      ),
    ).toEqual({
      message: 'Permission denied.',
      extensions: { code: 'FORBIDDEN', coordinate: 'Q.a', requirement: { anyOf: ['admin'] } },
    });
  });

  it('masks a plain Error that borrows an auth code', () => {
    const impostor = Object.assign(new Error('db down'), { extensions: { code: 'FORBIDDEN' } });
    expect(
      formatError({ message: 'db down', extensions: { code: 'FORBIDDEN' } }, located(impostor)),
    ).toMatchObject({
      message: MASKED_ERROR_MESSAGE,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });
});
