/**
 * The stable check names and the public lists of them, derived from the registry
 * (`checks/registry.ts`), where each name is written once. They are part of the public contract of
 * this package: CI dashboards, JUnit reports and allow-lists key on them.
 */
import type { CheckMetadata } from "./checks/metadata.js";
import { CHECKS } from "./checks/registry.js";

/** The names of a tuple of checks, as a tuple. */
type NamesOf<T extends readonly CheckMetadata[]> = {
  readonly [I in keyof T]: T[I] extends CheckMetadata<infer N> ? N : never;
};

/** The names of `checks`, in their order, typed as a tuple. */
function namesOf<const T extends readonly CheckMetadata[]>(checks: T): NamesOf<T> {
  // `map` forgets that `checks` is a tuple; the result has its names in its order, so the tuple
  // type is exact.
  return checks.map((check) => check.name) as NamesOf<T>;
}

/**
 * The stable check names, in report order. Never rename one. Names shared with Schemathesis mean
 * the same thing there.
 */
export const CHECK_NAMES = namesOf(CHECKS);

/** One of {@link CHECK_NAMES}. */
export type CheckName = (typeof CHECK_NAMES)[number];

/** Checks applied to every response the kit receives, whatever scenario sent the request. */
export const RESPONSE_CHECKS: readonly CheckName[] = CHECKS.filter(
  (check) => check.stage === "response",
).map((check) => check.name);

/** Checks that submit tasks, which costs money on a real gateway. */
export const BILLABLE_CHECKS: readonly CheckName[] = CHECKS.filter((check) => check.billable).map(
  (check) => check.name,
);
