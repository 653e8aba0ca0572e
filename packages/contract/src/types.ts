/**
 * The public shapes of a contract run: its options, its failures and its report. The generic
 * shapes the checks work with (`checks/outcome.ts`) are bound here to the registry's check names.
 */
import type { Finding, Outcome } from "./checks/outcome.js";
import type { CheckName } from "./names.js";
import type { RunOptions } from "./options.js";

/** One thing the server got wrong, under the stable name of the check that failed. */
export type Failure = Finding<CheckName>;

/** What one check function found, and what it chose not to do. */
export type CheckOutcome = Outcome<CheckName>;

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
export interface ContractOptions extends RunOptions {
  /** Only run these checks (response checks always run on every response). */
  only?: readonly CheckName[];
}
