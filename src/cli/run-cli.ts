import { EXIT, UsageError, type CliIo, type Command } from './cli-io.js';
import { decodeCommand } from './commands/decode-command.js';
import { keygenCommand } from './commands/keygen-command.js';
import { lintCommand } from './commands/lint-command.js';
import { matrixCommand } from './commands/matrix-command.js';
import { mintCommand } from './commands/mint-command.js';
import { revokeCommand } from './commands/revoke-command.js';
import { verifyCommand } from './commands/verify-command.js';

const COMMANDS: readonly Command[] = [
  decodeCommand,
  verifyCommand,
  mintCommand,
  keygenCommand,
  matrixCommand,
  lintCommand,
  revokeCommand,
];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: claimgate <command> [options]',
    '',
    'Developer tools for claimgate: JWT authentication and schema-directive authorization for GraphQL.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `claimgate <command> --help` for a command’s options.',
    '',
    'Exit status: 0 success; 1 a negative answer (lint findings, a token that does not verify or',
    'decode); 2 the command could not run (usage, input, configuration, an unreachable service).',
    '',
  ].join('\n');
}

/** The process's streams as a {@link CliIo}. */
export function processIo(): CliIo {
  return {
    env: process.env,
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/**
 * Runs `claimgate` with `argv` (the arguments after the program name) and returns the exit status.
 * Never throws for a user's mistake: it prints what to fix and returns 2.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`claimgate: unknown command ${JSON.stringify(name)}.\n\n${mainHelp()}`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // claimgate's own TypeErrors are misconfiguration (`claimgate: …`); any other error is a bug.
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && error.message.startsWith('claimgate: '))
    ) {
      io.err(
        `claimgate ${command.name}: ${error.message.replace(/^claimgate: /, '')}\nRun \`claimgate ${command.name} --help\` for usage.\n`,
      );
      return EXIT.usage;
    }
    throw error;
  }
}
