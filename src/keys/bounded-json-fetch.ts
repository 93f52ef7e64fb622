import { KeySourceError } from './key-source.js';

/** The fetch function claimgate calls for JWKS and discovery documents. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Wraps `fetchImpl` so that only a 200 answer with a JSON body of at most `maxBytes` bytes gets
 * through; anything else throws a {@link KeySourceError} naming the URL and what was wrong. The
 * body is read under the caller's abort signal, so a slow body counts against the timeout.
 */
export function boundedJsonFetch(fetchImpl: FetchFunction, maxBytes: number): FetchFunction {
  return async (url, init) => {
    const response = await fetchImpl(url, init);
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new KeySourceError(
        'http-status',
        `claimgate: ${url} answered HTTP ${response.status}; expected 200.`,
      );
    }
    const text = await readText(response, maxBytes, url);
    try {
      JSON.parse(text);
    } catch (cause) {
      throw new KeySourceError('invalid-json', `claimgate: ${url} did not answer JSON.`, { cause });
    }
    return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

async function readText(response: Response, maxBytes: number, url: string): Promise<string> {
  const tooLarge = () =>
    new KeySourceError(
      'too-large',
      `claimgate: the body from ${url} exceeds ${maxBytes} bytes; raise \`maxResponseBytes\` if this is expected.`,
    );
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (response.body === null) return '';
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
