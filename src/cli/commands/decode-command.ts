import {
  decodeJwt,
  decodeProtectedHeader,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { normalizeAlgorithms } from '../../index.js';
import {
  EXIT,
  formatDuration,
  parseCommandArgs,
  readTokenArgument,
  type Command,
} from '../cli-io.js';

/** Why a decoded token deserves a second look. */
export type DecodeWarningCode =
  'alg-none' | 'weak-algorithm' | 'expired' | 'not-yet-valid' | 'no-exp' | 'long-lifetime';

/** Tokens living longer than this, in seconds, get a warning (RFC 8725 §3.10: keep them short). */
const LONG_LIFETIME_SECONDS = 24 * 60 * 60;

const HELP = `Usage: claimgate decode <token | -> [--json]

Prints a JWT's header and payload WITHOUT VERIFYING IT, with its times in human form and warnings:
alg "none", an algorithm claimgate does not accept, expired, not yet valid, no exp, a lifetime
over one day. For debugging only: anyone can forge what this prints. Use \`claimgate verify\` to check.

Arguments:
  <token>      the compact JWT (a leading "Bearer " is ignored); - reads it from standard input
Options:
  --json       print { verified: false, header, payload, times, warnings } as JSON
  -h, --help   show this help

Exit status: 0 decoded (even with warnings), 1 not a decodable JWT, 2 usage error.
`;

/** `claimgate decode`: see its help text for arguments and exit statuses. */
export const decodeCommand: Command = {
  name: 'decode',
  summary: 'show a token’s header and payload without verification, with warnings',
  help: HELP,
  async run(argv, io) {
    const parsed = parseCommandArgs(argv, { json: { type: 'boolean' } }, io, HELP);
    if (parsed === undefined) return EXIT.ok;
    const { values, positionals } = parsed;
    const token = await readTokenArgument(positionals, io, 'decode');
    let header: ProtectedHeaderParameters;
    let payload: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      payload = decodeJwt(token);
    } catch {
      io.err(
        'claimgate decode: not a decodable JWT (expected header.payload.signature in base64url JSON).\n',
      );
      return EXIT.failure;
    }
    const now = Math.floor(Date.now() / 1000);
    const times = describeTimes(payload, now);
    const warnings = warningsFor(header, payload, now);
    if (values.json === true) {
      io.out(`${JSON.stringify({ verified: false, header, payload, times, warnings }, null, 2)}\n`);
      return EXIT.ok;
    }
    const lines = [
      'NOT VERIFIED: decoded without checking the signature. For debugging only; do not trust these values.',
      '',
      'Header:',
      indent(JSON.stringify(header, null, 2)),
      'Payload:',
      indent(JSON.stringify(payload, null, 2)),
    ];
    if (times.length > 0) {
      lines.push(
        'Times:',
        ...times.map((t) => `  ${t.claim.padEnd(3)}  ${t.iso}  (${t.relative})`),
      );
    }
    lines.push(
      warnings.length === 0 ? 'Warnings: none' : 'Warnings:',
      ...warnings.map((w) => `  ! ${w.message}`),
    );
    io.out(`${lines.join('\n')}\n`);
    return EXIT.ok;
  },
};

interface TimeClaim {
  readonly claim: 'iat' | 'nbf' | 'exp';
  readonly epoch: number;
  readonly iso: string;
  readonly relative: string;
}

function describeTimes(payload: JWTPayload, now: number): TimeClaim[] {
  const result: TimeClaim[] = [];
  for (const claim of ['iat', 'nbf', 'exp'] as const) {
    const epoch = payload[claim];
    if (typeof epoch !== 'number' || !Number.isFinite(epoch)) continue;
    const delta = epoch - now;
    const iso = Math.abs(epoch) < 8.64e12 ? new Date(epoch * 1000).toISOString() : 'out of range';
    const relative =
      delta === 0
        ? 'now'
        : delta > 0
          ? `in ${formatDuration(delta)}`
          : `${formatDuration(delta)} ago`;
    result.push({ claim, epoch, iso, relative });
  }
  return result;
}

function warningsFor(
  header: ProtectedHeaderParameters,
  payload: JWTPayload,
  now: number,
): { code: DecodeWarningCode; message: string }[] {
  const warnings: { code: DecodeWarningCode; message: string }[] = [];
  const alg = header.alg;
  if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
    warnings.push({
      code: 'alg-none',
      message: 'alg is "none": the token is unsigned and must never be accepted (RFC 8725 §3.1).',
    });
  } else if (typeof alg !== 'string' || !isAcceptedAlgorithm(alg)) {
    warnings.push({
      code: 'weak-algorithm',
      message: `alg ${JSON.stringify(alg)} is not one claimgate accepts (HS256/384/512, RS/PS256/384/512, ES256/384/512, EdDSA).`,
    });
  }
  const { exp, nbf, iat } = payload;
  if (typeof exp !== 'number') {
    warnings.push({
      code: 'no-exp',
      message:
        'no exp claim: the token never expires (RFC 8725 §3.10); claimgate refuses it by default.',
    });
  } else {
    if (exp <= now)
      warnings.push({ code: 'expired', message: `expired ${formatDuration(now - exp)} ago.` });
    const start = typeof iat === 'number' ? iat : typeof nbf === 'number' ? nbf : now;
    if (exp - start > LONG_LIFETIME_SECONDS) {
      warnings.push({
        code: 'long-lifetime',
        message: `lifetime of ${formatDuration(exp - start)} is over one day; access tokens should be short-lived.`,
      });
    }
  }
  if (typeof nbf === 'number' && nbf > now) {
    warnings.push({
      code: 'not-yet-valid',
      message: `not valid until ${formatDuration(nbf - now)} from now (nbf).`,
    });
  }
  return warnings;
}

function isAcceptedAlgorithm(alg: string): boolean {
  try {
    normalizeAlgorithms([alg]);
    return true;
  } catch {
    return false;
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
