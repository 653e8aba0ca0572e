/**
 * Time for the simulator. Everything in the mock that waits (task progress, callback retries,
 * expiry) asks a Clock, so tests can swap real time for a virtual clock and advance it by hand.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, as this clock sees it. */
  now(): number;
  /** Runs `fn` once `ms` milliseconds have passed on this clock. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** An opaque timer handle. */
export type TimerHandle = { readonly id: number };

/** A clock whose time only moves when {@link VirtualClock.advance} is called. */
export interface VirtualClock extends Clock {
  readonly kind: "virtual";
  /**
   * Moves time forward by `ms`, firing due timers in time order (timers scheduled by a firing
   * timer fire too when they fall inside the window). Resolves after every fired callback ran.
   */
  advance(ms: number): Promise<void>;
  /** Timers not yet fired. */
  pending(): number;
}

/** Whether a clock is a {@link VirtualClock} (moved by hand). */
export function isVirtual(clock: Clock): clock is VirtualClock {
  return (clock as Partial<VirtualClock>).kind === "virtual";
}

/** Real time, from `Date.now` and the runtime's timers (unref'd so they never hold the process). */
export function systemClock(): Clock {
  const timers = new Map<number, ReturnType<typeof globalThis.setTimeout>>();
  let next = 0;
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = ++next;
      const t = globalThis.setTimeout(() => {
        timers.delete(id);
        fn();
      }, ms);
      t.unref?.();
      timers.set(id, t);
      return { id };
    },
    clearTimeout(handle) {
      const t = timers.get(handle.id);
      if (t !== undefined) globalThis.clearTimeout(t);
      timers.delete(handle.id);
    },
  };
}

/** The next turn of the event loop: `setImmediate` where the runtime has it (no 1 ms floor). */
const macrotask: (fn: () => void) => void =
  typeof globalThis.setImmediate === "function"
    ? (fn) => globalThis.setImmediate(fn)
    : (fn) => globalThis.setTimeout(fn, 0);

/** A clock for tests: starts at `start` (ms since epoch) and moves only on `advance`. */
export function virtualClock(start = Date.UTC(2026, 0, 1)): VirtualClock {
  let current = start;
  let next = 0;
  const timers = new Map<number, { at: number; seq: number; fn: () => void }>();
  return {
    kind: "virtual",
    now: () => current,
    setTimeout(fn, ms) {
      const id = ++next;
      timers.set(id, { at: current + Math.max(0, ms), seq: id, fn });
      return { id };
    },
    clearTimeout(handle) {
      timers.delete(handle.id);
    },
    pending: () => timers.size,
    async advance(ms) {
      if (!(ms >= 0)) throw new RangeError(`advance takes a non-negative number of ms, got ${ms}`);
      const end = current + ms;
      for (;;) {
        let due: [number, { at: number; seq: number; fn: () => void }] | undefined;
        for (const entry of timers) {
          const [, t] = entry;
          if (
            t.at <= end &&
            (!due || t.at < due[1].at || (t.at === due[1].at && t.seq < due[1].seq))
          )
            due = entry;
        }
        if (!due) break;
        timers.delete(due[0]);
        current = Math.max(current, due[1].at);
        due[1].fn();
        // Let promise chains started by the timer (e.g. a callback delivery) settle before the next.
        await new Promise<void>((resolve) => macrotask(resolve));
      }
      current = end;
    },
  };
}
