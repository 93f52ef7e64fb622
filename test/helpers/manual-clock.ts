/** A clock for tests: `now()` in ms since the epoch, moved only by `advance`. */
export interface ManualClock {
  now(): number;
  advance(ms: number): void;
}

/** A {@link ManualClock} starting at `start` (default: the real current time). */
export function createManualClock(start = Date.now()): ManualClock {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
}
