/** The public shapes of a contract run: its options, its failures and its report. */
import type { RecordedRequest } from "./http.js";
import type { CheckName } from "./names.js";

/** One thing the server got wrong. */
export interface Failure {
  /** The stable name of the check that failed. */
  check: CheckName;
  /** What was wrong, in one or two sentences. */
  message: string;
  /** The request that showed it, replayable with {@link toCurl}. */
  request?: RecordedRequest;
  /** Status, content type and a body excerpt of the offending response. */
  response?: { status: number; contentType?: string; body: string };
  /** For generated inputs: the fast-check seed and path that replay the minimal counterexample. */
  replay?: { seed: number; runSeed?: number; path?: string; rule?: string; shrinks?: number };
  /** How many times the same failure (same check and message) was seen. */
  occurrences?: number;
}

/** The verdict of one named check. */
export interface CheckResult {
  name: CheckName;
  status: "passed" | "failed" | "skipped";
  /** Responses (or deliveries) this check examined. */
  cases: number;
  failures: Failure[];
  /** Why the check did not run. */
  skipReason?: string;
  durationMs: number;
}

/** The whole verdict. `ok` is false when any check failed. */
export interface ContractReport {
  ok: boolean;
  baseUrl: string;
  seed: number;
  /** Generated request bodies sent (valid and invalid). */
  generatedCases: number;
  checks: CheckResult[];
  /** Checks (and generation rules) that did not run, with why, for the summary. */
  skipped: string[];
  durationMs: number;
}

/** Options of {@link runContract}. Only `baseUrl` and `apiKey` are required. */
export interface ContractOptions {
  /** The server under test, e.g. `https://api.ezmodel.cloud` or the mock's URL. */
  baseUrl: string;
  /** A valid API key for that server. It is never printed: curl lines use `$KLING_API_KEY`. */
  apiKey: string;
  /** Run checks that submit tasks (billable on a real gateway). Default false. */
  allowBillable?: boolean;
  /** fast-check seed; the same seed replays the same inputs. Default: time-based, printed. */
  seed?: number;
  /** Generated invalid bodies for `negative_data_rejection`, spread over the rules. Default 100. */
  cases?: number;
  /** Generated valid bodies for `positive_data_acceptance`; each one is a billable submit. Default 5. */
  validCases?: number;
  /** Per-request timeout. Default 30 000 ms. */
  timeoutMs?: number;
  /** `whsec_...` secret: callbacks must carry valid Standard Webhooks signatures. */
  callbackSecret?: string;
  /**
   * Moves the server's clock forward by `ms` (a virtual clock). With it the lifecycle check advances
   * instead of sleeping; without it the kit sleeps `pollIntervalMs` between polls.
   */
  advance?: (ms: number) => Promise<void>;
  /** Time between lifecycle polls (virtual or real). Default 5 000 ms. */
  pollIntervalMs?: number;
  /** A task must reach `succeed` or `failed` within this time (virtual or real). Default 15 min. */
  lifecycleTimeoutMs?: number;
  /**
   * Run the callbacks check with a receiver on 127.0.0.1. Default true (with allowBillable). Set
   * `publicUrl` when the server reaches the receiver through a tunnel or another address.
   */
  callbacks?: boolean | { publicUrl?: string; port?: number };
  /** How long to wait for the last callback after the task finished (real time). Default 10 000 ms. */
  callbackWaitMs?: number;
  /** Accepted skew of `webhook-timestamp` against this machine's clock. Default 300 s. */
  callbackToleranceSeconds?: number;
  /**
   * Reachable image URLs for the bodies that should be accepted (valid cases, the lifecycle task,
   * the auth probes). Default: `https://example.com/...` and a 1-pixel PNG, fine for a mock; a real
   * gateway forwards images to Kling, which may refuse what it cannot fetch.
   */
  imageUrls?: readonly string[];
  /** Only run these checks (response checks always run on every response). */
  only?: readonly CheckName[];
  /** Progress lines (one per check); default none. */
  log?: (line: string) => void;
}
