/** Parses `kling-mock`'s command line into server options (no side effects, so it is testable). */
import { parseArgs } from "node:util";
import { SCENARIOS } from "./core/simulator/scenarios.js";
import { CONTROL_ROUTES } from "./generated/control-api.js";
import type { MockServerOptions } from "./server.js";

const pad = (text: string, width: number) => text.padEnd(width);

/** The usage text: the flags, then the scenarios and the control API, each from its one home. */
export const USAGE = `Usage: kling-mock [options]

  --port <n>              port (default: $PORT or 4010; 0 picks a free one)
  --host <addr>           interface (default: 127.0.0.1; $HOST is ignored on purpose)
  --timing fast|realistic task timing (default fast: seconds; realistic: minutes)
  --clock system|virtual  virtual: time moves only via POST /__mock/clock/advance
  --webhook-secret <s>    whsec_<base64>: sign callbacks (Standard Webhooks)
  --callback-hosts <list> comma-separated callback hosts allowed beyond loopback
  --keys <list>           comma-separated keys to accept (default: any non-empty key)
  --create-shape documented|observed   create response shape (default documented)
  --seed <n>              seed of the failure-rate PRNG (default 1)
  --failure-rate <0..1>   share of accepted tasks that fail (default 0)
  --scenario <s>          server-wide scenario, X-Mock-Scenario syntax (e.g. fail)
  --concurrency <n>       unfinished tasks allowed per key (default 0: no limit)
  --quiet                 no per-request log lines
  --help                  this text

Scenarios (--scenario, the X-Mock-Scenario header, or PATCH /__mock/config; comma-separated):
${SCENARIOS.map((s) => `  ${pad(s.name, 16)}${s.what}`).join("\n")}

Control API (JSON; clear the scenario with PATCH /__mock/config {"scenario": null}):
${CONTROL_ROUTES.map((r) => `  ${pad(r.method, 6)}${pad(r.path, 31)}${r.summary}`).join("\n")}

Examples:
  kling-mock --port 0 --clock virtual
  kling-mock --scenario fail --failure-rate 0.2 --seed 7
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
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliResult {
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
        "create-shape": { type: "string" },
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
  const createShape = str("create-shape") ?? "documented";
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
  if (secret !== undefined && !/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) {
    return { kind: "error", message: "--webhook-secret must look like whsec_<base64>" };
  }
  const port = int("port", str("port") ?? env.PORT, 4010);
  const seed = int("seed", str("seed"), 1);
  const concurrency = int("concurrency", str("concurrency"), 0);
  for (const v of [port, seed, concurrency])
    if (typeof v === "string") return { kind: "error", message: v };
  if ((port as number) > 65_535) return { kind: "error", message: `--port must be at most 65535` };
  const keys = list(str("keys"));
  if (keys !== undefined && keys.length === 0)
    return { kind: "error", message: "--keys needs at least one key" };
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
      createShape,
      seed: seed as number,
      failureRate,
      scenario: str("scenario") ?? "",
      concurrencyLimit: concurrency as number,
      logRequests: !values.quiet,
      ui: true,
      ...(secret === undefined ? {} : { webhookSecret: secret }),
      ...(keys === undefined ? {} : { keys }),
      ...(hosts === undefined ? {} : { callbackAllowedHosts: hosts }),
    },
  };
}
