import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Exit statuses of every `claimgate` command.
 *
 * | status | meaning |
 * | --- | --- |
 * | 0 | success (`lint`: no findings; `verify`: the token verified) |
 * | 1 | a negative answer: `lint` findings, a token that does not verify or does not decode |
 * | 2 | the command could not run: bad arguments, unreadable input, invalid schema or configuration, `mint` in production, keys or Redis unreachable (`verify`, `revoke`) |
 */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** What a command reads and writes: the process's streams, or buffers in tests. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  out(text: string): void;
  err(text: string): void;
  /** The whole of standard input, as text. */
  readStdin(): Promise<string>;
}

/** One `claimgate` sub-command. */
export interface Command {
  readonly name: string;
  /** One line for `claimgate --help`. */
  readonly summary: string;
  /** The full text of `claimgate <name> --help`. */
  readonly help: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

/** A mistake in how the command was called or configured: printed with a hint, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Runs `util.parseArgs` (strict); its errors become {@link UsageError}s. */
function parseOrUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** The option every command has. */
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** What {@link parseCommandArgs} gives `util.parseArgs`. */
interface CommandArgsConfig<O extends CommandOptions> {
  args: string[];
  options: O & typeof HELP_OPTION;
  allowPositionals: true;
  strict: true;
}

/**
 * Parses a command's arguments strictly, with `-h` / `--help` added to `options`: an unknown option
 * or a bad value is a {@link UsageError}. Returns `undefined` when help was asked for, after
 * printing `help`.
 */
export function parseCommandArgs<const O extends CommandOptions>(
  argv: readonly string[],
  options: O,
  io: CliIo,
  help: string,
): ReturnType<typeof parseArgs<CommandArgsConfig<O>>> | undefined {
  const parsed = parseOrUsage(() =>
    parseArgs({
      args: [...argv],
      options: { ...options, ...HELP_OPTION },
      allowPositionals: true,
      strict: true,
    }),
  );
  // `help` is ours, whatever `O` holds: read it through the one type every `values` has.
  if ((parsed.values as { readonly help?: unknown }).help === true) {
    io.out(help);
    return undefined;
  }
  return parsed;
}

/** A token from a positional argument, or from standard input when it is `-`. */
export async function readTokenArgument(
  positionals: readonly string[],
  io: CliIo,
  command: string,
): Promise<string> {
  if (positionals.length !== 1) {
    throw new UsageError(`${command} takes one token (or - to read it from standard input).`);
  }
  const [given = ''] = positionals;
  const raw = given === '-' ? await io.readStdin() : given;
  // Accept a pasted header value too.
  return raw.trim().replace(/^Bearer\s+/i, '');
}

/** `n` seconds as `2h 5m`, `3d 4h`, `45s`. */
export function formatDuration(seconds: number): string {
  let rest = Math.round(Math.abs(seconds));
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return parts.slice(0, 2).join(' ');
}

/**
 * Parses a lifetime: seconds (`3600`) or a number with a unit `s`, `m`, `h`, `d` (`90m`, `8h`).
 * @throws UsageError for anything else, or a non-positive lifetime.
 */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  const scale = { '': 1, s: 1, m: 60, h: 3600, d: 86400 } as const;
  const seconds =
    match === null ? NaN : Number(match[1]) * scale[(match[2] ?? '') as keyof typeof scale];
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new UsageError(`${option} must be a positive duration like 3600, 90m, 8h or 1d.`);
  }
  return seconds;
}
