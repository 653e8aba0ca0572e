// Scenario parsing, the timing profiles and the seeded PRNG, against literal expectations (the
// PRNG's values are mulberry32's, computed independently of this code).
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/core/simulator/random.js";
import {
  MAX_SLOW_MS,
  mergeScenarios,
  parseScenario,
  SCENARIO_NAMES,
  SCENARIOS,
} from "../../src/core/simulator/scenarios.js";
import {
  fastTiming,
  realisticTiming,
  type TimingProfile,
  timingProfile,
} from "../../src/core/simulator/timing.js";

const KNOWN =
  "succeed, fail, content-policy, rate-limit, concurrency, server-error, maintenance, quota, disconnect, slow:<ms>";

describe("parseScenario", () => {
  it.each([
    ["succeed", { succeed: true }],
    ["success", { succeed: true }],
    ["fail", { fail: true }],
    ["failed", { fail: true }],
    ["content-policy", { contentPolicy: true }],
    ["rate-limit", { rateLimit: true }],
    ["concurrency", { concurrency: true }],
    ["server-error", { serverError: true }],
    ["maintenance", { maintenance: true }],
    ["quota", { quota: true }],
    ["disconnect", { disconnect: true }],
    ["slow:0", { slowMs: 0 }],
    ["slow:250", { slowMs: 250 }],
    ["slow:60000", { slowMs: 60_000 }],
    ["slow:60001", { slowMs: 60_000 }],
    ["slow:999999999", { slowMs: 60_000 }],
    ["", {}],
    [" , ,", {}],
    [" FAIL , Slow:20 ,,quota", { fail: true, slowMs: 20, quota: true }],
  ])("%j", (text, expected) => {
    expect(parseScenario(text)).toEqual(expected);
  });

  it.each([
    ["bogus", "bogus"],
    ["  BoGuS  ", "BoGuS"],
    ["fail,nope", "nope"],
    ["slow:", "slow:"],
    ["slow:-1", "slow:-1"],
    ["slow:1234567890", "slow:1234567890"],
    ["slow:12x", "slow:12x"],
    ["xslow:12", "xslow:12"],
    ["slow:a", "slow:a"],
    ["slow 12", "slow 12"],
    [`${"y".repeat(45)} `, "y".repeat(40)],
  ])("refuses %j naming it and the known ones", (text, named) => {
    expect(parseScenario(text)).toBe(`unknown X-Mock-Scenario "${named}"; known: ${KNOWN}`);
  });

  it("lists every scenario with what it does", () => {
    expect(SCENARIOS).toEqual([
      { name: "succeed", what: "the task succeeds, whatever the failure rate" },
      { name: "fail", what: "accepted, then ends failed with a Kling reason" },
      { name: "content-policy", what: "400, Kling 1301 (risk control)" },
      { name: "rate-limit", what: "429, Kling 1302, with Retry-After" },
      { name: "concurrency", what: "429, Kling 1303, with Retry-After" },
      { name: "server-error", what: "500, Kling 5000" },
      { name: "maintenance", what: "503, Kling 5001, with Retry-After" },
      { name: "quota", what: "403 quota_not_enough" },
      {
        name: "disconnect",
        what: "processed (a submit creates its task), then the connection drops",
      },
      { name: "slow:<ms>", what: "adds real latency (at most 60 s)" },
    ]);
    expect(SCENARIO_NAMES.join(", ")).toBe(KNOWN);
    expect(MAX_SLOW_MS).toBe(60_000);
  });

  it("mergeScenarios: the request's fields win, the server's others stay", () => {
    expect(mergeScenarios({ fail: true, slowMs: 10 }, { slowMs: 20, quota: true })).toEqual({
      fail: true,
      slowMs: 20,
      quota: true,
    });
    expect(mergeScenarios({ fail: true }, {})).toEqual({ fail: true });
    expect(mergeScenarios({}, { succeed: true })).toEqual({ succeed: true });
  });
});

describe("timing", () => {
  it("fast: refresh at 0.3 s, processing at 1 s, done after (2 s + 0.3 s per video second), pro x1.5", () => {
    expect(fastTiming.name).toBe("fast");
    expect(fastTiming.schedule("std", 5)).toEqual({
      refreshAt: 300,
      processingAt: 1_000,
      finishAt: 3_500,
    });
    expect(fastTiming.schedule("std", 10).finishAt).toBe(5_000);
    expect(fastTiming.schedule("pro", 5).finishAt).toBe(5_250);
    expect(fastTiming.schedule("pro", 10).finishAt).toBe(7_500);
    expect(fastTiming.schedule("std", 0.001).finishAt).toBe(2_000);
    expect(fastTiming.schedule("pro", 0.003).finishAt).toBe(3_001);
  });

  it("realistic: refresh at 15 s, processing at 20 s, done after (60 s + 18 s per video second), pro x1.6", () => {
    expect(realisticTiming.name).toBe("realistic");
    expect(realisticTiming.schedule("std", 5)).toEqual({
      refreshAt: 15_000,
      processingAt: 20_000,
      finishAt: 150_000,
    });
    expect(realisticTiming.schedule("std", 10).finishAt).toBe(240_000);
    expect(realisticTiming.schedule("pro", 5).finishAt).toBe(240_000);
    expect(realisticTiming.schedule("pro", 10).finishAt).toBe(384_000);
    expect(realisticTiming.schedule("std", 0.00003).finishAt).toBe(60_001);
  });

  it("timingProfile resolves names, defaults to fast and passes a custom profile through", () => {
    const custom: TimingProfile = {
      name: "custom",
      schedule: () => ({ refreshAt: 1, processingAt: 2, finishAt: 3 }),
    };
    expect(timingProfile(undefined)).toBe(fastTiming);
    expect(timingProfile("fast")).toBe(fastTiming);
    expect(timingProfile("realistic")).toBe(realisticTiming);
    expect(timingProfile(custom)).toBe(custom);
  });
});

describe("seededRandom (mulberry32)", () => {
  const draws = (seed: number, n = 6) => {
    const r = seededRandom(seed);
    return Array.from({ length: n }, () => r.next());
  };

  it("draws mulberry32's sequence for a seed", () => {
    expect(draws(1)).toEqual([
      0.6270739405881613, 0.002735721180215478, 0.5274470399599522, 0.9810509674716741,
      0.9683778982143849, 0.281103502959013,
    ]);
    expect(draws(2, 4)).toEqual([
      0.7342509443406016, 0.32499843230471015, 0.28529605525545776, 0.5379551574587822,
    ]);
    expect(draws(0, 3)).toEqual([0.26642920868471265, 0.0003297457005828619, 0.2232720274478197]);
    expect(draws(42, 3)).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
  });

  it("takes the seed as an unsigned 32-bit integer", () => {
    expect(seededRandom(1).seed).toBe(1);
    expect(seededRandom(-1).seed).toBe(4_294_967_295);
    expect(draws(-1, 3)).toEqual([0.8964226141106337, 0.189478256739676, 0.7156526781618595]);
    expect(draws(4_294_967_297, 2)).toEqual(draws(1, 2));
  });

  it("stays in [0, 1)", () => {
    const r = seededRandom(7);
    for (let i = 0; i < 2_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});
