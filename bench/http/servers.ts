// Child process of bench/http.ts: starts one Apollo Server 5 (standalone) per scenario on
// 127.0.0.1, prints `{ scenarios: [{ name, url, token }] }` as one JSON line, then serves until
// stdin closes. The load generator runs in another process (bench/http/load.ts).
import { randomBytes } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { GraphQLSchema } from 'graphql';
import { exportSPKI, generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { createAuthContext, createTokenVerifier, type KeyConfig } from '../../src/index.js';
import { claimgateSchema, plainSchema, recipeSchema, shieldSchema } from '../lib/workload.js';

interface Started {
  readonly name: string;
  readonly url: string;
  readonly token: string;
}

type ContextFn = (req: {
  headers: Record<string, string | string[] | undefined>;
}) => Promise<object>;

const servers: ApolloServer<object>[] = [];

async function serve(name: string, schema: GraphQLSchema, token: string, context: ContextFn) {
  const server = new ApolloServer<object>({ schema, includeStacktraceInErrorResponses: false });
  servers.push(server);
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: ({ req }) => context(req),
  });
  return { name, url, token } satisfies Started;
}

const bearer = (req: { headers: Record<string, string | string[] | undefined> }) => {
  const header = req.headers['authorization'];
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
};

const claims = {
  sub: 'user-1234567890',
  iss: 'https://id.example.com/',
  aud: 'api',
  permissions: ['articles:read', 'articles:write'],
};
const mint = (alg: string, key: CryptoKey | Uint8Array) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(key);

const secret = randomBytes(32).toString('base64url');
const secretBytes = new TextEncoder().encode(secret);
const hmacKey = await crypto.subtle.importKey(
  'raw',
  secretBytes,
  { name: 'HMAC', hash: 'SHA-256' },
  false,
  ['verify'],
);
const rsa = await generateKeyPair('RS256', { extractable: true });
const hsToken = await mint('HS256', secretBytes);
const rsToken = await mint('RS256', rsa.privateKey);
const keys: Record<'HS256' | 'RS256', KeyConfig> = {
  HS256: { secret },
  RS256: { publicKey: await exportSPKI(rsa.publicKey) },
};
const joseUser = async (token: string | undefined) => {
  if (token === undefined) return null;
  try {
    return (
      await jwtVerify(token, hmacKey, {
        algorithms: ['HS256'],
        issuer: claims.iss,
        audience: claims.aud,
      })
    ).payload;
  } catch {
    return null;
  }
};

const started: Started[] = [];
started.push(
  await serve('Apollo, no auth (baseline)', plainSchema(), hsToken, () => Promise.resolve({})),
);
for (const alg of ['HS256', 'RS256'] as const) {
  for (const cached of [false, true]) {
    const verifier = await createTokenVerifier({
      algorithms: [alg],
      key: keys[alg],
      issuer: claims.iss,
      audience: claims.aud,
      ...(cached ? {} : { cache: false }),
    });
    const authContext = createAuthContext({ verifier });
    started.push(
      await serve(
        `claimgate ${alg} ${cached ? 'cached' : 'cold (cache: false)'}`,
        claimgateSchema(),
        alg === 'HS256' ? hsToken : rsToken,
        (req) => authContext({ req }),
      ),
    );
  }
}
started.push(
  await serve(
    'graphql-shield, isAuthenticated on every field (jose HS256 in context)',
    shieldSchema(),
    hsToken,
    async (req) => ({
      user: await joseUser(bearer(req)),
    }),
  ),
);
started.push(
  await serve(
    'graphql-tools recipe (jose HS256 user lookup in every field)',
    recipeSchema(joseUser),
    hsToken,
    (req) => Promise.resolve({ token: bearer(req) }),
  ),
);

process.stdout.write(`${JSON.stringify({ scenarios: started })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void Promise.all(servers.map((s) => s.stop())).then(() => process.exit(0));
});
