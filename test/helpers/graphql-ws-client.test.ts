import type { Client, Sink } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { subscribe, type Result } from './graphql-ws-client.js';

/** A graphql-ws client stand-in that hands the test the sink of the one subscription. */
function fakeClient(): { client: Client; sink: () => Sink<Result> } {
  let captured: Sink<Result> | undefined;
  const client = {
    subscribe: (_payload: unknown, sink: Sink<Result>) => {
      captured = sink;
      return () => undefined;
    },
  } as unknown as Client;
  return {
    client,
    sink: () => {
      if (captured === undefined) throw new Error('no subscription yet');
      return captured;
    },
  };
}

describe('the subscribe test helper', () => {
  it('resolves nth(n) with the n-th result, before or after it arrives', async () => {
    const { client, sink } = fakeClient();
    const sub = subscribe(client, 'subscription { ticks }');
    const second = sub.nth(2);
    sink().next({ data: { ticks: 1 } });
    sink().next({ data: { ticks: 2 } });
    await expect(second).resolves.toEqual({ data: { ticks: 2 } });
    await expect(sub.nth(1)).resolves.toEqual({ data: { ticks: 1 } });
  });

  it('rejects a pending nth(n) when the subscription completes first', async () => {
    const { client, sink } = fakeClient();
    const sub = subscribe(client, 'subscription { ticks }');
    const second = sub.nth(2);
    sink().next({ data: { ticks: 1 } });
    sink().complete();
    await expect(second).rejects.toThrow(
      'subscription ended (complete) after 1 result(s), before result 2',
    );
    await expect(sub.ended).resolves.toEqual({ kind: 'complete' });
  });

  it('rejects nth(n) at once after the subscription ended with an error', async () => {
    const { client, sink } = fakeClient();
    const sub = subscribe(client, 'subscription { ticks }');
    sink().error({ code: 4403, reason: 'TOKEN_EXPIRED' });
    await expect(sub.nth(1)).rejects.toThrow(
      'subscription ended (error: close 4403 TOKEN_EXPIRED) after 0 result(s), before result 1',
    );
  });

  it('rejects nth(n) after its timeout when nothing arrives', async () => {
    const { client } = fakeClient();
    const sub = subscribe(client, 'subscription { ticks }');
    await expect(sub.nth(1, 20)).rejects.toThrow('result 1 did not arrive within 20 ms (0 so far)');
  });
});
