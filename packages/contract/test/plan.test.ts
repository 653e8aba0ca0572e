// Which checks a run executes, from the options and the registry's declarations alone: cost,
// the callback receiver, and the selection with what the selected checks wait on.
import { describe, expect, it } from "vitest";
import { type PlanOptions, planRun, RUNNABLE_CHECKS } from "../src/plan.js";

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
