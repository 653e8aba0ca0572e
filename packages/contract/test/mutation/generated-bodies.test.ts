// positive_data_acceptance and negative_data_rejection: the bodies they send (generated from the
// literal document's CreateTaskRequest), how many, and the verdict on each kind of answer.
import { afterEach, describe, expect, it, vi } from "vitest";
import { activeMutations, negativeDataRejection } from "../../src/checks/negative.js";
import { positiveDataAcceptance } from "../../src/checks/positive.js";
import { MUTATIONS } from "../../src/generate/index.js";
import { type Answer, BASE, CREATE, fakeGateway, makeSession, type Seen } from "./support.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

const REJECTED: Answer = {
  status: 400,
  json: { code: "invalid_request", message: "bad", data: null },
};
const ACCEPTED: Answer = { status: 200, json: { code: 0, data: { task_id: "t" } } };
const LIMITED: Answer = {
  status: 429,
  headers: { "content-type": "application/json", "retry-after": "1", "x-count": "1" },
  text: "{}",
};

const bodyOf = (req: Seen) => JSON.parse(req.body ?? "null") as Record<string, unknown>;
/** The one rule whose bodies are told apart: `empty_image_list` (an empty array). */
const emptyImages = (req: Seen) => {
  try {
    const list = bodyOf(req).image_list;
    return Array.isArray(list) && list.length === 0;
  } catch {
    return false;
  }
};

const BILLABLE = MUTATIONS.filter((m) => m.billableIfAccepted).map((m) => m.rule);
const FREE = MUTATIONS.filter((m) => !m.billableIfAccepted).map((m) => m.rule);

describe("activeMutations", () => {
  it("runs the billable rules only with allowBillable, and skips them otherwise", () => {
    expect(BILLABLE).toEqual(["wrong_content_type"]);
    const free = activeMutations(false);
    expect(free.run.map((m) => m.rule)).toEqual(FREE);
    expect(free.skipped.map((m) => m.rule)).toEqual(["wrong_content_type"]);
    const all = activeMutations(true);
    expect(all.run).toEqual([...MUTATIONS]);
    expect(all.skipped).toEqual([]);
  });
});

describe("positive_data_acceptance", () => {
  it("submits validCases generated valid bodies with the run's key and its unique ids", async () => {
    const { seen } = fakeGateway(() => ACCEPTED);
    const { session } = makeSession({ validCases: 12 });
    expect(await positiveDataAcceptance(session)).toEqual({
      failures: [],
      skipped: [],
      generated: 12,
    });
    expect(seen).toHaveLength(12);
    expect(session.cases.get("positive_data_acceptance")).toBe(12);
    // Some bodies carry an external_task_id (the marker replaced by a unique id), some do not.
    const ids = seen.map((r) => bodyOf(r).external_task_id).filter((id) => id !== undefined);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(12);
    expect(new Set(ids).size).toBe(ids.length);
    for (const req of seen) {
      expect(req).toMatchObject({
        method: "POST",
        url: `${BASE}${CREATE}`,
        headers: {
          Authorization: "Bearer sk-test",
          Accept: "application/json",
          "Content-Type": "application/json",
        },
      });
      const body = bodyOf(req);
      expect(["kling-v1-6", "kling-v2-1"]).toContain(body.model);
      expect((body.image_list as unknown[]).length).toBeGreaterThanOrEqual(1);
      expect((body.image_list as unknown[]).length).toBeLessThanOrEqual(2);
      if ("external_task_id" in body)
        expect(body.external_task_id).toMatch(new RegExp(`^contract-${session.runId}-\\d+$`));
    }
  });

  it("uses only the run's images when given", async () => {
    const { seen } = fakeGateway(() => ACCEPTED);
    const { session } = makeSession({ validCases: 5, imageUrls: ["https://img.test/a.png"] });
    await positiveDataAcceptance(session);
    const images = seen.flatMap((r) =>
      (bodyOf(r).image_list as { image: string }[]).map((i) => i.image),
    );
    expect(new Set(images)).toEqual(new Set(["https://img.test/a.png"]));
  });

  it("takes every 2xx as accepted", async () => {
    fakeGateway((_req, i) => ({ ...ACCEPTED, status: [200, 201, 299][i % 3] as number }));
    const { session } = makeSession({ validCases: 3 });
    const { failures } = await positiveDataAcceptance(session);
    expect(failures.filter((f) => f.check === "positive_data_acceptance")).toEqual([]);
  });

  it.each([199, 300, 400])("fails a %i, with the seed that replays it", async (status) => {
    fakeGateway(() => ({ ...ACCEPTED, status }));
    const { session } = makeSession({ validCases: 3 });
    const outcome = await positiveDataAcceptance(session);
    const own = outcome.failures.filter((f) => f.check === "positive_data_acceptance");
    expect(own).toEqual([
      {
        check: "positive_data_acceptance",
        message: `a valid body was answered ${status}; the spec says it must be accepted with 200`,
        request: expect.objectContaining({ method: "POST", url: `${BASE}${CREATE}` }),
        response: {
          status,
          contentType: "application/json",
          body: '{"code":0,"data":{"task_id":"t"}}',
        },
        replay: expect.objectContaining({ seed: 7, runSeed: 7, rule: "valid" }),
      },
    ]);
    expect(outcome.generated).toBe(1);
  });

  it("does not judge a documented 429, and keeps the response checks' failures", async () => {
    fakeGateway(() => LIMITED);
    const { session } = makeSession({ validCases: 3 });
    expect(await positiveDataAcceptance(session)).toEqual({
      failures: [],
      skipped: [],
      generated: 3,
    });
    expect(session.inconclusive.get("positive_data_acceptance")).toBe(3);

    fakeGateway(() => ({ status: 429, text: "{}" }));
    const other = makeSession({ validCases: 3 }).session;
    const found = await positiveDataAcceptance(other);
    expect(new Set(found.failures.map((f) => f.check))).toEqual(
      new Set(["content_type_conformance", "response_headers_conformance"]),
    );
  });
});

describe("negative_data_rejection", () => {
  it("sends cases / rules bodies per rule (at least one), each with the rule's content type", async () => {
    for (const [cases, perRule] of [
      [FREE.length, 1],
      [FREE.length + 1, 2],
      [0, 1],
    ] as const) {
      const { seen } = fakeGateway(() => REJECTED);
      const { session } = makeSession({ cases, allowBillable: false });
      const outcome = await negativeDataRejection(session);
      expect(outcome).toEqual({
        failures: [],
        generated: FREE.length * perRule,
        skipped: [
          "negative_data_rejection rule wrong_content_type: a server that wrongly accepted it would bill a task (pass allowBillable)",
        ],
      });
      expect(seen).toHaveLength(FREE.length * perRule);
      expect(session.cases.get("negative_data_rejection")).toBe(FREE.length * perRule);
      for (const req of seen) {
        expect(req.headers).toEqual({
          Authorization: "Bearer sk-test",
          Accept: "application/json",
          "Content-Type": "application/json",
        });
      }
    }
  });

  it("runs every rule with allowBillable, the billable one with its own content types", async () => {
    const { seen } = fakeGateway(() => REJECTED);
    const { session } = makeSession({ cases: MUTATIONS.length });
    const outcome = await negativeDataRejection(session);
    expect(outcome).toEqual({ failures: [], generated: MUTATIONS.length, skipped: [] });
    const types = new Set(seen.map((r) => r.headers["Content-Type"]));
    expect(types.has("application/json")).toBe(true);
    expect(types.size).toBeGreaterThan(1);
  });

  async function oneRuleAnswered(answer: Answer) {
    fakeGateway((req) => (emptyImages(req) ? answer : REJECTED));
    const { session } = makeSession({ allowBillable: false });
    const outcome = await negativeDataRejection(session);
    const own = outcome.failures.filter((f) => f.check === "negative_data_rejection");
    return { own, outcome };
  }

  const WHAT = "an invalid body (empty_image_list: image_list shorter than minItems)";

  it("fails an invalid body that was accepted, with the rule and the seed that replay it", async () => {
    const { own } = await oneRuleAnswered(ACCEPTED);
    expect(own).toEqual([
      {
        check: "negative_data_rejection",
        message: `${WHAT} was answered 200; it must be rejected with a 4xx`,
        request: expect.objectContaining({ method: "POST" }),
        response: expect.objectContaining({ status: 200 }),
        replay: expect.objectContaining({
          rule: "empty_image_list",
          runSeed: 7,
          seed: 7 + FREE.indexOf("empty_image_list"),
        }),
      },
    ]);
    expect(JSON.parse(own[0]?.request?.body ?? "{}").image_list).toEqual([]);
  });

  it("fails a 3xx as accepted and a 5xx as a server error; a 4xx below 500 is a rejection", async () => {
    expect((await oneRuleAnswered({ ...ACCEPTED, status: 399 })).own[0]?.message).toBe(
      `${WHAT} was answered 399; it must be rejected with a 4xx`,
    );
    expect((await oneRuleAnswered({ ...REJECTED, status: 500 })).own[0]?.message).toBe(
      `${WHAT} was answered 500, a server error; it must be rejected with a 4xx`,
    );
    expect((await oneRuleAnswered({ ...REJECTED, status: 599 })).own[0]?.message).toBe(
      `${WHAT} was answered 599, a server error; it must be rejected with a 4xx`,
    );
    expect((await oneRuleAnswered({ ...REJECTED, status: 499 })).own).toEqual([]);
    expect((await oneRuleAnswered({ ...REJECTED, status: 400 })).own).toEqual([]);
  });

  it("fails a rejection outside the gateway's error envelopes, or not JSON", async () => {
    const invalid = await oneRuleAnswered({ status: 400, json: { invalid: true } });
    expect(invalid.own.map((f) => f.message)).toEqual([
      `${WHAT} was answered 400 but not in either of the gateway's error envelopes (#/components/schemas/ErrorResponse): #/invalid fails #/stub/not`,
    ]);
    const text = await oneRuleAnswered({
      status: 400,
      headers: { "content-type": "application/json" },
      text: "oops",
    });
    expect(text.own.map((f) => f.message)).toEqual([
      `${WHAT} was answered 400 but not in either of the gateway's error envelopes (#/components/schemas/ErrorResponse): body is not JSON`,
    ]);
  });

  it("judges nothing without an answer, but keeps the transport failures", async () => {
    const { own, outcome } = await oneRuleAnswered(new TypeError("fetch failed"));
    expect(own).toEqual([]);
    expect(outcome.failures.map((f) => f.check)).toContain("not_a_server_error");
  });
});
