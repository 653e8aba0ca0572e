import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhook } from "../src/callbacks/signature.js";
import { shellQuote, toCurl } from "../src/report/curl.js";
import { toJUnit, xmlEscape } from "../src/report/junit.js";
import { formatReport } from "../src/report/text.js";
import { runContract } from "../src/run.js";
import type { ContractReport } from "../src/types.js";

describe("curl lines", () => {
  it("quote any text so a shell gives it back unchanged", () => {
    const nasty = `it's "quoted" $HOME \`x\` \\ \n é`;
    const echoed = execFileSync("sh", ["-c", `printf %s ${shellQuote(nasty)}`]).toString("utf8");
    expect(echoed).toBe(nasty);
  });

  it("redact the key as $KLING_API_KEY and replay with it", () => {
    const line = toCurl(
      {
        method: "POST",
        url: "http://127.0.0.1:1/x",
        headers: { Authorization: "Bearer sk-secret-123456" },
        body: '{"a":"b\'c"}',
      },
      "sk-secret-123456",
    );
    expect(line).not.toContain("sk-secret-123456");
    expect(line).toContain(`-H "Authorization: Bearer $KLING_API_KEY"`);
    // The shell expands the variable back into the header, and the body survives quoting.
    const args = execFileSync(
      "sh",
      ["-c", `set -- ${line.replace(/^curl /, "")}; for a; do printf '%s\\n' "$a"; done`],
      {
        env: { KLING_API_KEY: "sk-secret-123456", PATH: process.env.PATH ?? "" },
      },
    ).toString("utf8");
    expect(args).toContain("Authorization: Bearer sk-secret-123456");
    expect(args).toContain(`{"a":"b'c"}`);
  });
});

const report: ContractReport = {
  ok: false,
  baseUrl: "http://127.0.0.1:1",
  seed: 9,
  generatedCases: 10,
  durationMs: 1234,
  skipped: ["lifecycle: billable"],
  checks: [
    { name: "not_a_server_error", status: "passed", cases: 3, failures: [], durationMs: 1 },
    {
      name: "ignored_auth",
      status: "failed",
      cases: 2,
      durationMs: 2,
      failures: [
        {
          check: "ignored_auth",
          message: 'answered 200 <&> "x"',
          request: {
            method: "GET",
            url: "http://127.0.0.1:1/t",
            headers: { Authorization: "Bearer sk-secret-123456" },
          },
          response: { status: 200, contentType: "application/json", body: "{}" },
        },
      ],
    },
    {
      name: "lifecycle",
      status: "skipped",
      cases: 0,
      failures: [],
      durationMs: 0,
      skipReason: "billable",
    },
  ],
};

describe("reports", () => {
  it("JUnit has one test case per check, escaped, with failures and skips, and no key", () => {
    const xml = toJUnit(report, "sk-secret-123456");
    expect(xml).toContain(
      '<testsuites name="kling-contract" tests="3" failures="1" errors="0" skipped="1"',
    );
    expect(xml).toContain(
      '<testcase classname="kling-contract" name="not_a_server_error" time="0.001"/>',
    );
    expect(xml).toContain(
      '<failure message="1 failure(s): answered 200 &lt;&amp;&gt; &quot;x&quot;" type="ignored_auth">',
    );
    expect(xml).toContain('<skipped message="billable"/>');
    expect(xml).toContain("$KLING_API_KEY");
    expect(xml).not.toContain("sk-secret-123456");
    expect(xmlEscape("a\u0001b")).toBe("a\uFFFDb");
  });

  it("text names the failing check, the curl line and the verdict", () => {
    const text = formatReport(report, "sk-secret-123456");
    expect(text).toMatch(/FAIL {2}ignored_auth/);
    expect(text).toContain("1) ignored_auth: answered 200");
    expect(text).toContain(
      `curl -sS -i -X GET 'http://127.0.0.1:1/t' -H "Authorization: Bearer $KLING_API_KEY"`,
    );
    expect(text).toContain("FAILED: 1 failure(s).");
    expect(text).not.toContain("sk-secret-123456");
  });
});

describe("webhook signatures", () => {
  const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
  const body = '{"task_id":"t","task_status":"succeed"}';
  const now = 1_764_021_600;
  const headers = (sig: string, ts = now) => ({
    "webhook-id": "msg_1",
    "webhook-timestamp": String(ts),
    "webhook-signature": sig,
  });

  it("accepts a valid signature, also among several during a rotation", async () => {
    const sig = await signWebhook(secret, "msg_1", now, body);
    expect(await verifyWebhook(secret, headers(sig), body, { nowSeconds: now })).toBeUndefined();
    expect(
      await verifyWebhook(secret, headers(`v1,AAAA ${sig}`), body, { nowSeconds: now }),
    ).toBeUndefined();
  });

  it("rejects a tampered body, a stale timestamp and missing headers", async () => {
    const sig = await signWebhook(secret, "msg_1", now, body);
    expect(await verifyWebhook(secret, headers(sig), `${body} `, { nowSeconds: now })).toMatch(
      /no v1 signature/,
    );
    expect(await verifyWebhook(secret, headers(sig), body, { nowSeconds: now + 301 })).toMatch(
      /301 s from this machine's clock/,
    );
    expect(await verifyWebhook(secret, {}, body, { nowSeconds: now })).toBe(
      "unsigned: missing webhook-id, webhook-timestamp, webhook-signature though a webhook secret was given",
    );
    expect(await verifyWebhook(secret, { "webhook-id": "m" }, body, { nowSeconds: now })).toBe(
      "unsigned: missing webhook-timestamp, webhook-signature though a webhook secret was given",
    );
  });

  it("names a timestamp that is not Unix seconds, or ahead of this machine's clock", async () => {
    const sig = await signWebhook(secret, "msg_1", now, body);
    expect(
      await verifyWebhook(secret, { ...headers(sig), "webhook-timestamp": "soon" }, body, {
        nowSeconds: now,
      }),
    ).toBe('webhook-timestamp "soon" is not Unix seconds');
    expect(await verifyWebhook(secret, headers(sig), body, { nowSeconds: now - 400 })).toBe(
      "webhook-timestamp is 400 s from this machine's clock (tolerance 300 s)",
    );
  });

  it("says what is wrong with a secret that is not Base64, and runContract refuses one at once", async () => {
    const sig = await signWebhook(secret, "msg_1", now, body);
    expect(await verifyWebhook("whsec_@@@", headers(sig), body, { nowSeconds: now })).toBe(
      "webhook secret must be whsec_ followed by Base64",
    );
    await expect(
      runContract({ baseUrl: "http://127.0.0.1:1", apiKey: "k", callbackSecret: "whsec_@@@" }),
    ).rejects.toThrow(new TypeError("webhook secret must be whsec_ followed by Base64"));
  });
});
