// The whole kit against the mock's MSW handlers (msw/node, no server): the same verdicts as
// against the Node server in mock.test.ts, which is the parity the two adapters promise.
import { createKlingHandlers } from "@kling-multi-image/mock/msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { formatReport } from "../src/report/text.js";
import { runContract } from "../src/run.js";

const apiKey = "sk-contract-msw-0001";
const secret = `whsec_${Buffer.from("contract-msw-secret-key-32bytes!").toString("base64")}`;
// The kit's callback receiver listens on loopback: requests MSW has no handler for go through.
const msw = setupServer();
beforeAll(() => msw.listen({ onUnhandledRequest: "bypass" }));
afterEach(() => msw.resetHandlers());
afterAll(() => msw.close());

function handlers(options: Parameters<typeof createKlingHandlers>[0] = {}) {
  const kling = createKlingHandlers({ clock: "virtual", keys: [apiKey], ...options });
  msw.use(...kling.handlers);
  return kling;
}

describe("against the MSW handlers on a virtual clock", () => {
  it("passes every check, billable ones and signed callbacks included", async () => {
    const kling = handlers({ webhookSecret: secret });
    const report = await runContract({
      baseUrl: kling.baseUrl,
      apiKey,
      seed: 20_261_202,
      cases: 500,
      validCases: 20,
      allowBillable: true,
      callbackSecret: secret,
      advance: (ms) => kling.clock.advance(ms),
    });
    expect(report.ok, formatReport(report)).toBe(true);
    expect(report.checks.filter((c) => c.status !== "passed")).toEqual([]);
    expect(report.checks.find((c) => c.name === "callbacks")?.cases).toBeGreaterThanOrEqual(2);
    await kling.close();
  }, 90_000);

  it("passes with the observed create-response shape, under another base URL", async () => {
    const kling = handlers({ createShape: "observed", baseUrl: "http://127.0.0.1:9/gateway" });
    const report = await runContract({
      baseUrl: kling.baseUrl,
      apiKey,
      seed: 11,
      cases: 200,
      validCases: 10,
      allowBillable: true,
      advance: (ms) => kling.clock.advance(ms),
    });
    expect(report.ok, formatReport(report)).toBe(true);
    await kling.close();
  }, 60_000);

  it("names not_a_server_error when the handlers play a server error", async () => {
    const kling = handlers({ scenario: "server-error" });
    const report = await runContract({
      baseUrl: kling.baseUrl,
      apiKey,
      seed: 5,
      cases: 28,
      validCases: 2,
      allowBillable: true,
      advance: (ms) => kling.clock.advance(ms),
    });
    const failed = report.checks.filter((c) => c.status === "failed").map((c) => c.name);
    expect(failed).toEqual(
      expect.arrayContaining(["not_a_server_error", "positive_data_acceptance", "lifecycle"]),
    );
    await kling.close();
  }, 60_000);

  it("fails handlers that accept any key (their default), naming ignored_auth", async () => {
    const kling = createKlingHandlers({ clock: "virtual" });
    msw.use(...kling.handlers);
    const report = await runContract({ baseUrl: kling.baseUrl, apiKey, seed: 1, cases: 28 });
    expect(report.checks.filter((c) => c.status === "failed").map((c) => c.name)).toEqual([
      "ignored_auth",
    ]);
    await kling.close();
  }, 60_000);
});
