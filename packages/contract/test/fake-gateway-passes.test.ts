// The kit must not cry wolf: a small correct gateway passes every check, free and billable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatReport } from "../src/report/text.js";
import { runContract } from "../src/run.js";
import { type FakeGateway, startFakeGateway } from "./support/fake-gateway.js";

const apiKey = "sk-test-correct";
const secret = `whsec_${Buffer.from("contract-test-secret-key-32bytes").toString("base64")}`;

describe("a correct hand-written gateway", () => {
  let server: FakeGateway;
  beforeAll(async () => {
    server = await startFakeGateway({ apiKey, secret });
  });
  afterAll(() => server.close());

  it("passes the free checks and reports what it skipped", async () => {
    const report = await runContract({ baseUrl: server.url, apiKey, seed: 1, cases: 300 });
    expect(report.ok, formatReport(report)).toBe(true);
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName.negative_data_rejection?.cases).toBeGreaterThanOrEqual(300);
    expect(byName.ignored_auth?.status).toBe("passed");
    expect(byName.unknown_task?.status).toBe("passed");
    for (const name of [
      "positive_data_acceptance",
      "lifecycle",
      "callbacks",
      "ensure_resource_availability",
    ]) {
      expect(byName[name]?.status).toBe("skipped");
    }
    expect(report.skipped.join("\n")).toMatch(/wrong_content_type/);
    expect(formatReport(report)).toContain("SKIP  lifecycle");
  });

  it("passes every check with billable checks, callbacks and signatures", async () => {
    const report = await runContract({
      baseUrl: server.url,
      apiKey,
      seed: 2,
      cases: 200,
      validCases: 50,
      allowBillable: true,
      callbackSecret: secret,
      advance: (ms) => server.advance(ms),
      pollIntervalMs: 1_000,
      lifecycleTimeoutMs: 60_000,
    });
    expect(report.ok, formatReport(report)).toBe(true);
    expect(report.checks.filter((c) => c.status === "skipped")).toEqual([]);
    const callbacks = report.checks.find((c) => c.name === "callbacks");
    expect(callbacks?.cases).toBe(3);
  });
});
