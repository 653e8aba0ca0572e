/**
 * The last stage of every answer the mock makes up: check it against its document. A reply that
 * breaks the spec is the mock's own bug, so it becomes a loud 500 (and a log line) rather than a
 * quietly wrong answer a frontend would build on.
 */
import type { Operation, ValidationEngine } from "../engine.js";
import { errorsOf } from "../errors/diagnostics.js";
import { errors } from "../errors/envelopes.js";
import type { LogSink } from "../log.js";
import type { JsonReply } from "../request.js";

export type { LogSink } from "../options.js";

/** The reply if it conforms to `operation`'s responses; otherwise the mock's loud 500. */
export function checkedReply(
  engine: ValidationEngine,
  operation: Operation | undefined,
  reply: JsonReply,
  label: string,
  log: LogSink,
): JsonReply {
  if (operation === undefined) return reply;
  const headers: Record<string, string> = { "content-type": "application/json", ...reply.headers };
  const violations = errorsOf(
    engine.checkResponse(operation, { statusCode: reply.status, headers, body: reply.body }),
  );
  if (violations.length === 0) return reply;
  const summary = violations
    .map((d) => `${(d.path ?? []).join(".") || "response"}: ${d.message}`)
    .join("; ");
  log(`kling-mock: RESPONSE VIOLATES THE SPEC on ${label} (status ${reply.status}): ${summary}`);
  return {
    ...errors.contractViolation(summary),
    headers: { "x-mock-violation": summary.slice(0, 500).replace(/[^\x20-\x7e]/g, "?") },
  };
}
