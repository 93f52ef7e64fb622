import { lintAuthSchema } from '../../index.js';
import { EXIT, parseCommandArgs, UsageError, type Command } from '../cli-io.js';
import { loadSchemaFiles } from '../load-schema-files.js';

const HELP = `Usage: claimgate lint <schema files...> [--deny-by-default] [--allowed-permissions a,b,...] [--json]

Checks the use of @auth, @hasPermission and @public and names each coordinate that breaks a rule:
  unknown-directive              a directive the schema does not define (a typo protects nothing)
  unknown-argument               an argument @auth, @hasPermission or @public does not take
  invalid-directive              @hasPermission without exactly one non-empty argument
  interface-requirement-bypass   an implementation's field reachable without its interface's requirement
  non-null-denial                a protected non-null field whose denial would null its parent
  permission-not-allowed         a permission outside --allowed-permissions
  unmarked-root-field            with --deny-by-default, a root field with neither a requirement nor @public

Options:
  --deny-by-default              lint for applyAuthDirectives(schema, { denyByDefault: true })
  --allowed-permissions <list>   the permissions the schema may name, comma-separated
  --json                         print a JSON array of { rule, coordinate, message }
  -h, --help                     show this help

Exit status: 0 no findings, 1 findings, 2 usage error or unreadable or invalid schema.
`;

/** `claimgate lint`: see its help text for arguments and exit statuses. */
export const lintCommand: Command = {
  name: 'lint',
  summary: 'find unprotected, mis-protected or misspelt access rules in a schema',
  help: HELP,
  run(argv, io) {
    const parsed = parseCommandArgs(
      argv,
      {
        json: { type: 'boolean' },
        'deny-by-default': { type: 'boolean' },
        'allowed-permissions': { type: 'string' },
      },
      io,
      HELP,
    );
    if (parsed === undefined) return Promise.resolve(EXIT.ok);
    const { values, positionals } = parsed;
    const allowed = values['allowed-permissions']
      ?.split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    if (allowed !== undefined && allowed.length === 0) {
      throw new UsageError('--allowed-permissions needs at least one permission.');
    }
    const schema = loadSchemaFiles(positionals);
    let findings;
    try {
      findings = lintAuthSchema(schema, {
        denyByDefault: values['deny-by-default'],
        allowedPermissions: allowed,
      });
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      throw new UsageError(error.message.replace(/^claimgate: /, ''));
    }
    if (values.json === true) io.out(`${JSON.stringify(findings, null, 2)}\n`);
    else if (findings.length === 0) io.out('No problems found.\n');
    else {
      io.out(findings.map((f) => `${f.coordinate}  ${f.rule}  ${f.message}`).join('\n') + '\n');
      io.err(`${findings.length} problem${findings.length === 1 ? '' : 's'} found.\n`);
    }
    return Promise.resolve(findings.length === 0 ? EXIT.ok : EXIT.failure);
  },
};
