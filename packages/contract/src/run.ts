/**
 * `runContract`: runs every check that the options allow against one base URL and returns a
 * report. It talks HTTP only, so it works against the mock, a staging gateway or the real one.
 */

import { startReceiver } from "./callbacks/receiver.js";
import { ignoredAuth } from "./checks/auth.js";
import { callbacks } from "./checks/callbacks.js";
import { lifecycle } from "./checks/lifecycle.js";
import { type CheckOutcome, negativeDataRejection } from "./checks/negative.js";
import { positiveDataAcceptance } from "./checks/positive.js";
import { unknownTask } from "./checks/unknown-task.js";
import { CHECK_NAMES, type CheckName, RESPONSE_CHECKS } from "./names.js";
import { type ResolvedOptions, Session } from "./session.js";
import type { CheckResult, ContractOptions, ContractReport, Failure } from "./types.js";

/** Applies defaults; a missing seed becomes a time-based one, printed in the report to replay. */
export function resolveOptions(options: ContractOptions): ResolvedOptions {
  if (!options.baseUrl) throw new TypeError("baseUrl is required");
  if (!options.apiKey) throw new TypeError("apiKey is required");
  return {
    ...options,
    allowBillable: options.allowBillable ?? false,
    seed: options.seed ?? Date.now() % 2_147_483_647,
    cases: options.cases ?? 100,
    validCases: options.validCases ?? 5,
    timeoutMs: options.timeoutMs ?? 30_000,
    pollIntervalMs: options.pollIntervalMs ?? 5_000,
    lifecycleTimeoutMs: options.lifecycleTimeoutMs ?? 15 * 60_000,
    callbackWaitMs: options.callbackWaitMs ?? 10_000,
    callbackToleranceSeconds: options.callbackToleranceSeconds ?? 300,
  };
}

/** Merges failures that say the same thing (e.g. one schema error seen on every poll). */
function dedupe(failures: Failure[]): Failure[] {
  const byKey = new Map<string, Failure>();
  for (const f of failures) {
    const key = `${f.check}\u0000${f.message}`;
    const seen = byKey.get(key);
    if (seen) seen.occurrences = (seen.occurrences ?? 1) + 1;
    else byKey.set(key, { ...f });
  }
  return [...byKey.values()];
}

/**
 * Runs the contract checks against `options.baseUrl`. Free checks (auth, unknown ids, rejected
 * invalid bodies) always run; checks that submit tasks run only with `allowBillable`. Never throws
 * for a misbehaving server: every problem is a named failure in the report.
 */
export async function runContract(options: ContractOptions): Promise<ContractReport> {
  const resolved = resolveOptions(options);
  const started = performance.now();
  const session = new Session(resolved);
  const wanted = (name: CheckName) => !resolved.only || resolved.only.includes(name);
  const log = resolved.log ?? (() => {});
  const failures: Failure[] = [];
  const skipped: string[] = [];
  const skipReasons = new Map<CheckName, string>();
  const durations = new Map<CheckName, number>();
  let generated = 0;

  const step = async (name: CheckName, body: () => Promise<CheckOutcome>) => {
    if (!wanted(name)) {
      skipReasons.set(name, "not selected");
      return;
    }
    const t0 = performance.now();
    log(`running ${name}`);
    const outcome = await body();
    durations.set(name, performance.now() - t0);
    failures.push(...outcome.failures);
    skipped.push(...outcome.skipped);
    generated += outcome.generated ?? 0;
  };

  await step("ignored_auth", () => ignoredAuth(session));
  await step("unknown_task", () => unknownTask(session));
  // Nothing answered: every further request would fail the same way, and generated inputs would
  // shrink against a dead port. Say so once instead.
  const unreachable = session.answered === 0 && session.unanswered > 0;
  const deadReason = `the server did not answer ${session.unanswered} request(s); nothing else was tried`;
  if (unreachable) {
    for (const name of CHECK_NAMES) skipReasons.set(name, deadReason);
    skipped.push(deadReason);
  } else {
    await step("negative_data_rejection", () => negativeDataRejection(session));
  }

  const billableReason =
    "submits tasks, billable on a real gateway (pass --allow-billable / allowBillable: true)";
  if (unreachable) {
    // Reasons already recorded above.
  } else if (!resolved.allowBillable) {
    for (const name of [
      "positive_data_acceptance",
      "ensure_resource_availability",
      "lifecycle",
      "callbacks",
    ] as const) {
      skipReasons.set(name, billableReason);
      skipped.push(`${name}: ${billableReason}`);
    }
  } else {
    await step("positive_data_acceptance", () => positiveDataAcceptance(session));
    const callbackOption = resolved.callbacks ?? true;
    const wantCallbacks = callbackOption !== false && wanted("callbacks");
    const receiver = wantCallbacks
      ? await startReceiver(typeof callbackOption === "object" ? callbackOption.port : undefined)
      : undefined;
    try {
      const path = `/kling-contract/${session.runId}`;
      const publicBase =
        typeof callbackOption === "object" && callbackOption.publicUrl
          ? callbackOption.publicUrl.replace(/\/+$/, "")
          : receiver?.url;
      if (wanted("lifecycle") || wanted("ensure_resource_availability") || wantCallbacks) {
        const t0 = performance.now();
        log("running lifecycle");
        const task = await lifecycle(session, receiver ? `${publicBase}${path}` : undefined);
        durations.set("lifecycle", performance.now() - t0);
        durations.set("ensure_resource_availability", performance.now() - t0);
        failures.push(...task.failures);
        skipped.push(...task.skipped);
        if (receiver) await step("callbacks", () => callbacks(session, receiver, path, task));
      }
      if (!wantCallbacks) {
        const reason = callbackOption === false ? "disabled (callbacks: false)" : "not selected";
        skipReasons.set("callbacks", reason);
        skipped.push(`callbacks: ${reason}`);
      }
    } finally {
      await receiver?.close();
    }
  }

  for (const name of CHECK_NAMES) {
    if (!wanted(name) && !RESPONSE_CHECKS.includes(name) && !skipReasons.has(name)) {
      skipReasons.set(name, "not selected");
    }
    const transient = session.inconclusive.get(name) ?? 0;
    if (transient > 0) {
      skipped.push(
        `${name}: ${transient} answer(s) were a documented, transient 429/503 (rate limit, concurrency, maintenance) and could not be judged`,
      );
    }
    // A check that ran but had nothing conclusive to examine did not pass: it did not happen.
    const conclusive = (session.cases.get(name) ?? 0) - transient;
    const ranEmpty = !RESPONSE_CHECKS.includes(name) && !skipReasons.has(name) && conclusive <= 0;
    if (ranEmpty && !failures.some((f) => f.check === name)) {
      const why = skipped.filter((line) => line.startsWith(`${name}:`)).at(-1);
      skipReasons.set(
        name,
        why
          ? why.slice(name.length + 2)
          : name === "callbacks" || name === "ensure_resource_availability"
            ? "no task was accepted to follow (see lifecycle)"
            : "nothing conclusive to examine",
      );
    }
  }
  const checks: CheckResult[] = CHECK_NAMES.map((name) => {
    const own = dedupe(failures.filter((f) => f.check === name));
    const reason =
      RESPONSE_CHECKS.includes(name) && !unreachable ? undefined : skipReasons.get(name);
    const cases = session.cases.get(name) ?? 0;
    const result: CheckResult = {
      name,
      status: own.length > 0 ? "failed" : reason !== undefined ? "skipped" : "passed",
      cases,
      failures: own,
      // The response checks run inside every other check: their time is the whole run's.
      durationMs: RESPONSE_CHECKS.includes(name)
        ? performance.now() - started
        : (durations.get(name) ?? 0),
    };
    if (reason !== undefined && own.length === 0) result.skipReason = reason;
    return result;
  });
  return {
    ok: checks.every((c) => c.status !== "failed"),
    baseUrl: resolved.baseUrl,
    seed: resolved.seed,
    generatedCases: generated,
    checks,
    skipped,
    durationMs: performance.now() - started,
  };
}
