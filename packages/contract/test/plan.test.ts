// Which checks a run executes, from the options and the registry's declarations alone: cost,
// the callback receiver, and the selection with what the selected checks wait on.
import { json, startServer } from "@kling-multi-image/test-support";
import { describe, expect, it } from "vitest";
import { type PlanOptions, planRun, RUNNABLE_CHECKS } from "../src/plan.js";
import { runContract } from "../src/run.js";

/** Every runnable check's decision, by name. */
function plan(options: PlanOptions) {
  const decide = planRun(options);
  return Object.fromEntries(RUNNABLE_CHECKS.map((check) => [check.name, decide(check)]));
}

const BILLABLE =
  "submits tasks, billable on a real gateway (pass --allow-billable / allowBillable: true)";
const runs = (needsInbox = false) => ({ run: true, needsInbox });

describe("planRun", () => {
  it("runs the free checks and lists the billable ones as skipped without allowBillable", () => {
    const skipped = { run: false, reason: BILLABLE, listed: true };
    expect(plan({})).toEqual({
      negative_data_rejection: runs(),
      positive_data_acceptance: skipped,
      ignored_auth: runs(),
      unknown_task: runs(),
      lifecycle: skipped,
      callbacks: skipped,
    });
  });

  it("opens the callback receiver for the task's creator and the callbacks check", () => {
    expect(plan({ allowBillable: true })).toEqual({
      negative_data_rejection: runs(),
      positive_data_acceptance: runs(),
      ignored_auth: runs(),
      unknown_task: runs(),
      lifecycle: runs(true),
      callbacks: runs(true),
    });
  });

  it("skips the callbacks check, and says why, with callbacks: false", () => {
    const decided = plan({ allowBillable: true, callbacks: false });
    expect(decided.lifecycle).toEqual(runs());
    expect(decided.callbacks).toEqual({
      run: false,
      reason: "disabled (callbacks: false)",
      listed: true,
    });
  });

  it("runs what a selected check waits on, and nothing else", () => {
    const notSelected = { run: false, reason: "not selected", listed: false };
    expect(plan({ allowBillable: true, only: ["callbacks"] })).toEqual({
      negative_data_rejection: notSelected,
      positive_data_acceptance: notSelected,
      ignored_auth: notSelected,
      unknown_task: notSelected,
      lifecycle: runs(true),
      callbacks: runs(true),
    });
  });

  it("runs the lifecycle for a check it judges, and lists a check that waits on a receiver as not selected", () => {
    const decided = plan({ allowBillable: true, only: ["ensure_resource_availability"] });
    expect(decided.lifecycle).toEqual(runs());
    expect(decided.callbacks).toEqual({ run: false, reason: "not selected", listed: true });
  });
});

describe("the callback inbox a run opens", () => {
  it("gives the public URL, without its trailing slash, plus the run's path as callback_url", async () => {
    const server = await startServer((_hit, res) =>
      json(res, 400, { code: "invalid_request", message: "no", data: null }),
    );
    try {
      await runContract({
        baseUrl: server.url,
        apiKey: "k",
        allowBillable: true,
        only: ["callbacks"],
        callbackWaitMs: 0,
        lifecycleTimeoutMs: 1_000,
        callbacks: { publicUrl: "https://hooks.example.test/base//" },
      });
    } finally {
      await server.close();
    }
    const urls = server.hits
      .filter((hit) => hit.method === "POST")
      .map((hit) => (JSON.parse(hit.body) as { callback_url?: string }).callback_url)
      .filter((url) => url !== undefined);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      expect(url).toMatch(/^https:\/\/hooks\.example\.test\/base\/kling-contract\/[^/]+$/);
    }
  });
});
