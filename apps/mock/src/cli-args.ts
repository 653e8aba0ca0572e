/** Parses `kling-mock`'s command line into server options (no side effects, so it is testable). */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { decodeSecret } from "@kling-multi-image/webhooks";
import { SCENARIOS } from "./core/simulator/scenarios.js";
import { CONTROL_ROUTES } from "./generated/control-api.js";
import type { MockServerOptions } from "./server.js";
import { isRedisUrl, redactUrl } from "./store/url.js";

const pad = (text: string, width: number) => text.padEnd(width);

/** The usage text: the flags, then the scenarios and the control API, each from its one home. */
export const USAGE = `Usage: kling-mock [options]

  --port <n>              port (default: $PORT or 4010; 0 picks a free one)
  --host <addr>           interface (default: 127.0.0.1; $HOST is ignored on purpose)
  --timing fast|realistic task timing (default fast: seconds; realistic: minutes)
  --clock system|virtual  virtual: time moves only via POST /__mock/clock/advance
  --webhook-secret <s>    whsec_<base64>: sign callbacks (Standard Webhooks)
  --callback-hosts <list> comma-separated callback hosts allowed beyond loopback
  --keys <list>           comma-separated keys to accept (default: any non-empty key); also
                          $KLING_MOCK_KEYS, or --keys-file <path> (one per line), so keys need
                          not show in ps. With keys, the control API needs one of them too
  --control-token <t>     a bearer token for the control API only (closes it to others); also
                          $KLING_MOCK_CONTROL_TOKEN or --control-token-file <path>
  --fidelity documented|gateway   documented (default): answer as the gateway's docs say;
                          gateway: as its code does (every x-gateway-departure of the spec:
                          500 new_api_panic on unpriceable bodies, the rewritten 429, ...)
  --create-shape documented|observed   create response shape (default documented; observed
                          with --fidelity gateway)
  --seed <n>              seed of the failure-rate PRNG (default 1)
  --failure-rate <0..1>   share of accepted tasks that fail (default 0)
  --scenario <s>          server-wide scenario, X-Mock-Scenario syntax (e.g. fail)
  --concurrency <n>       unfinished tasks allowed per key (default 0: no limit)
  --proxy <url>           proxy mode: forward every API request to this upstream (the real
                          gateway, a staging copy), answer with its answer unchanged, and list
                          exchanges that break the spec at GET /__mock/proxy/violations
  --record <dir>          in proxy mode, write each exchange (key redacted) as a JSON file
  --store memory|<url>    where tasks live: memory (default) or redis://[user:pass@]host:port[/db]
                          (Redis or Valkey), shared by every mock on it and kept across restarts;
                          also $KLING_MOCK_STORE (use it for a URL with a password: not in ps)
  --store-prefix <p>      prefix of the mock's Redis keys (default kling-mock:); also
                          $KLING_MOCK_STORE_PREFIX
  --quiet                 no per-request log lines
  --help                  this text

Scenarios (--scenario, the X-Mock-Scenario header, or PATCH /__mock/config; comma-separated):
${SCENARIOS.map((s) => `  ${pad(s.name, 16)}${s.what}`).join("\n")}

Control API (JSON; clear the scenario with PATCH /__mock/config {"scenario": null}):
${CONTROL_ROUTES.map((r) => `  ${pad(r.method, 6)}${pad(r.path, 31)}${r.summary}`).join("\n")}

Examples:
  kling-mock --port 0 --clock virtual
  kling-mock --scenario fail --failure-rate 0.2 --seed 7
  KLING_MOCK_STORE=redis://127.0.0.1:6379 kling-mock --port 4011   (a replica; start several)
  corepack pnpm mock -- --port 4020 --timing realistic
`;

/** What the command line asks for. */
export type CliResult =
  | { kind: "help" }
  | { kind: "error"; message: string }
  | {
      kind: "start";
      options: MockServerOptions & {
        port: number;
        host: string;
        timing: "fast" | "realistic";
        clock: "system" | "virtual";
        fidelity: "documented" | "gateway";
        createShape: "documented" | "observed";
      };
    };

const list = (text: string | undefined) =>
  text === undefined
    ? undefined
    : text
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");

/** Parses arguments (without `node` and the script) and the environment. */
export function parseCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  readText: (path: string) => string = (path) => readFileSync(path, "utf8"),
): CliResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: "string" },
        host: { type: "string" },
        timing: { type: "string" },
        clock: { type: "string" },
        "webhook-secret": { type: "string" },
        "callback-hosts": { type: "string" },
        keys: { type: "string" },
        "keys-file": { type: "string" },
        proxy: { type: "string" },
        record: { type: "string" },
        store: { type: "string" },
        "store-prefix": { type: "string" },
        "control-token": { type: "string" },
        "control-token-file": { type: "string" },
        "create-shape": { type: "string" },
        fidelity: { type: "string" },
        seed: { type: "string" },
        "failure-rate": { type: "string" },
        scenario: { type: "string" },
        concurrency: { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (error) {
    return { kind: "error", message: error instanceof Error ? error.message : String(error) };
  }
  if (values.help) return { kind: "help" };
  const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  const int = (name: string, text: string | undefined, fallback: number): number | string => {
    if (text === undefined) return fallback;
    const n = Number(text);
    return Number.isInteger(n) && n >= 0
      ? n
      : `--${name} takes a non-negative integer, got "${text}"`;
  };

  const timing = str("timing") ?? "fast";
  if (timing !== "fast" && timing !== "realistic")
    return { kind: "error", message: `--timing is fast or realistic, got "${timing}"` };
  const clock = str("clock") ?? "system";
  if (clock !== "system" && clock !== "virtual")
    return { kind: "error", message: `--clock is system or virtual, got "${clock}"` };
  const fidelity = str("fidelity") ?? "documented";
  if (fidelity !== "documented" && fidelity !== "gateway") {
    return { kind: "error", message: `--fidelity is documented or gateway, got "${fidelity}"` };
  }
  // The gateway's code answers the observed create shape (departure create-response-shape).
  const createShape = str("create-shape") ?? (fidelity === "gateway" ? "observed" : "documented");
  if (createShape !== "documented" && createShape !== "observed") {
    return {
      kind: "error",
      message: `--create-shape is documented or observed, got "${createShape}"`,
    };
  }
  const failureRate = Number(str("failure-rate") ?? "0");
  if (!(failureRate >= 0 && failureRate <= 1))
    return { kind: "error", message: "--failure-rate takes a number in [0, 1]" };
  const secret = str("webhook-secret");
  if (secret !== undefined) {
    // The signer's own decoding decides, so the CLI accepts exactly the secrets it can sign with.
    try {
      decodeSecret(secret);
    } catch {
      return { kind: "error", message: "--webhook-secret must be Base64, as in whsec_<base64>" };
    }
  }
  const port = int("port", str("port") ?? env.PORT, 4010);
  const seed = int("seed", str("seed"), 1);
  const concurrency = int("concurrency", str("concurrency"), 0);
  for (const v of [port, seed, concurrency])
    if (typeof v === "string") return { kind: "error", message: v };
  if ((port as number) > 65_535) return { kind: "error", message: `--port must be at most 65535` };
  // Secrets: a flag, else a file, else the environment (a file or the environment keeps them out
  // of `ps`); a file that cannot be read is a one-line error, never an open mock.
  const read = (flag: string): string | { error: string } | undefined => {
    const path = str(flag);
    if (path === undefined) return undefined;
    try {
      return readText(path);
    } catch (error) {
      const code = (error as { code?: string }).code ?? "unreadable";
      return { error: `--${flag}: cannot read ${path} (${code})` };
    }
  };
  const keysFile = read("keys-file");
  if (typeof keysFile === "object") return { kind: "error", message: keysFile.error };
  const keys =
    list(str("keys")) ??
    (keysFile === undefined ? undefined : list(keysFile.split(/\r?\n/).join(","))) ??
    list(env.KLING_MOCK_KEYS);
  if (keys !== undefined && keys.length === 0)
    return { kind: "error", message: "--keys needs at least one key" };
  const tokenFile = read("control-token-file");
  if (typeof tokenFile === "object") return { kind: "error", message: tokenFile.error };
  const controlToken = (str("control-token") ?? tokenFile ?? env.KLING_MOCK_CONTROL_TOKEN)?.trim();
  if (controlToken === "") return { kind: "error", message: "--control-token is empty" };
  const proxy = str("proxy");
  if (proxy !== undefined && !/^https?:\/\/[^\s/]+/.test(proxy)) {
    return { kind: "error", message: `--proxy takes an http(s) URL, got "${proxy.slice(0, 80)}"` };
  }
  const record = str("record");
  if (record !== undefined && proxy === undefined) {
    return {
      kind: "error",
      message: "--record needs --proxy (it records exchanges with the upstream)",
    };
  }
  const store = (str("store") ?? env.KLING_MOCK_STORE)?.trim() || "memory";
  if (store !== "memory" && !isRedisUrl(store)) {
    return {
      kind: "error",
      message: `--store takes memory or a redis:// URL, got "${redactUrl(store).slice(0, 80)}"`,
    };
  }
  const storePrefix = str("store-prefix") ?? env.KLING_MOCK_STORE_PREFIX;
  if (storePrefix !== undefined && storePrefix === "") {
    return { kind: "error", message: "--store-prefix is empty" };
  }
  const hosts = list(str("callback-hosts"));
  return {
    kind: "start",
    options: {
      port: port as number,
      // Not $HOST: some shells (tcsh) export it as the machine's name, which would put the mock
      // on the network.
      host: str("host") ?? "127.0.0.1",
      timing,
      clock,
      fidelity,
      createShape,
      seed: seed as number,
      failureRate,
      scenario: str("scenario") ?? "",
      concurrencyLimit: concurrency as number,
      logRequests: !values.quiet,
      ui: true,
      ...(secret === undefined ? {} : { webhookSecret: secret }),
      ...(keys === undefined ? {} : { keys }),
      ...(controlToken === undefined ? {} : { controlToken }),
      ...(proxy === undefined ? {} : { proxy }),
      ...(record === undefined ? {} : { recordDir: record }),
      ...(hosts === undefined ? {} : { callbackAllowedHosts: hosts }),
      ...(store === "memory" ? {} : { store: store as `redis://${string}` }),
      ...(storePrefix === undefined ? {} : { storePrefix }),
    },
  };
}
