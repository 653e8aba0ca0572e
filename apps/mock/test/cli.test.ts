import { describe, expect, it } from "vitest";
import { parseCli, USAGE } from "../src/cli-args.js";
import { SCENARIOS } from "../src/core/simulator/scenarios.js";
import { CONTROL_ROUTES } from "../src/generated/control-api.js";

describe("kling-mock command line", () => {
  it("defaults to 127.0.0.1:4010, fast timing, system clock, documented shape", () => {
    const r = parseCli([], {});
    expect(r).toMatchObject({
      kind: "start",
      options: {
        port: 4010,
        host: "127.0.0.1",
        timing: "fast",
        clock: "system",
        createShape: "documented",
        seed: 1,
        failureRate: 0,
        logRequests: true,
      },
    });
  });

  it("reads PORT, ignores HOST (a shell may set it to the machine's name), and flags win", () => {
    expect(parseCli([], { PORT: "5000", HOST: "0.0.0.0" })).toMatchObject({
      options: { port: 5000, host: "127.0.0.1" },
    });
    expect(parseCli(["--host", "::1"], {})).toMatchObject({ options: { host: "::1" } });
    expect(parseCli(["--port", "6000"], { PORT: "5000" })).toMatchObject({
      options: { port: 6000 },
    });
  });

  it("takes every documented option", () => {
    const r = parseCli(
      [
        "--timing=realistic",
        "--clock=virtual",
        "--create-shape=observed",
        "--seed=9",
        "--failure-rate=0.25",
        "--scenario=fail",
        "--concurrency=3",
        "--keys=a, b",
        "--callback-hosts=hooks.test",
        "--webhook-secret=whsec_c2VjcmV0",
        "--quiet",
      ],
      {},
    );
    expect(r).toMatchObject({
      kind: "start",
      options: {
        timing: "realistic",
        clock: "virtual",
        createShape: "observed",
        seed: 9,
        failureRate: 0.25,
        scenario: "fail",
        concurrencyLimit: 3,
        keys: ["a", "b"],
        callbackAllowedHosts: ["hooks.test"],
        webhookSecret: "whsec_c2VjcmV0",
        logRequests: false,
      },
    });
  });

  it.each([
    [["--timing=slow"], /--timing/],
    [["--port=-1"], /--port/],
    [["--port=70000"], /--port/],
    [["--port=abc"], /--port/],
    [["--failure-rate=2"], /--failure-rate/],
    [["--create-shape=odd"], /--create-shape/],
    [["--webhook-secret=plain"], /whsec_/],
    [["--keys=,"], /--keys/],
    [["--unknown"], /Unknown option/],
  ])("refuses %j", (argv, message) => {
    const r = parseCli(argv, {});
    expect(r.kind).toBe("error");
    if (r.kind === "error") expect(r.message).toMatch(message);
  });

  it("--help", () => {
    expect(parseCli(["--help"], {})).toEqual({ kind: "help" });
  });

  it("--help lists every scenario and every control API route, and how to clear a scenario", () => {
    expect(parseCli(["--help"], {})).toEqual({ kind: "help" });
    for (const s of SCENARIOS) expect(USAGE).toContain(`  ${s.name}`);
    for (const r of CONTROL_ROUTES)
      expect(USAGE).toMatch(new RegExp(`${r.method}\\s+${r.path.replace(/[{}]/g, "\\$&")}`));
    expect(USAGE).toContain('{"scenario": null}');
    expect(CONTROL_ROUTES.length).toBeGreaterThanOrEqual(9);
  });

  it("reads keys and the control token from a flag, a file or the environment, never needing ps", () => {
    const files: Record<string, string> = { "/k": "alpha\nbeta\n\n", "/t": "ops\n" };
    const read = (path: string) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error("nope"), { code: "ENOENT" });
      return text;
    };
    expect(parseCli(["--keys-file", "/k", "--control-token-file", "/t"], {}, read)).toMatchObject({
      options: { keys: ["alpha", "beta"], controlToken: "ops" },
    });
    expect(
      parseCli([], { KLING_MOCK_KEYS: "x, y", KLING_MOCK_CONTROL_TOKEN: "tok" }, read),
    ).toMatchObject({ options: { keys: ["x", "y"], controlToken: "tok" } });
    // A flag wins over the environment.
    expect(parseCli(["--keys", "a"], { KLING_MOCK_KEYS: "x" }, read)).toMatchObject({
      options: { keys: ["a"] },
    });
    expect(parseCli(["--keys-file", "/missing"], {}, read)).toEqual({
      kind: "error",
      message: "--keys-file: cannot read /missing (ENOENT)",
    });
    expect(parseCli([], {}, read)).not.toHaveProperty("options.controlToken");
  });

  it("--fidelity: documented by default; gateway brings the observed create shape unless one is given", () => {
    expect(parseCli([], {})).toMatchObject({
      options: { fidelity: "documented", createShape: "documented" },
    });
    expect(parseCli(["--fidelity", "gateway"], {})).toMatchObject({
      options: { fidelity: "gateway", createShape: "observed" },
    });
    expect(parseCli(["--fidelity=gateway", "--create-shape=documented"], {})).toMatchObject({
      options: { fidelity: "gateway", createShape: "documented" },
    });
    expect(parseCli(["--fidelity=documented", "--create-shape=observed"], {})).toMatchObject({
      options: { fidelity: "documented", createShape: "observed" },
    });
    expect(parseCli(["--fidelity=docs"], {})).toEqual({
      kind: "error",
      message: '--fidelity is documented or gateway, got "docs"',
    });
    expect(USAGE).toMatch(/--fidelity documented\|gateway/);
  });
});

describe("--store", () => {
  it("is memory by default; a redis URL from the flag or $KLING_MOCK_STORE, with a prefix", () => {
    const plain = parseCli([], {});
    expect(plain.kind === "start" && plain.options.store).toBe(undefined);
    expect(parseCli(["--store", "memory"], {})).toMatchObject({ kind: "start" });
    expect(
      parseCli(["--store", "redis://127.0.0.1:6379/2", "--store-prefix", "team-a:"], {}),
    ).toMatchObject({ options: { store: "redis://127.0.0.1:6379/2", storePrefix: "team-a:" } });
    expect(
      parseCli([], { KLING_MOCK_STORE: "rediss://u:p@cache:6380", KLING_MOCK_STORE_PREFIX: "b:" }),
    ).toMatchObject({ options: { store: "rediss://u:p@cache:6380", storePrefix: "b:" } });
    // The flag wins over the environment.
    expect(parseCli(["--store", "memory"], { KLING_MOCK_STORE: "redis://x:1" })).not.toMatchObject({
      options: { store: expect.anything() },
    });
  });

  it("refuses anything else in one line, without echoing a password", () => {
    const r = parseCli(["--store", "postgres://user:hunter2@db/x"], {});
    expect(r.kind).toBe("error");
    expect(r.kind === "error" && r.message).toMatch(/^--store takes memory or a redis:\/\/ URL/);
    expect(JSON.stringify(r)).not.toContain("hunter2");
    expect(parseCli(["--store-prefix", ""], {})).toMatchObject({ kind: "error" });
  });
});
