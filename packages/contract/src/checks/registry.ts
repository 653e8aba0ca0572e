/**
 * Every check, once, in report order: the order of `CHECK_NAMES`, of the checks in every report
 * and of JUnit test cases. The set of check names and the lists in `names.ts` derive from it, and
 * the runner (`run.ts`) runs what it lists, probes first (see `Stage`). Adding a check is one module
 * under `src/checks/` and one line here.
 */
import { ignoredAuthCheck } from "./auth.js";
import { callbacksCheck } from "./callbacks.js";
import {
  contentTypeConformanceCheck,
  notAServerErrorCheck,
  responseHeadersConformanceCheck,
  responseSchemaConformanceCheck,
  statusCodeConformanceCheck,
} from "./conformance.js";
import type { CheckDefinition } from "./define.js";
import { ensureResourceAvailabilityCheck, lifecycleCheck } from "./lifecycle.js";
import { negativeDataRejectionCheck } from "./negative.js";
import { positiveDataAcceptanceCheck } from "./positive.js";
import { unknownTaskCheck } from "./unknown-task.js";

/** Every check, in report order. */
export const CHECKS = [
  notAServerErrorCheck,
  statusCodeConformanceCheck,
  contentTypeConformanceCheck,
  responseHeadersConformanceCheck,
  responseSchemaConformanceCheck,
  negativeDataRejectionCheck,
  positiveDataAcceptanceCheck,
  ignoredAuthCheck,
  unknownTaskCheck,
  ensureResourceAvailabilityCheck,
  lifecycleCheck,
  callbacksCheck,
] as const;

/** One of {@link CHECKS}. */
export type RegisteredCheck = (typeof CHECKS)[number];

/** A registered check with a run of its own. */
export type RunnableCheck = Extract<RegisteredCheck, CheckDefinition>;

/** True for a check with a run of its own (not a response check, nor one another check judges). */
export function isRunnable(check: RegisteredCheck): check is RunnableCheck {
  return "run" in check;
}
