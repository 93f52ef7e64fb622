// Fails when src/server/generated is stale: regenerates it and compares with what is committed.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const dir = 'src/server/generated';
const read = () =>
  new Map(readdirSync(dir).map((name) => [name, readFileSync(`${dir}/${name}`, 'utf8')]));
const before = read();
execFileSync('npx', ['graphql-codegen', '--config', 'codegen.ts', '--silent'], {
  stdio: 'inherit',
});
const after = read();
const stale = [...after.keys()].filter((name) => before.get(name) !== after.get(name));
if (stale.length > 0) {
  console.error(
    `${stale.map((n) => `${dir}/${n}`).join(', ')} stale: run \`npm run codegen\` and commit the result.`,
  );
  process.exit(1);
}
console.log(`${dir} is current (${[...after.keys()].join(', ')}).`);
