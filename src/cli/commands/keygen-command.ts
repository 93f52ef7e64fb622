import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { normalizeAlgorithms } from '../../index.js';
import { EXIT, parseCommandArgs, UsageError, type Command } from '../cli-io.js';

const HELP = `Usage: claimgate keygen [--alg <alg>] [--kid <id>] [--bits <n>] [--out <dir>] [--json]

Generates signing material for an algorithm:
  HS256/384/512              a random HMAC secret of the hash size or longer (RFC 7518 §3.2),
                             printed as JWT_SECRET=… (its UTF-8 bytes are the key)
  RS*/PS*, ES256/384/512,    a key pair: the private key as PKCS#8 PEM, the public key as SPKI PEM
  EdDSA/Ed25519              (JWT_PUBLIC_KEY) and as a JWKS with kid, alg and use
Keys are generated locally with jose and never leave this machine.

Options:
  --alg <alg>    the JWS algorithm                                   default: ES256
  --kid <id>     the key id in the JWKS                              default: the RFC 7638 thumbprint
  --bits <n>     RSA modulus length, 2048 or more                    default: 2048
  --out <dir>    write private.pem, public.pem and jwks.json (or secret.txt) there, mode 0600 for
                 secrets; refuses to overwrite
  --json         print { alg, kid, privateKeyPem, publicKeyPem, jwks } or { alg, secret } as JSON
  -h, --help     show this help

Exit status: 0 generated, 2 usage error (unknown algorithm, existing file).
`;

/** HMAC secret sizes in bytes: the hash size (RFC 7518 §3.2). */
const HMAC_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };

/** `claimgate keygen`: see its help text for arguments and exit statuses. */
export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'generate an HMAC secret, or an RSA / EC / Ed25519 key pair as PEM and JWKS',
  help: HELP,
  async run(argv, io) {
    const parsed = parseCommandArgs(
      argv,
      {
        alg: { type: 'string', default: 'ES256' },
        kid: { type: 'string' },
        bits: { type: 'string', default: '2048' },
        out: { type: 'string' },
        json: { type: 'boolean' },
      },
      io,
      HELP,
    );
    if (parsed === undefined) return EXIT.ok;
    const { values, positionals } = parsed;
    if (positionals.length > 0)
      throw new UsageError(`keygen takes no arguments (got ${positionals[0]}).`);
    let family;
    try {
      family = normalizeAlgorithms([values.alg]).family;
    } catch (error) {
      throw new UsageError(
        error instanceof Error ? error.message.replace(/^claimgate: /, '') : String(error),
      );
    }
    const alg = values.alg;

    if (family === 'hmac') {
      // base64url of hash-size random bytes: every character is ASCII, so the UTF-8 key is longer
      // than the hash size and carries the full entropy of the random bytes.
      const secret = randomBytes(HMAC_BYTES[alg] ?? 64).toString('base64url');
      if (values.out !== undefined)
        writeFiles(values.out, { 'secret.txt': `${secret}\n` }, ['secret.txt']);
      if (values.json === true) io.out(`${JSON.stringify({ alg, secret }, null, 2)}\n`);
      else io.out(`JWT_ALGORITHMS=${alg}\nJWT_SECRET=${secret}\n`);
      return EXIT.ok;
    }

    const bits = Number(values.bits);
    if (!Number.isInteger(bits) || bits < 2048 || bits > 16384) {
      throw new UsageError('--bits must be an integer from 2048 to 16384.');
    }
    const { privateKey, publicKey } = await generateKeyPair(alg, {
      extractable: true,
      modulusLength: bits,
    });
    const publicJwk = await exportJWK(publicKey);
    const kid = values.kid ?? (await calculateJwkThumbprint(publicJwk));
    const jwks = { keys: [{ ...publicJwk, kid, alg, use: 'sig' }] };
    const privateKeyPem = await exportPKCS8(privateKey);
    const publicKeyPem = await exportSPKI(publicKey);
    if (values.out !== undefined) {
      writeFiles(
        values.out,
        {
          'private.pem': privateKeyPem,
          'public.pem': publicKeyPem,
          'jwks.json': `${JSON.stringify(jwks, null, 2)}\n`,
        },
        ['private.pem'],
      );
    }
    if (values.json === true) {
      io.out(`${JSON.stringify({ alg, kid, privateKeyPem, publicKeyPem, jwks }, null, 2)}\n`);
    } else if (values.out !== undefined) {
      io.out(`Wrote private.pem, public.pem and jwks.json (kid ${kid}) to ${values.out}.\n`);
    } else {
      io.out(
        [
          `# ${alg} key pair, kid ${kid}. Keep the private key secret.`,
          privateKeyPem.trimEnd(),
          '',
          '# Public key (JWT_PUBLIC_KEY):',
          publicKeyPem.trimEnd(),
          '',
          '# JWKS:',
          JSON.stringify(jwks, null, 2),
          '',
        ].join('\n'),
      );
    }
    return EXIT.ok;
  },
};

function writeFiles(directory: string, files: Record<string, string>, secret: readonly string[]) {
  const paths = Object.keys(files).map((name) => join(directory, name));
  const existing = paths.filter((path) => existsSync(path));
  if (existing.length > 0) throw new UsageError(`refusing to overwrite ${existing.join(', ')}.`);
  mkdirSync(directory, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(directory, name), content, {
      flag: 'wx',
      mode: secret.includes(name) ? 0o600 : 0o644,
    });
  }
}
