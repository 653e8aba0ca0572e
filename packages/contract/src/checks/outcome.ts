/**
 * What checks report, shared by the checks, the session and the runner. Generic over the check
 * names a report may carry: this module sits below the registry that defines the full set of
 * names, so `types.ts` binds these shapes to that set ({@link Failure}, {@link CheckOutcome}) and
 * each check binds them to the few names it may report.
 */
import { excerpt, type RecordedRequest, type RecordedResponse } from "../http.js";

/** One thing the server got wrong, reported under one of the names `N`. */
export interface Finding<N extends string = string> {
  /** The stable name of the check that failed. */
  check: N;
  /** What was wrong, in one or two sentences. */
  message: string;
  /** The request that showed it, replayable with `toCurl`. */
  request?: RecordedRequest;
  /** Status, content type and a body excerpt of the offending response. */
  response?: { status: number; contentType?: string; body: string };
  /** For generated inputs: the fast-check seed and path that replay the minimal counterexample. */
  replay?: { seed: number; runSeed?: number; path?: string; rule?: string; shrinks?: number };
  /** How many times the same failure (same check and message) was seen. */
  occurrences?: number;
}

/** What a check found, and what it chose not to do. */
export interface Outcome<N extends string = string> {
  failures: Finding<N>[];
  skipped: string[];
  /** Generated inputs sent. */
  generated?: number;
}

/** One observation of a followed task. */
export interface Observation {
  poll: number;
  status: string;
  progress: string;
  klingStatus?: string;
  videoUrl?: string;
}

/**
 * What the lifecycle found: its findings, and the task it followed, which the callbacks check
 * compares its deliveries with.
 */
export interface LifecycleOutcome<N extends string = string> extends Outcome<N> {
  taskId?: string;
  /** Kling's terminal status (`succeed` | `failed`) if one was reached. */
  finalKlingStatus?: string;
  history: Observation[];
}

/** The response part of a failure. */
export function responseSummary(response: RecordedResponse): NonNullable<Finding["response"]> {
  const summary: NonNullable<Finding["response"]> = {
    status: response.status,
    body: excerpt(response.body),
  };
  const contentType = response.headers["content-type"];
  if (contentType !== undefined) summary.contentType = contentType;
  return summary;
}
