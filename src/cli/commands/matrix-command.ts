import { computeAccessMatrix, formatRequirement } from '../../index.js';
import { EXIT, parseCommandArgs, UsageError, type Command } from '../cli-io.js';
import { loadSchemaFiles } from '../load-schema-files.js';

const HELP = `Usage: claimgate matrix <schema files...> [--json] [--deny-by-default]

Prints the access matrix: every schema coordinate (Type.field) of the object and interface types
with its effective requirement after type, interface and field directives combine, exactly as
applyAuthDirectives enforces it. The directive definitions are added when the files lack them.

Options:
  --json              print a JSON array of { coordinate, kind, requirement, clauses, sources,
                      public, defaulted }; clauses is null for a public field
  --deny-by-default   as with applyAuthDirectives(schema, { denyByDefault: true })
  -h, --help          show this help

Exit status: 0 printed, 2 usage error, unreadable or invalid schema, or an invalid directive use
(run \`claimgate lint\` to see each one).
`;

/** `claimgate matrix`: see its help text for arguments and exit statuses. */
export const matrixCommand: Command = {
  name: 'matrix',
  summary: 'print every Type.field with its effective requirement (table or --json)',
  help: HELP,
  run(argv, io) {
    const parsed = parseCommandArgs(
      argv,
      { json: { type: 'boolean' }, 'deny-by-default': { type: 'boolean' } },
      io,
      HELP,
    );
    if (parsed === undefined) return Promise.resolve(EXIT.ok);
    const { values, positionals } = parsed;
    const schema = loadSchemaFiles(positionals);
    let matrix;
    try {
      matrix = computeAccessMatrix(schema, { denyByDefault: values['deny-by-default'] });
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      throw new UsageError(error.message.replace(/^claimgate: /, ''));
    }
    const rows = [...matrix.values()].map((access) => ({
      coordinate: access.coordinate,
      kind: access.kind,
      requirement: formatRequirement(access.requirement),
      clauses: access.requirement === undefined ? null : access.requirement.clauses,
      sources: access.sources.map((source) => source.coordinate),
      public: access.isPublic,
      defaulted: access.isDefaulted,
    }));
    if (values.json === true) {
      io.out(`${JSON.stringify(rows, null, 2)}\n`);
      return Promise.resolve(EXIT.ok);
    }
    const table = [
      ['COORDINATE', 'REQUIREMENT', 'FROM'],
      ...rows.map((row) => [
        row.kind === 'interface' ? `${row.coordinate} (interface)` : row.coordinate,
        row.requirement,
        row.defaulted ? '(deny-by-default)' : row.public ? '@public' : row.sources.join(', '),
      ]),
    ];
    const widths = [0, 1].map((i) => Math.max(...table.map((cells) => cells[i]?.length ?? 0)));
    io.out(
      `${table
        .map((cells) =>
          cells
            .map((cell, i) => cell.padEnd(widths[i] ?? 0))
            .join('  ')
            .trimEnd(),
        )
        .join('\n')}\n`,
    );
    return Promise.resolve(EXIT.ok);
  },
};
