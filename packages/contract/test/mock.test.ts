// The whole kit against the repository's real mock (apps/mock) on a virtual clock: every check,
// at least 2,000 generated cases, well under a minute; both create-response shapes; and the CLI
// driving the mock's control API over HTTP, as a user's CI would.
import { createMockServer, type VirtualMockServer } from "@kling-multi-image/mock";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { formatReport } from "../src/report/text.js";
import { runContract } from "../src/run.js";

const apiKey = "sk-contract-mock-0001";
const secret = `whsec_${Buffer.from("contract-mock-secret-key-32bytes").toString("base64")}`;
let mock: VirtualMockServer | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

/** A small billable run against a mock playing one server-wide scenario. */
async function runScenario(scenario: string) {
  const server = await createMockServer({ clock: "virtual", keys: [apiKey], scenario, log: false });
  mock = server;
  return runContract({
    baseUrl: server.url,
    apiKey,
    seed: 5,
    cases: 28,
    validCases: 2,
    allowBillable: true,
    advance: (ms) => server.clock.advance(ms),
  });
}

async function start(createShape: "documented" | "observed"): Promise<VirtualMockServer> {
  // `keys` makes the mock refuse unknown keys, as the gateway does; by default it would treat any
  // key as its own tenant and ignored_auth would (rightly) fail.
  mock = await createMockServer({
    clock: "virtual",
    keys: [apiKey],
    webhookSecret: secret,
    createShape,
    log: false,
  });
  return mock;
}

describe("against the real mock on a virtual clock", () => {
  it("passes every check with 2,000+ generated cases in under a minute", async () => {
    const server = await start("documented");
    const started = performance.now();
    const report = await runContract({
      baseUrl: server.url,
      apiKey,
      seed: 20_261_123,
      cases: 2_000,
      validCases: 100,
      allowBillable: true,
      callbackSecret: secret,
      advance: (ms) => server.clock.advance(ms),
    });
    const seconds = (performance.now() - started) / 1000;
    expect(report.ok, formatReport(report)).toBe(true);
    expect(report.generatedCases).toBeGreaterThanOrEqual(2_000);
    expect(report.checks.filter((c) => c.status !== "passed")).toEqual([]);
    expect(report.checks.find((c) => c.name === "callbacks")?.cases).toBeGreaterThanOrEqual(2);
    expect(seconds).toBeLessThan(60);
  }, 90_000);

  it("passes with the gateway's observed create-response shape", async () => {
    const server = await start("observed");
    const report = await runContract({
      baseUrl: server.url,
      apiKey,
      seed: 11,
      cases: 300,
      validCases: 20,
      allowBillable: true,
      callbackSecret: secret,
      advance: (ms) => server.clock.advance(ms),
    });
    expect(report.ok, formatReport(report)).toBe(true);
    expect(report.checks.filter((c) => c.status !== "passed")).toEqual([]);
  }, 60_000);

  it("the CLI passes against the mock, advancing its clock through /__mock/clock/advance", async () => {
    const server = await start("documented");
    const out: string[] = [];
    const code = await main(
      [
        "--base-url",
        server.url,
        "--api-key",
        apiKey,
        "--allow-billable",
        "--seed",
        "3",
        "--cases",
        "200",
        "--valid-cases",
        "10",
        "--callback-secret",
        secret,
        "--advance-url",
        `${server.url}/__mock/clock/advance`,
      ],
      { out: (s) => out.push(s), err: () => {}, env: {} },
    );
    expect(code, out.join("\n")).toBe(0);
    expect(out.join("\n")).toMatch(/PASS {2}lifecycle/);
    expect(out.join("\n")).toMatch(/PASS {2}callbacks/);
  }, 60_000);

  it("follows a failing task to FAILURE and its failed callback (scenario fail)", async () => {
    mock = await createMockServer({
      clock: "virtual",
      keys: [apiKey],
      webhookSecret: secret,
      scenario: "fail",
      log: false,
    });
    const server = mock;
    const report = await runContract({
      baseUrl: server.url,
      apiKey,
      seed: 5,
      cases: 28,
      validCases: 3,
      allowBillable: true,
      callbackSecret: secret,
      advance: (ms) => server.clock.advance(ms),
    });
    expect(report.ok, formatReport(report)).toBe(true);
    expect(report.checks.find((c) => c.name === "lifecycle")?.status).toBe("passed");
  }, 60_000);

  it("names not_a_server_error when the mock plays a server error (scenario server-error)", async () => {
    const report = await runScenario("server-error");
    const failed = report.checks.filter((c) => c.status === "failed").map((c) => c.name);
    expect(failed).toEqual(
      expect.arrayContaining(["not_a_server_error", "positive_data_acceptance", "lifecycle"]),
    );
    expect(
      report.checks.find((c) => c.name === "not_a_server_error")?.failures[0]?.message,
    ).toMatch(/answered 500, a server error/);
  }, 60_000);

  it("does not blame a rate-limited mock for what it could not judge (scenario rate-limit)", async () => {
    const report = await runScenario("rate-limit");
    expect(report.ok, formatReport(report)).toBe(true);
    // The 429s themselves were still judged: documented status, envelope, integer Retry-After.
    expect(report.checks.find((c) => c.name === "response_headers_conformance")?.status).toBe(
      "passed",
    );
    expect(report.checks.find((c) => c.name === "unknown_task")?.status).toBe("skipped");
    expect(report.skipped.join("\n")).toMatch(
      /lifecycle: 1 answer\(s\) were a documented, transient 429\/503/,
    );
  }, 60_000);

  it("fails a mock that accepts any key (its default), naming ignored_auth", async () => {
    mock = await createMockServer({ clock: "virtual", log: false });
    const report = await runContract({ baseUrl: mock.url, apiKey, seed: 1, cases: 28 });
    expect(report.checks.filter((c) => c.status === "failed").map((c) => c.name)).toEqual([
      "ignored_auth",
    ]);
  }, 60_000);
});
