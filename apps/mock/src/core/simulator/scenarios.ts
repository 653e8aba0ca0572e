/**
 * Outcome scenarios: chosen per request with the `X-Mock-Scenario` header (comma-separated) or
 * for the whole server (option or control API).
 */

/** What a scenario does. */
export interface Scenario {
  /** The task is accepted, then fails with a Kling reason. */
  fail?: boolean;
  /** The submit is refused with Kling 1301 (content policy). */
  contentPolicy?: boolean;
  /** 429 Kling 1302 with Retry-After. */
  rateLimit?: boolean;
  /** 429 Kling 1303 with Retry-After. */
  concurrency?: boolean;
  /** 500 Kling 5000. */
  serverError?: boolean;
  /** 503 Kling 5001 with Retry-After. */
  maintenance?: boolean;
  /** 403 quota_not_enough. */
  quota?: boolean;
  /**
   * The request is processed (a submit creates its task), then the connection is dropped without
   * an answer: the client cannot know the outcome, as when a real connection is lost.
   */
  disconnect?: boolean;
  /** Added response latency in real milliseconds. */
  slowMs?: number;
  /** Force success even when a server-wide failure rate would fail the task. */
  succeed?: boolean;
}

/** Every scenario name with what it does, for `--help`, error messages and docs. */
export const SCENARIOS = [
  { name: "succeed", what: "the task succeeds, whatever the failure rate" },
  { name: "fail", what: "accepted, then ends failed with a Kling reason" },
  { name: "content-policy", what: "400, Kling 1301 (risk control)" },
  { name: "rate-limit", what: "429, Kling 1302, with Retry-After" },
  { name: "concurrency", what: "429, Kling 1303, with Retry-After" },
  { name: "server-error", what: "500, Kling 5000" },
  { name: "maintenance", what: "503, Kling 5001, with Retry-After" },
  { name: "quota", what: "403 quota_not_enough" },
  { name: "disconnect", what: "processed (a submit creates its task), then the connection drops" },
  { name: "slow:<ms>", what: "adds real latency (at most 60 s)" },
] as const;

/** Scenario names accepted in the header. */
export const SCENARIO_NAMES = SCENARIOS.map((s) => s.name);

/** The longest added latency, so a typo cannot hang a client for hours. */
export const MAX_SLOW_MS = 60_000;

/** Parses `fail,slow:200`; returns an error message for an unknown name. */
export function parseScenario(text: string): Scenario | string {
  const scenario: Scenario = {};
  for (const raw of text.split(",")) {
    const name = raw.trim().toLowerCase();
    if (name === "") continue;
    const slow = /^slow:(\d{1,9})$/.exec(name);
    if (slow) {
      scenario.slowMs = Math.min(Number(slow[1]), MAX_SLOW_MS);
      continue;
    }
    switch (name) {
      case "succeed":
      case "success":
        scenario.succeed = true;
        break;
      case "fail":
      case "failed":
        scenario.fail = true;
        break;
      case "content-policy":
        scenario.contentPolicy = true;
        break;
      case "rate-limit":
        scenario.rateLimit = true;
        break;
      case "concurrency":
        scenario.concurrency = true;
        break;
      case "server-error":
        scenario.serverError = true;
        break;
      case "maintenance":
        scenario.maintenance = true;
        break;
      case "quota":
        scenario.quota = true;
        break;
      case "disconnect":
        scenario.disconnect = true;
        break;
      default:
        return `unknown X-Mock-Scenario "${raw.trim().slice(0, 40)}"; known: ${SCENARIO_NAMES.join(", ")}`;
    }
  }
  return scenario;
}

/** Request scenario over server-wide scenario: a field set in the request wins. */
export function mergeScenarios(server: Scenario, request: Scenario): Scenario {
  return { ...server, ...request };
}
