#!/usr/bin/env node
// The `claimgate` command. In a checkout (src/ present) it runs the TypeScript sources through tsx,
// so no build step is needed; an installed package runs the compiled build in dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/run-cli.ts', import.meta.url);
const built = new URL('../dist/src/cli/run-cli.js', import.meta.url);

let cli;
if (existsSync(source)) {
  const { tsImport } = await import('tsx/esm/api');
  cli = await tsImport(source.href, import.meta.url);
} else {
  cli = await import(built.href);
}
process.exitCode = await cli.runCli(process.argv.slice(2));
