// defineCheck and declareCheck on their own. This file imports nothing that runs at import time
// (the checks, the session), so that a mutant breaking those imports still fails a test here:
// Stryker's vitest runner does not count a file that fails to import as a failed test.
import { describe, expect, it } from "vitest";
import { type CallbackInbox, defineCheck } from "../../src/checks/define.js";
import { declareCheck } from "../../src/checks/metadata.js";
import type { LifecycleOutcome } from "../../src/checks/outcome.js";
import type { Session } from "../../src/session.js";

describe("defineCheck", () => {
  const empty = { failures: [], skipped: [] };
  const base = { name: "probe_only", billable: false, stage: "probe" } as const;

  it("declares nothing provided and nothing judged unless told", () => {
    const check = defineCheck({ ...base, needs: [], run: async () => empty });
    expect(check).toMatchObject({ ...base, needs: [], provides: [], judges: [] });
    const judged = declareCheck({ name: "judged", billable: true, stage: "main" });
    expect(judged).toEqual({ name: "judged", billable: true, stage: "main" });
    expect(
      defineCheck({
        ...base,
        needs: [],
        provides: ["task"],
        judges: [judged],
        run: async () => empty,
      }),
    ).toMatchObject({ provides: ["task"], judges: [judged] });
  });

  it("hands the context to the run, and refuses to run without what it needs", async () => {
    const check = defineCheck({
      ...base,
      needs: ["inbox", "task"],
      run: async ({ inbox, task }) => ({ failures: [], skipped: [inbox.url, String(task.taskId)] }),
    });
    const session = {} as Session;
    const inbox = { url: "http://inbox.test/x" } as CallbackInbox;
    const task = { taskId: "t-9" } as LifecycleOutcome;
    expect(await check.run({ session, inbox, task })).toEqual({
      failures: [],
      skipped: ["http://inbox.test/x", "t-9"],
    });
    await expect(check.run({ session, inbox })).rejects.toThrow(
      "probe_only ran without task: a bug in the runner",
    );
    await expect(check.run({ session })).rejects.toThrow(
      "probe_only ran without inbox, task: a bug in the runner",
    );
  });
});
