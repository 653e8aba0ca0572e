/**
 * `@kling-multi-image/contract`: contract tests for the Kling multi-image-to-video API. Point
 * {@link runContract} (or the `kling-contract` CLI) at any server and get a verdict with named
 * checks, replayable curl lines and JUnit XML.
 */

export { type Delivery, type Receiver, startReceiver } from "./callbacks/receiver.js";
export { signWebhook, verifyWebhook } from "./callbacks/signature.js";
export {
  type CapturedRequest,
  type CaptureServer,
  type CaptureServerOptions,
  startCaptureServer,
} from "./capture.js";
export { ignoredAuth, SEED_BODY, seedBody } from "./checks/auth.js";
export { callbacks } from "./checks/callbacks.js";
export { conformance } from "./checks/conformance.js";
export { lifecycle, taskIdOf } from "./checks/lifecycle.js";
export { activeMutations, negativeDataRejection } from "./checks/negative.js";
export { positiveDataAcceptance } from "./checks/positive.js";
export { unknownTask } from "./checks/unknown-task.js";
export { advanceVia, main, parseCli, USAGE } from "./cli.js";
export {
  finalize,
  type GeneratedBody,
  MUTATIONS,
  type Mutation,
  type RequestRules,
  readRules,
  type ValidBodyOptions,
  validBody,
} from "./generate/index.js";
export type { RecordedRequest, RecordedResponse } from "./http.js";
export { BILLABLE_CHECKS, CHECK_NAMES, type CheckName, RESPONSE_CHECKS } from "./names.js";
export { describeErrors, Oracle, type SchemaError, type SchemaVerdict } from "./oracle.js";
export { toCurl } from "./report/curl.js";
export { toJUnit } from "./report/junit.js";
export { formatFailure, formatReport } from "./report/text.js";
export { checkRequest, matchOperation, type RequestMatch } from "./request-check.js";
export { resolveOptions, runContract } from "./run.js";
export { Session } from "./session.js";
export { CREATE_PATH, type OperationId, QUERY_PATH, SpecModel } from "./spec.js";
export type {
  CheckOutcome,
  CheckResult,
  ContractOptions,
  ContractReport,
  Failure,
} from "./types.js";
