import { request } from 'node:http';

/** What a raw HTTP request came back with. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * POSTs JSON with `node:http`, which sends an array header value as repeated header lines (fetch
 * would merge them into one): for duplicate `Authorization` headers.
 */
export function rawPost(
  url: string,
  headers: Record<string, string | string[]>,
  body: unknown,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.end(JSON.stringify(body));
  });
}
