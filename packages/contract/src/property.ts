/**
 * Runs a fast-check property whose every run is one HTTP exchange. fast-check shrinks a failing
 * input to a minimal one; the failures of that last, minimal run are the ones reported, with the
 * seed and path that replay it.
 */
import fc from "fast-check";
import type { Finding } from "./checks/outcome.js";

/** What a property run found, with failures under the names `N`. */
export interface PropertyOutcome<N extends string = string> {
  /** Failures of the minimal counterexample (empty when the property held). */
  failures: Finding<N>[];
  /** Generated inputs tried before the first failure (or all of them). */
  runs: number;
}

/**
 * Checks `exec` on `numRuns` inputs from `arbitrary`. `exec` returns the failures of one input; any
 * failure fails the property. `rule` is attached to the replay information. `shrinkBudget` caps the
 * requests spent shrinking (default 100).
 */
export async function runProperty<T, N extends string>(
  arbitrary: fc.Arbitrary<T>,
  options: {
    numRuns: number;
    seed: number;
    runSeed?: number;
    rule?: string;
    shrinkBudget?: number;
  },
  exec: (value: T) => Promise<Finding<N>[]>,
): Promise<PropertyOutcome<N>> {
  let last: Finding<N>[] = [];
  let shrinkRuns = 0;
  const budget = options.shrinkBudget ?? 100;
  const property = fc.asyncProperty(arbitrary, async (value) => {
    if (last.length > 0) {
      // Shrinking: every try is a request to a possibly remote, rate-limited server. Past the budget,
      // report the remaining candidates as passing so fast-check settles on the smallest failure
      // found so far instead of walking, say, a 2,500-character prompt one character at a time.
      shrinkRuns += 1;
      if (shrinkRuns > budget) return true;
    }
    const failures = await exec(value);
    if (failures.length === 0) return true;
    // The last failing run is the current counterexample: fast-check only moves to a smaller input
    // when that input fails too.
    last = failures;
    return false;
  });
  const details = await fc.check(property, { numRuns: options.numRuns, seed: options.seed });
  if (!details.failed) return { failures: [], runs: details.numRuns };
  if (last.length === 0) {
    // exec threw instead of returning failures: that is a bug in the kit, not in the server.
    throw details.errorInstance instanceof Error
      ? details.errorInstance
      : new Error(`property failed without failures: ${String(details.errorInstance)}`);
  }
  const replay: NonNullable<Finding["replay"]> = {
    seed: details.seed,
    shrinks: details.numShrinks,
  };
  if (details.counterexamplePath !== null) replay.path = details.counterexamplePath;
  if (options.rule !== undefined) replay.rule = options.rule;
  if (options.runSeed !== undefined) replay.runSeed = options.runSeed;
  return { failures: last.map((f) => ({ ...f, replay })), runs: details.numRuns };
}
