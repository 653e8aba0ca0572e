// The contract kit, as a user's CI runs it, against two mock replicas that share one Redis behind
// a round-robin proxy: every request may land on either replica, and the API still honours its
// contract (lifecycle, callbacks signed and in order, external ids, errors). Real processes'
// worth of parts: a redis-server, two mock servers, a proxy and the kit, all on loopback.
import { runContract } from "@kling-multi-image/contract";
import { createMockServer, type MockServer } from "@kling-multi-image/mock";
import {
  type RedisServer,
  type RoundRobinProxy,
  startRedis,
  startRoundRobinProxy,
} from "@kling-multi-image/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const apiKey = "sk-replicas-0001";
const secret = `whsec_${Buffer.from("replica-contract-secret-32-bytes").toString("base64")}`;

let redis: RedisServer;
let replicas: MockServer[] = [];
let proxy: RoundRobinProxy;

beforeAll(async () => {
  redis = await startRedis();
  const options = {
    clock: "virtual" as const,
    keys: [apiKey],
    webhookSecret: secret,
    log: false as const,
    store: redis.url as `redis://${string}`,
    storePrefix: "contract:",
  };
  replicas = [await createMockServer(options), await createMockServer(options)];
  proxy = await startRoundRobinProxy(replicas.map((r) => r.url));
});

afterAll(async () => {
  await proxy?.close();
  for (const r of replicas) await r.close();
  await redis?.stop();
});

describe("two replicas on one Redis behind a round-robin proxy", () => {
  it("pass the contract kit, every check, with requests spread over both", async () => {
    const report = await runContract({
      baseUrl: proxy.url,
      apiKey,
      seed: 17,
      cases: 300,
      validCases: 20,
      allowBillable: true,
      callbackSecret: secret,
      // The shared virtual clock, moved through whichever replica the proxy picks.
      advance: async (ms) => {
        const res = await fetch(`${proxy.url}/__mock/clock/advance`, {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
          body: JSON.stringify({ ms }),
        });
        if (!res.ok) throw new Error(`advance: ${res.status} ${await res.text()}`);
      },
    });
    const failed = report.checks.filter((c) => c.status !== "passed");
    expect(failed, JSON.stringify(failed, null, 2).slice(0, 4_000)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === "callbacks")?.cases).toBeGreaterThanOrEqual(2);
    // Both replicas answered a share of the run.
    expect(Math.min(...proxy.counts)).toBeGreaterThan(50);
  });
});
