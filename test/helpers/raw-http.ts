import { request } from 'node:http';
import { connect } from 'node:net';

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

/**
 * Sends `GET <target>` over a plain socket, so that a request target `fetch` and `node:http` would
 * refuse to send (`//[`) reaches the server as is. Resolves with the status code of the answer.
 */
export function rawGetStatus(url: string, target: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to GET ${target}`)));
    let head = '';
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(head);
      if (match !== null) {
        resolve(Number(match[1]));
        socket.destroy();
      }
    });
    socket.on('close', () => reject(new Error(`connection closed before a status for ${target}`)));
    socket.write(`GET ${target} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
  });
}
