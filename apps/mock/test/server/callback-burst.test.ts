// Callbacks are bounded: a burst of submits naming a receiver that accepts and never answers
// must not use up the mock's file descriptors. The mock runs in a child under `ulimit -n 256`;
// the same burst against a mock whose bounds are lifted shows the limit is really reached.
import { createServer } from "node:net";
import { type Listening, listen } from "@kling-multi-image/test-support";
import { afterEach, describe, expect, it } from "vitest";
import { type ChildMock, startChildMock } from "../support/child.js";
import { CREATE, seedBody } from "../support/harness.js";

const FD_LIMIT = 256;
const SUBMITS = 400;

let mock: ChildMock | undefined;
let receiver: Listening | undefined;
afterEach(async () => {
  await mock?.stop();
  await receiver?.close();
  mock = undefined;
  receiver = undefined;
});

/** A receiver that accepts connections and never answers; counts what it holds at most. */
async function hangingReceiver(): Promise<{ url: string; peak: () => number }> {
  let open = 0;
  let peak = 0;
  const server = createServer((socket) => {
    peak = Math.max(peak, ++open);
    socket.on("close", () => open--);
    socket.on("error", () => {});
  });
  receiver = await listen(server, "/hook");
  return { url: receiver.url, peak: () => peak };
}

/** Submits in waves of 25 while checking the health route keeps answering. */
async function burst(url: string, callbackUrl: string) {
  let healthFailures = 0;
  let submitFailures = 0;
  const health = async () => {
    try {
      const r = await fetch(`${url}/__mock/health`, { signal: AbortSignal.timeout(5_000) });
      if (r.status !== 200) healthFailures++;
      await r.arrayBuffer();
    } catch {
      healthFailures++;
    }
  };
  for (let i = 0; i < SUBMITS; i += 25) {
    const wave = Array.from({ length: 25 }, async () => {
      try {
        const r = await fetch(url + CREATE, {
          method: "POST",
          headers: { authorization: "Bearer k", "content-type": "application/json" },
          body: JSON.stringify({ ...seedBody, callback_url: callbackUrl }),
          signal: AbortSignal.timeout(5_000),
        });
        if (r.status !== 200) submitFailures++;
        await r.arrayBuffer();
      } catch {
        submitFailures++;
      }
    });
    await Promise.all([...wave, health()]);
  }
  // Give the deliveries time to open their sockets, then check once more.
  await new Promise((r) => setTimeout(r, 500));
  await health();
  return { healthFailures, submitFailures };
}

async function emfileDeliveries(url: string): Promise<number> {
  const r = await fetch(`${url}/__mock/callbacks`);
  const log = (await r.json()) as { deliveries: { error?: string }[] };
  return log.deliveries.filter((d) => /EMFILE|ENFILE/.test(d.error ?? "")).length;
}

describe("callback deliveries under a low descriptor limit", () => {
  it("stay within their bound: the API keeps answering and no delivery fails with EMFILE", async () => {
    const hook = await hangingReceiver();
    mock = await startChildMock({ callbackMaxAttempts: 1 }, FD_LIMIT);
    const result = await burst(mock.url, hook.url);
    expect(result).toEqual({ healthFailures: 0, submitFailures: 0 });
    expect(hook.peak()).toBeLessThanOrEqual(8); // the per-target bound
    expect(await emfileDeliveries(mock.url)).toBe(0);
  }, 60_000);

  it("without the bound, the same burst runs out of descriptors (so the test above bites)", async () => {
    const hook = await hangingReceiver();
    mock = await startChildMock(
      { callbackMaxAttempts: 1, callbackConcurrency: 10_000, callbackConcurrencyPerTarget: 10_000 },
      FD_LIMIT,
    );
    const result = await burst(mock.url, hook.url);
    const emfile = await emfileDeliveries(mock.url).catch(() => Number.NaN);
    expect(hook.peak()).toBeGreaterThan(FD_LIMIT / 2);
    // Out of descriptors: deliveries fail with EMFILE, or the mock stops answering.
    expect(emfile > 0 || result.healthFailures > 0 || result.submitFailures > 0).toBe(true);
  }, 60_000);
});
