// The registry: every check once, in report order, with what it declares (the names are literals
// here: they are the package's public contract), the lists derived from it, and each run handing
// its context to the check function it wraps.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Delivery, Receiver } from "../../src/callbacks/receiver.js";
import { ignoredAuth, ignoredAuthCheck } from "../../src/checks/auth.js";
import { callbacksCheck } from "../../src/checks/callbacks.js";
import type { CallbackInbox } from "../../src/checks/define.js";
import { lifecycleCheck } from "../../src/checks/lifecycle.js";
import { negativeDataRejection, negativeDataRejectionCheck } from "../../src/checks/negative.js";
import type { LifecycleOutcome } from "../../src/checks/outcome.js";
import { positiveDataAcceptance, positiveDataAcceptanceCheck } from "../../src/checks/positive.js";
import { CHECKS, isRunnable } from "../../src/checks/registry.js";
import { unknownTask, unknownTaskCheck } from "../../src/checks/unknown-task.js";
import { BILLABLE_CHECKS, CHECK_NAMES, RESPONSE_CHECKS } from "../../src/names.js";
import { type Answer, BASE, CREATE, fakeGateway, makeSession, query } from "./support.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

const NO_TASK = "no task was accepted to follow (see lifecycle)";

describe("the registry", () => {
  it("lists every check once, in report order, with its cost, stage, needs and what it provides", () => {
    expect(
      CHECKS.map((check) => ({
        name: check.name,
        billable: check.billable,
        stage: check.stage,
        runnable: isRunnable(check),
        ...("needs" in check
          ? {
              needs: check.needs,
              provides: check.provides,
              judges: check.judges.map((judged) => judged.name),
            }
          : {}),
        ...(check.emptyReason === undefined ? {} : { emptyReason: check.emptyReason }),
      })),
    ).toEqual([
      { name: "not_a_server_error", billable: false, stage: "response", runnable: false },
      { name: "status_code_conformance", billable: false, stage: "response", runnable: false },
      { name: "content_type_conformance", billable: false, stage: "response", runnable: false },
      { name: "response_headers_conformance", billable: false, stage: "response", runnable: false },
      { name: "response_schema_conformance", billable: false, stage: "response", runnable: false },
      {
        name: "negative_data_rejection",
        billable: false,
        stage: "main",
        runnable: true,
        needs: [],
        provides: [],
        judges: [],
      },
      {
        name: "positive_data_acceptance",
        billable: true,
        stage: "main",
        runnable: true,
        needs: [],
        provides: [],
        judges: [],
      },
      {
        name: "ignored_auth",
        billable: false,
        stage: "probe",
        runnable: true,
        needs: [],
        provides: [],
        judges: [],
      },
      {
        name: "unknown_task",
        billable: false,
        stage: "probe",
        runnable: true,
        needs: [],
        provides: [],
        judges: [],
      },
      {
        name: "ensure_resource_availability",
        billable: true,
        stage: "main",
        runnable: false,
        emptyReason: NO_TASK,
      },
      {
        name: "lifecycle",
        billable: true,
        stage: "main",
        runnable: true,
        needs: [],
        provides: ["task"],
        judges: ["ensure_resource_availability"],
      },
      {
        name: "callbacks",
        billable: true,
        stage: "main",
        runnable: true,
        needs: ["inbox", "task"],
        provides: [],
        judges: [],
      },
    ]);
  });

  it("derives the public name lists from it", () => {
    expect(CHECK_NAMES).toEqual([
      "not_a_server_error",
      "status_code_conformance",
      "content_type_conformance",
      "response_headers_conformance",
      "response_schema_conformance",
      "negative_data_rejection",
      "positive_data_acceptance",
      "ignored_auth",
      "unknown_task",
      "ensure_resource_availability",
      "lifecycle",
      "callbacks",
    ]);
    expect(RESPONSE_CHECKS).toEqual(CHECK_NAMES.slice(0, 5));
    expect(BILLABLE_CHECKS).toEqual([
      "positive_data_acceptance",
      "ensure_resource_availability",
      "lifecycle",
      "callbacks",
    ]);
  });
});

describe("each run wraps its check function", () => {
  const UNAUTHORIZED: Answer = { status: 401, json: { error: { message: "no" } } };
  const NOT_EXIST: Answer = { status: 400, json: { code: "task_not_exist", data: null } };
  const REJECTED: Answer = { status: 400, json: { code: "invalid_request", data: null } };
  const ACCEPTED: Answer = { status: 200, json: { code: 0, data: { task_id: "t" } } };

  it.each([
    ["ignored_auth", UNAUTHORIZED, ignoredAuthCheck, ignoredAuth],
    ["unknown_task", NOT_EXIST, unknownTaskCheck, unknownTask],
    ["negative_data_rejection", REJECTED, negativeDataRejectionCheck, negativeDataRejection],
    ["positive_data_acceptance", ACCEPTED, positiveDataAcceptanceCheck, positiveDataAcceptance],
  ] as const)("%s", async (name, answer, check, direct) => {
    fakeGateway(() => answer);
    const viaRun = makeSession().session;
    const outcome = await check.run({ session: viaRun });
    const directly = makeSession().session;
    expect(outcome).toEqual(await direct(directly));
    expect(viaRun.cases.get(name)).toBeGreaterThan(0);
    expect(viaRun.cases.get(name)).toBe(directly.cases.get(name));
  });

  it("lifecycle submits with the inbox's URL when there is one, and provides its task", async () => {
    const { seen } = fakeGateway((req) =>
      req.method === "POST" ? ACCEPTED : query("FAILURE", "100%", "failed"),
    );
    const { session } = makeSession();
    const inbox = { url: "http://inbox.test/kling-contract/run" } as CallbackInbox;
    const outcome = await lifecycleCheck.run({ session, inbox });
    expect(outcome).toEqual({
      failures: [],
      skipped: [],
      provided: { task: expect.objectContaining({ taskId: "t", finalKlingStatus: "failed" }) },
    });
    expect(JSON.parse(seen[0]?.body ?? "{}").callback_url).toBe(inbox.url);
    expect(session.cases.get("ensure_resource_availability")).toBe(1);

    const again = fakeGateway((req) =>
      req.method === "POST" ? ACCEPTED : query("FAILURE", "100%", "failed"),
    );
    await lifecycleCheck.run({ session: makeSession().session });
    expect(JSON.parse(again.seen[0]?.body ?? "{}")).not.toHaveProperty("callback_url");
  });

  it("callbacks reads the inbox's receiver at its path, about the task it is given", async () => {
    const delivery = (path: string, status: string): Delivery => ({
      path,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ task_id: "t-1", task_status: status }),
      receivedAt: 0,
    });
    const receiver = {
      url: "http://127.0.0.1:9",
      deliveries: [
        delivery("/mine", "submitted"),
        delivery("/other", "x"),
        delivery("/mine", "failed"),
      ],
      close: async () => {},
    } as unknown as Receiver;
    const task: LifecycleOutcome = {
      failures: [],
      skipped: [],
      history: [],
      taskId: "t-1",
      finalKlingStatus: "failed",
    };
    const { session } = makeSession();
    const inbox = { receiver, path: "/mine", url: `${BASE}${CREATE}` };
    expect(await callbacksCheck.run({ session, inbox, task })).toEqual({
      failures: [],
      skipped: [],
    });
    expect(session.cases.get("callbacks")).toBe(2);
  });
});
