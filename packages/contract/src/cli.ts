/**
 * `kling-contract`: the CLI over {@link runContract}. Exit codes: 0 every check that ran passed,
 * 1 at least one failure, 2 bad usage or the kit itself broke.
 */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { decodeSecret } from "@kling-multi-image/webhooks";
import { CHECK_NAMES, type CheckName } from "./names.js";
import { toJUnit } from "./report/junit.js";
import { formatReport, redact } from "./report/text.js";
import { runContract } from "./run.js";
import type { ContractOptions } from "./types.js";

/** The CLI's help text. */
export const USAGE = `Usage: kling-contract --base-url URL --api-key KEY [options]

Checks a Kling multi-image-to-video server (the ezmodel gateway, a staging copy, or the mock)
against the canonical OpenAPI spec. Exits 1 on any failure.

  --base-url URL              server under test (or KLING_BASE_URL)
  --api-key KEY               a valid API key (or KLING_API_KEY); never printed
  --allow-billable            also run checks that submit tasks (cost money on a real gateway)
  --seed N                    fast-check seed, to replay a run (default: time-based, printed)
  --cases N                   generated invalid bodies (default 100)
  --valid-cases N             generated valid bodies, each a billable submit (default 5)
  --junit FILE                write a JUnit XML report
  --callback-secret whsec_..  callbacks must carry valid Standard Webhooks signatures
  --callback-public-url URL   address the server should post callbacks to (default: the local receiver)
  --no-callbacks              do not run the callbacks check
  --advance-url URL           POST {"ms": N} here to move a virtual clock instead of sleeping
                              (the mock: URL/__mock/clock/advance)
  --poll-interval-ms N        time between lifecycle polls (default 5000)
  --lifecycle-timeout-ms N    bound for a task to finish (default 900000)
  --timeout-ms N              per-request timeout (default 30000)
  --image URL                 a reachable image for bodies meant to be accepted (repeatable;
                              default example.com URLs and a 1-pixel PNG, fine for a mock)
  --only a,b                  run only these checks (${CHECK_NAMES.join(", ")})
  --help`;

function integer(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw))
    throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

class UsageError extends Error {}

/**
 * A POST-based clock: `{ms}` to `url` (with `apiKey` as the bearer, for a mock whose control API
 * needs a key), failing loudly so a broken clock is not mistaken for a slow task.
 */
export function advanceVia(url: string, apiKey?: string): (ms: number) => Promise<void> {
  return async (ms) => {
    const res = await fetch(url, {
      method: "POST",
      // A mock started with keys closes its control API to callers without one.
      headers: {
        "Content-Type": "application/json",
        ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}),
      },
      body: JSON.stringify({ ms }),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`advancing the clock via ${url} answered ${res.status}`);
  };
}

/** Parses `argv` into options for {@link runContract}, plus the CLI-only ones. */
export function parseCli(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
): { options: ContractOptions; junit?: string; help: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      "base-url": { type: "string" },
      "api-key": { type: "string" },
      "allow-billable": { type: "boolean" },
      seed: { type: "string" },
      cases: { type: "string" },
      "valid-cases": { type: "string" },
      junit: { type: "string" },
      "callback-secret": { type: "string" },
      "callback-public-url": { type: "string" },
      "no-callbacks": { type: "boolean" },
      "advance-url": { type: "string" },
      "poll-interval-ms": { type: "string" },
      "lifecycle-timeout-ms": { type: "string" },
      "timeout-ms": { type: "string" },
      only: { type: "string" },
      image: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return { options: { baseUrl: "", apiKey: "" }, help: true };
  const baseUrl = values["base-url"] ?? env.KLING_BASE_URL;
  const apiKey = values["api-key"] ?? env.KLING_API_KEY;
  if (!baseUrl) throw new UsageError("--base-url is required");
  if (!apiKey) throw new UsageError("--api-key (or KLING_API_KEY) is required");
  const options: ContractOptions = {
    baseUrl,
    apiKey,
    allowBillable: values["allow-billable"] ?? false,
  };
  const set = <K extends keyof ContractOptions>(key: K, value: ContractOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set("seed", integer("seed", values.seed));
  set("cases", integer("cases", values.cases));
  set("validCases", integer("valid-cases", values["valid-cases"]));
  set("timeoutMs", integer("timeout-ms", values["timeout-ms"]));
  set("pollIntervalMs", integer("poll-interval-ms", values["poll-interval-ms"]));
  set("lifecycleTimeoutMs", integer("lifecycle-timeout-ms", values["lifecycle-timeout-ms"]));
  const secret = values["callback-secret"] ?? env.KLING_CALLBACK_SECRET;
  if (secret !== undefined) {
    // The verifier's own decoding decides, so the CLI accepts exactly the secrets it can verify with.
    try {
      decodeSecret(secret);
    } catch {
      throw new UsageError("--callback-secret must be Base64, as in whsec_<base64>");
    }
    options.callbackSecret = secret;
  }
  if (values["no-callbacks"]) options.callbacks = false;
  else if (values["callback-public-url"])
    options.callbacks = { publicUrl: values["callback-public-url"] };
  if (values["advance-url"]) options.advance = advanceVia(values["advance-url"], apiKey);
  if (values.image && values.image.length > 0) options.imageUrls = values.image;
  if (values.only) {
    const names = values.only.split(",").map((s) => s.trim());
    const unknown = names.filter((n) => !(CHECK_NAMES as readonly string[]).includes(n));
    if (unknown.length > 0)
      throw new UsageError(`unknown check(s) in --only: ${unknown.join(", ")}`);
    options.only = names as CheckName[];
  }
  const parsed: { options: ContractOptions; junit?: string; help: boolean } = {
    options,
    help: false,
  };
  if (values.junit) parsed.junit = values.junit;
  return parsed;
}

/** Runs the CLI; returns the exit code. Output goes to `out`/`err` (stdout/stderr by default). */
export async function main(
  argv: readonly string[],
  io: {
    out?: (s: string) => void;
    err?: (s: string) => void;
    env?: Record<string, string | undefined>;
  } = {},
): Promise<number> {
  const out = io.out ?? ((s: string) => process.stdout.write(`${s}\n`));
  const err = io.err ?? ((s: string) => process.stderr.write(`${s}\n`));
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(argv, io.env ?? process.env);
  } catch (error) {
    err(`kling-contract: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    out(USAGE);
    return 0;
  }
  try {
    const report = await runContract({
      ...parsed.options,
      log: (line) => err(`kling-contract: ${line}`),
    });
    out(formatReport(report, parsed.options.apiKey));
    if (parsed.junit) await writeFile(parsed.junit, toJUnit(report, parsed.options.apiKey));
    return report.ok ? 0 : 1;
  } catch (error) {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    err(`kling-contract: the kit failed: ${redact(text, parsed.options.apiKey)}`);
    return 2;
  }
}
