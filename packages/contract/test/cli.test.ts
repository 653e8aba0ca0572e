import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { json, startServer } from "@kling-multi-image/test-support";
import { afterEach, describe, expect, it } from "vitest";
import { main, parseCli } from "../src/cli.js";
import { type Breaks, type FakeGateway, startFakeGateway } from "./support/fake-gateway.js";

const apiKey = "sk-cli-test-key-42";
let server: FakeGateway | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function cli(breaks: Breaks, extra: string[] = []) {
  server = await startFakeGateway({ apiKey, breaks });
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    ["--base-url", server.url, "--api-key", apiKey, "--seed", "5", "--cases", "60", ...extra],
    {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      env: {},
    },
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("kling-contract CLI", () => {
  it("exits 0 against a correct server and writes JUnit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "contract-cli-"));
    const junit = join(dir, "junit.xml");
    const { code, out } = await cli({}, ["--junit", junit]);
    expect(code, out).toBe(0);
    expect(out).toContain("OK: every check that ran passed.");
    expect(out).toMatch(/SKIP {2}lifecycle/);
    expect(readFileSync(junit, "utf8")).toContain('failures="0"');
  });

  it("exits 1 against a broken server, naming the check with a redacted curl line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "contract-cli-"));
    const junit = join(dir, "junit.xml");
    const { code, out } = await cli({ acceptsAnyKey: true }, ["--junit", junit]);
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL {2}ignored_auth/);
    expect(out).toMatch(
      /\d+\) ignored_auth: POST \/kling\/v1\/videos\/multi-image2video with a wrong API key was answered 200/,
    );
    expect(out).toContain("replay:   curl -sS -i -X POST");
    expect(out).not.toContain(apiKey);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain('<testcase classname="kling-contract" name="ignored_auth"');
    expect(xml).toContain('type="ignored_auth"');
    expect(xml).not.toContain(apiKey);
  });

  it("drives a virtual clock through --advance-url", async () => {
    server = await startFakeGateway({ apiKey });
    const s = server;
    // A tiny control endpoint in front of the fake's clock, like the mock's /__mock/clock/advance.
    const advanced: number[] = [];
    const control = await startServer(async (hit, res) => {
      const { ms } = JSON.parse(hit.body) as { ms: number };
      advanced.push(ms);
      await s.advance(ms);
      json(res, 200, {});
    });
    const out: string[] = [];
    const code = await main(
      [
        "--base-url",
        s.url,
        "--api-key",
        apiKey,
        "--allow-billable",
        "--cases",
        "14",
        "--valid-cases",
        "2",
        "--poll-interval-ms",
        "1000",
        "--advance-url",
        `${control.url}/__mock/clock/advance`,
      ],
      { out: (l) => out.push(l), err: () => {}, env: {} },
    );
    await control.close();
    expect(code, out.join("\n")).toBe(0);
    expect(advanced.length).toBeGreaterThan(3);
    expect(out.join("\n")).toMatch(/PASS {2}lifecycle/);
  });

  it("refuses bad usage with exit code 2", async () => {
    const err: string[] = [];
    expect(
      await main(["--api-key", "x"], { out: () => {}, err: (s) => err.push(s), env: {} }),
    ).toBe(2);
    expect(err.join("\n")).toContain("--base-url is required");
    expect(
      await main(["--base-url", "http://x", "--api-key", "k", "--cases", "many"], {
        out: () => {},
        err: () => {},
        env: {},
      }),
    ).toBe(2);
    expect(
      await main(["--base-url", "http://x", "--api-key", "k", "--only", "nope"], {
        out: () => {},
        err: () => {},
        env: {},
      }),
    ).toBe(2);
  });

  it("--only runs the named checks and reports the others as not selected", async () => {
    const { code, out } = await cli({}, ["--only", "unknown_task", "--allow-billable"]);
    expect(code, out).toBe(0);
    expect(out).toMatch(/PASS {2}unknown_task/);
    expect(out).toMatch(/SKIP {2}lifecycle +not selected/);
    expect(out).toMatch(/SKIP {2}negative_data_rejection +not selected/);
    expect(out).toMatch(/PASS {2}not_a_server_error +2 case/);
  });

  it("takes a callback secret the verifier can decode, from the flag or KLING_CALLBACK_SECRET", () => {
    const secret = `whsec_${Buffer.from("a-callback-secret").toString("base64")}`;
    const parsed = parseCli(["--base-url", "http://x", "--api-key", "k"], {
      KLING_CALLBACK_SECRET: secret,
    });
    expect(parsed.options.callbackSecret).toBe(secret);
    // The prefix is optional, as in Standard Webhooks.
    const bare = ["--base-url", "http://x", "--api-key", "k", "--callback-secret", "c2VjcmV0"];
    expect(parseCli(bare, {}).options.callbackSecret).toBe("c2VjcmV0");
    for (const bad of ["whsec_", "whsec_not base64!", "plain"])
      expect(() =>
        parseCli(["--base-url", "http://x", "--api-key", "k", "--callback-secret", bad], {}),
      ).toThrow(/--callback-secret must be Base64, as in whsec_<base64>/);
  });

  it("reads the key from KLING_API_KEY", () => {
    const parsed = parseCli(["--base-url", "http://x"], { KLING_API_KEY: "from-env" });
    expect(parsed.options.apiKey).toBe("from-env");
  });
});
