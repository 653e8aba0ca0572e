// The kit must be able to fail: each deliberately broken server trips the check named for its
// defect, with a message that says what was wrong and a request that replays it.
import { json, startServer } from "@kling-multi-image/test-support";
import { afterEach, describe, expect, it } from "vitest";
import type { CheckName } from "../src/names.js";
import { formatReport } from "../src/report/text.js";
import { runContract } from "../src/run.js";
import type { ContractOptions, ContractReport, Failure } from "../src/types.js";
import { type Breaks, type FakeGateway, startFakeGateway } from "./support/fake-gateway.js";

const apiKey = "sk-test-broken-0001";
const secret = `whsec_${Buffer.from("contract-test-secret-key-32bytes").toString("base64")}`;
let server: FakeGateway | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function against(
  breaks: Breaks,
  extra: Partial<ContractOptions> = {},
  withSecret = false,
): Promise<ContractReport> {
  server = await startFakeGateway({ apiKey, breaks, ...(withSecret ? { secret } : {}) });
  const s = server;
  return runContract({
    baseUrl: s.url,
    apiKey,
    seed: 7,
    cases: 120,
    validCases: 10,
    advance: (ms) => s.advance(ms),
    pollIntervalMs: 1_000,
    lifecycleTimeoutMs: 30_000,
    callbackWaitMs: 1_000,
    ...extra,
  });
}

function failuresOf(report: ContractReport, name: CheckName): Failure[] {
  return report.checks.find((c) => c.name === name)?.failures ?? [];
}

function failedNames(report: ContractReport): CheckName[] {
  return report.checks.filter((c) => c.status === "failed").map((c) => c.name);
}

describe("the kit fails a broken server with the right named check", () => {
  it("wrong field type → response_schema_conformance names the field and the rule", async () => {
    const report = await against({ wrongFieldType: true }, { allowBillable: true });
    expect(report.ok).toBe(false);
    expect(failedNames(report)).toContain("response_schema_conformance");
    const [failure] = failuresOf(report, "response_schema_conformance");
    expect(failure?.message).toMatch(
      /GET \/kling\/v1\/videos\/multi-image2video\/\{task_id\} 200 body does not match/,
    );
    expect(failure?.message).toContain(
      "#/data/progress fails #/components/schemas/GatewayTask/properties/progress/type",
    );
    expect(failure?.request?.method).toBe("GET");
    // One schema error on every poll is reported once, with a count.
    expect(failure?.occurrences).toBeGreaterThan(1);
  });

  it("missing required field → response_schema_conformance names `required`", async () => {
    const report = await against({ missingRequired: true }, { allowBillable: true });
    const failures = failuresOf(report, "response_schema_conformance");
    expect(failures.map((f) => f.message).join("\n")).toMatch(
      /POST \/kling\/v1\/videos\/multi-image2video 200 body does not match .*DocumentedCreateTaskResponse\/properties\/data\/required/,
    );
  });

  it("500 on bad input → not_a_server_error and negative_data_rejection, with a shrunk reproducer and its seed", async () => {
    const report = await against({ serverErrorOnBadInput: true });
    expect(failedNames(report)).toEqual(
      expect.arrayContaining([
        "not_a_server_error",
        "negative_data_rejection",
        "content_type_conformance",
      ]),
    );
    const rejection = failuresOf(report, "negative_data_rejection").find(
      (f) => f.replay?.rule === "numeric_duration",
    );
    expect(rejection?.message).toMatch(/numeric_duration.*answered 500, a server error/);
    expect(rejection?.replay?.runSeed).toBe(7);
    // Shrunk: one image, the smallest prompt, and duration still a number.
    const body = JSON.parse(rejection?.request?.body ?? "{}") as Record<string, unknown>;
    expect(typeof body.duration).toBe("number");
    expect(body.image_list).toHaveLength(1);
    expect(String(body.prompt)).toHaveLength(1);
    expect(formatReport(report, apiKey)).toMatch(/reproduce with --seed 7/);
  });

  it("a status that goes backwards → lifecycle", async () => {
    const report = await against({ statusBackwards: true }, { allowBillable: true });
    expect(failedNames(report)).toEqual(["lifecycle"]);
    expect(failuresOf(report, "lifecycle")[0]?.message).toMatch(
      /moved backwards at poll \d+: IN_PROGRESS\/processing 30% → SUBMITTED\/submitted 10%/,
    );
  });

  it("a gateway status that disagrees with Kling's nested status → lifecycle", async () => {
    const report = await against({ inconsistentStatus: true }, { allowBillable: true });
    expect(failuresOf(report, "lifecycle")[0]?.message).toMatch(
      /says status SUCCESS but Kling's nested task_status is processing, which the gateway maps to IN_PROGRESS/,
    );
  });

  it("a task that never finishes → lifecycle, within the bound, on virtual time", async () => {
    const started = Date.now();
    const report = await against(
      { neverFinishes: true },
      { allowBillable: true, callbacks: false },
    );
    expect(failuresOf(report, "lifecycle")[0]?.message).toMatch(
      /did not reach SUCCESS or FAILURE within 30000 ms \(30000 ms of virtual time/,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("an unsigned callback when a secret is expected → callbacks", async () => {
    const report = await against(
      { unsignedCallbacks: true },
      { allowBillable: true, callbackSecret: secret },
      true,
    );
    expect(failedNames(report)).toEqual(["callbacks"]);
    expect(failuresOf(report, "callbacks")[0]?.message).toMatch(
      /bad signature: unsigned: missing webhook-id, webhook-timestamp, webhook-signature/,
    );
  });

  it("a callback signed with another secret → callbacks", async () => {
    const other = `whsec_${Buffer.from("another-secret-another-secret-32").toString("base64")}`;
    const report = await against({}, { allowBillable: true, callbackSecret: other }, true);
    expect(failuresOf(report, "callbacks")[0]?.message).toMatch(/no v1 signature .* matches/);
  });

  it("callbacks out of order → callbacks", async () => {
    const report = await against({ callbacksOutOfOrder: true }, { allowBillable: true });
    expect(
      failuresOf(report, "callbacks")
        .map((f) => f.message)
        .join("\n"),
    ).toMatch(/out of order: submitted → succeed → processing/);
  });

  it("a wrong content type → content_type_conformance", async () => {
    const report = await against(
      { wrongContentType: true },
      { only: ["ignored_auth", "unknown_task"] },
    );
    expect(failuresOf(report, "content_type_conformance")[0]?.message).toMatch(
      /401 has Content-Type "text\/plain"; the spec documents application\/json/,
    );
  });

  it("an undocumented status → status_code_conformance lists the documented ones", async () => {
    const report = await against({ undocumentedStatus: true }, { cases: 28 });
    expect(failedNames(report)).toEqual(["status_code_conformance"]);
    expect(failuresOf(report, "status_code_conformance")[0]?.message).toMatch(
      /POST \/kling\/v1\/videos\/multi-image2video answered 422, which the spec does not document \(documented: 200, 400, 401, 403, 404, 413, 429, 500, 503, 504\)/,
    );
  });

  it("a key that is not checked → ignored_auth", async () => {
    const report = await against({ acceptsAnyKey: true });
    expect(failedNames(report)).toEqual(["ignored_auth"]);
    const messages = failuresOf(report, "ignored_auth").map((f) => f.message);
    expect(messages).toContain(
      "POST /kling/v1/videos/multi-image2video with a wrong API key was answered 200; it must be refused with 401",
    );
  });

  it("unknown task answered 404 → unknown_task", async () => {
    const report = await against({ unknownTask404: true });
    expect(failedNames(report)).toEqual(["unknown_task"]);
    expect(failuresOf(report, "unknown_task")[0]?.message).toMatch(
      /answered 404; the spec documents 400 task_not_exist/,
    );
  });

  it("a prompt limit not enforced → negative_data_rejection shrinks to 2501 characters", async () => {
    const report = await against({ noPromptLimit: true });
    const failure = failuresOf(report, "negative_data_rejection").find(
      (f) => f.replay?.rule === "over_long_prompt",
    );
    expect(failure?.message).toMatch(/over_long_prompt.*was answered 200/);
    const body = JSON.parse(failure?.request?.body ?? "{}") as { prompt?: string };
    expect([...(body.prompt ?? "")]).toHaveLength(2501);
  });

  it("a bad Retry-After on 429 → response_headers_conformance", async () => {
    const report = await against({ badRetryAfter: true });
    expect(failuresOf(report, "response_headers_conformance")[0]?.message).toMatch(
      /429 header Retry-After: "soon" does not match #\/components\/headers\/RetryAfter\/schema/,
    );
  });

  it("a video URL that is not video/mp4 → lifecycle", async () => {
    const report = await against({ videoNotMp4: true }, { allowBillable: true });
    expect(failuresOf(report, "lifecycle")[0]?.message).toMatch(
      /video URL of succeeded task .* Content-Type text\/html; expected 200\/206 video\/mp4/,
    );
  });

  it("the observed create shape is accepted (both shapes are in the spec)", async () => {
    const report = await against({ observedShape: true }, { allowBillable: true });
    expect(report.ok, formatReport(report)).toBe(true);
  });

  it("a documented 429 on valid submits is noted as inconclusive, not failed", async () => {
    const report = await against(
      { rateLimitSubmits: true },
      { allowBillable: true, validCases: 10, cases: 14 },
    );
    expect(failuresOf(report, "positive_data_acceptance")).toEqual([]);
    expect(report.skipped.join("\n")).toMatch(
      /positive_data_acceptance: \d+ answer\(s\) were a documented, transient 429\/503/,
    );
  });

  it("only the given images are sent in bodies meant to be accepted", async () => {
    const images = ["https://cdn.example.org/a.png", "https://cdn.example.org/b.jpg"];
    const report = await against(
      {},
      { allowBillable: true, validCases: 10, cases: 14, imageUrls: images },
    );
    expect(report.ok, formatReport(report)).toBe(true);
    expect(server?.images.length).toBeGreaterThan(10);
    expect(new Set(server?.images)).toEqual(new Set(images));
  });

  it("a server that stops answering costs a few timeouts, not one per case", async () => {
    // Answers the auth and unknown-task probes correctly, then hangs on every submit.
    const hanging = await startServer(({ method, headers }, res) => {
      const auth = headers.authorization === `Bearer ${apiKey}`;
      if (method === "POST" && auth) return;
      json(
        res,
        auth ? 400 : 401,
        auth
          ? { code: "task_not_exist", message: "task_not_exist", data: null }
          : { error: { message: "Invalid token", type: "new_api_error", code: "" } },
      );
    });
    const started = Date.now();
    try {
      const report = await runContract({
        baseUrl: hanging.url,
        apiKey,
        seed: 1,
        cases: 140,
        timeoutMs: 300,
      });
      const messages = failuresOf(report, "not_a_server_error")
        .map((f) => f.message)
        .join("\n");
      expect(messages).toMatch(
        /not sent: the server did not answer the last 3 requests \(last: TimeoutError: .*timeout/,
      );
      expect(hanging.hits.length).toBeLessThan(20);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await hanging.close();
    }
  });

  it("a server that is not there → not_a_server_error, not a crash", async () => {
    const started = Date.now();
    const report = await runContract({
      baseUrl: "http://127.0.0.1:9",
      apiKey,
      seed: 1,
      cases: 14,
      timeoutMs: 2_000,
    });
    expect(report.ok).toBe(false);
    expect(failuresOf(report, "not_a_server_error")[0]?.message).toMatch(/no response to/);
    expect(report.skipped.join("\n")).toMatch(/the server did not answer/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
