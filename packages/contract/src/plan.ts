/**
 * Which of the registry's checks a run executes, and why the others do not. Decided from the
 * options and the checks' declarations alone (cost, needs, what they provide, what they judge), so
 * no check is named here.
 */
import type { Need } from "./checks/define.js";
import { CHECKS, isRunnable, type RegisteredCheck, type RunnableCheck } from "./checks/registry.js";
import type { ContractOptions } from "./types.js";

/** The options a plan depends on. */
export type PlanOptions = Pick<ContractOptions, "only" | "allowBillable" | "callbacks">;

/** What the runner does with one check that has a run. */
export type Decision =
  | {
      readonly run: true;
      /** The check, or one that runs and waits on what it provides, needs the callback inbox. */
      readonly needsInbox: boolean;
    }
  | {
      readonly run: false;
      /** The skip reason of the check and of the checks it judges. */
      readonly reason: string;
      /** Whether the reason also goes into the report's `skipped` summary. */
      readonly listed: boolean;
    };

const BILLABLE_REASON =
  "submits tasks, billable on a real gateway (pass --allow-billable / allowBillable: true)";

/** The registered checks with a run of their own, in registry order. */
export const RUNNABLE_CHECKS: readonly RunnableCheck[] = CHECKS.filter(isRunnable);

/** The checks a run reports on: its own and those it judges, in report order. */
export function reportedBy(check: RunnableCheck): RegisteredCheck[] {
  return CHECKS.filter((other) => other === check || check.judges.includes(other));
}

/** True when `options.only` leaves `check` in. */
export function isSelected(options: PlanOptions, check: RegisteredCheck): boolean {
  return !options.only || options.only.includes(check.name);
}

/** The runnable checks that wait on something `check` provides. */
function dependentsOf(check: RunnableCheck): RunnableCheck[] {
  return RUNNABLE_CHECKS.filter(
    (other) => other !== check && other.needs.some((need) => check.provides.includes(need)),
  );
}

/** The decision, for any runnable check, whether it runs under `options` and, if not, why. */
export function planRun(options: PlanOptions): (check: RunnableCheck) => Decision {
  /** Why a resource cannot be had in this run at all, if it cannot. */
  const unavailable = (need: Need): string | undefined =>
    need === "inbox" && options.callbacks === false ? "disabled (callbacks: false)" : undefined;
  const blockedBy = (check: RunnableCheck): string | undefined =>
    check.needs.map(unavailable).find((reason) => reason !== undefined);
  const affordable = (check: RunnableCheck) => !check.billable || options.allowBillable === true;
  // A check runs when it may, and when it (or a check it judges) was selected, or a check that
  // runs waits on what it provides.
  const runs = (check: RunnableCheck): boolean =>
    affordable(check) &&
    blockedBy(check) === undefined &&
    (reportedBy(check).some((c) => isSelected(options, c)) || dependentsOf(check).some(runs));
  const leadsTo = (check: RunnableCheck, need: Need): boolean =>
    check.needs.includes(need) ||
    dependentsOf(check).some((other) => runs(other) && leadsTo(other, need));

  return (check: RunnableCheck): Decision => {
    if (!affordable(check)) return { run: false, reason: BILLABLE_REASON, listed: true };
    const blocked = blockedBy(check);
    // A check that waits on a resource says why it did not run in the summary too: either the
    // caller turned the resource off, or the selection left out what needs it.
    const listed = check.needs.length > 0;
    if (blocked !== undefined) return { run: false, reason: blocked, listed };
    if (!runs(check)) return { run: false, reason: "not selected", listed };
    return { run: true, needsInbox: leadsTo(check, "inbox") };
  };
}
