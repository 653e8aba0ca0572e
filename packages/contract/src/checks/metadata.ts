/**
 * What every check declares about itself, whether or not it runs on its own. Kept apart from
 * `define.ts` because the response checks (`conformance.ts`) declare themselves here too, and
 * `define.ts` needs the `Session` type, whose module runs the response checks: a shared module
 * would close an import cycle.
 */

/**
 * When a check is judged. `response`: by the session, on every response, whichever check sent the
 * request. `probe`: first, before anything else; its few free requests also tell whether the
 * server answers at all. `main`: after the probes, and only when the server answered them.
 */
export type Stage = "response" | "probe" | "main";

/** What every check declares: its stable name, its cost and its stage. */
export interface CheckMetadata<N extends string = string> {
  /**
   * The stable name. Part of the public contract of this package: CI dashboards, JUnit reports and
   * allow-lists key on it, so never rename one. Names shared with Schemathesis mean the same thing
   * there.
   */
  readonly name: N;
  /** True when the check submits tasks, which costs money on a real gateway. */
  readonly billable: boolean;
  /** When it is judged. */
  readonly stage: Stage;
  /**
   * The skip reason when the check ran but had nothing conclusive to examine. Default: "nothing
   * conclusive to examine".
   */
  readonly emptyReason?: string;
}

/**
 * Declares a check that has no run of its own: a response check (judged by the session on every
 * response) or one that another check's run reports (listed in that check's `judges`). Returns its
 * argument, typed with the literal name.
 */
export function declareCheck<const N extends string>(metadata: CheckMetadata<N>): CheckMetadata<N> {
  return metadata;
}
