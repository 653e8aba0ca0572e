/**
 * `runContract`: runs every check that the options allow against one base URL and returns a
 * report. It talks HTTP only, so it works against the mock, a staging gateway or the real one.
 * Which checks exist, and what each costs, needs and provides, is declared in the registry
 * (`checks/registry.ts`); which of them run is decided in `plan.ts`; this module runs them in
 * registry order, probes first, and turns what they found into the report.
 */

import { decodeSecret } from "@kling-multi-image/webhooks";
import { startReceiver } from "./callbacks/receiver.js";
import type { CallbackInbox, CheckContext } from "./checks/define.js";
import { CHECKS, type RunnableCheck } from "./checks/registry.js";
import type { CheckName } from "./names.js";
import type { ResolvedOptions } from "./options.js";
import { isSelected, planRun, RUNNABLE_CHECKS, reportedBy } from "./plan.js";
import { Session } from "./session.js";
import type { CheckResult, ContractOptions, ContractReport, Failure } from "./types.js";

/** Applies defaults; a missing seed becomes a time-based one, printed in the report to replay. */
export function resolveOptions(options: ContractOptions): ResolvedOptions & ContractOptions {
  if (!options.baseUrl) throw new TypeError("baseUrl is required");
  if (!options.apiKey) throw new TypeError("apiKey is required");
  // Refused here, before any check runs (and any task is paid for), not at every delivery.
  if (options.callbackSecret !== undefined) decodeSecret(options.callbackSecret);
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

/** Starts this run's callback receiver, with the path reserved for the run and its public URL. */
async function openInbox(
  session: Session,
  option: ContractOptions["callbacks"],
): Promise<CallbackInbox> {
  const receiver = await startReceiver(typeof option === "object" ? option.port : undefined);
  const path = `/kling-contract/${session.runId}`;
  const base =
    typeof option === "object" && option.publicUrl
      ? option.publicUrl.replace(/\/+$/, "")
      : receiver.url;
  return { receiver, path, url: `${base}${path}` };
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
  const log = resolved.log ?? (() => {});
  const decide = planRun(resolved);
  const failures: Failure[] = [];
  const skipped: string[] = [];
  const skipReasons = new Map<CheckName, string>();
  const durations = new Map<CheckName, number>();
  let generated = 0;
  // Resources join the context as they become available: opened here, or provided by a run.
  const context: CheckContext = { session };

  const step = async (check: RunnableCheck) => {
    const decision = decide(check);
    if (!decision.run) {
      for (const { name } of reportedBy(check)) {
        skipReasons.set(name, decision.reason);
        if (decision.listed) skipped.push(`${name}: ${decision.reason}`);
      }
      return;
    }
    // The receiver starts before the task is created, so that the task carries its URL.
    if (decision.needsInbox && context.inbox === undefined)
      context.inbox = await openInbox(session, resolved.callbacks);
    const t0 = performance.now();
    log(`running ${check.name}`);
    const outcome = await check.run(context);
    const duration = performance.now() - t0;
    for (const { name } of reportedBy(check)) durations.set(name, duration);
    failures.push(...outcome.failures);
    skipped.push(...outcome.skipped);
    generated += outcome.generated ?? 0;
    Object.assign(context, outcome.provided);
  };

  for (const check of RUNNABLE_CHECKS) if (check.stage === "probe") await step(check);
  // Nothing answered: every further request would fail the same way, and generated inputs would
  // shrink against a dead port. Say so once instead.
  const unreachable = session.answered === 0 && session.unanswered > 0;
  const deadReason = `the server did not answer ${session.unanswered} request(s); nothing else was tried`;
  if (unreachable) {
    for (const { name } of CHECKS) skipReasons.set(name, deadReason);
    skipped.push(deadReason);
  } else {
    try {
      for (const check of RUNNABLE_CHECKS) if (check.stage === "main") await step(check);
    } finally {
      await context.inbox?.receiver.close();
    }
  }

  for (const check of CHECKS) {
    const { name } = check;
    const response = check.stage === "response";
    if (!isSelected(resolved, check) && !response && !skipReasons.has(name)) {
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
    const ranEmpty = !response && !skipReasons.has(name) && conclusive <= 0;
    if (ranEmpty && !failures.some((f) => f.check === name)) {
      const why = skipped.filter((line) => line.startsWith(`${name}:`)).at(-1);
      skipReasons.set(
        name,
        why ? why.slice(name.length + 2) : (check.emptyReason ?? "nothing conclusive to examine"),
      );
    }
  }
  const checks: CheckResult[] = CHECKS.map(({ name, stage }) => {
    const own = dedupe(failures.filter((f) => f.check === name));
    const reason = stage === "response" && !unreachable ? undefined : skipReasons.get(name);
    const cases = session.cases.get(name) ?? 0;
    const result: CheckResult = {
      name,
      status: own.length > 0 ? "failed" : reason !== undefined ? "skipped" : "passed",
      cases,
      failures: own,
      // The response checks run inside every other check: their time is the whole run's.
      durationMs: stage === "response" ? performance.now() - started : (durations.get(name) ?? 0),
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
