/**
 * Turns Prism's request diagnostics into the gateway's error envelopes. Prism words its messages
 * for API designers ("Request body property image_list.1.image must ..."); the gateway words
 * them for callers ("image_list[1].image must ..."), so the field comes first.
 */
import { errors, type JsonReply } from "./envelopes.js";

/** The part of Prism's `IPrismDiagnostic` the mock reads. */
export interface Diagnostic {
  path?: readonly (string | number)[];
  code?: string | number;
  message: string;
  severity: number;
}

/** `DiagnosticSeverity.Error` in @stoplight/types; warnings (e.g. a deprecated field) pass. */
export const SEVERITY_ERROR = 0;

/** `["body","image_list","1","image"]` -> `image_list[1].image`. */
export function fieldName(path: readonly (string | number)[]): string {
  let out = "";
  for (const segment of path.slice(1)) {
    const s = String(segment);
    if (/^\d+$/.test(s)) out += `[${s}]`;
    else out += out === "" ? s : `.${s}`;
  }
  return out;
}

/** One diagnostic as the gateway would word it, naming the field first. */
export function describe(d: Diagnostic): string {
  const path = d.path ?? [];
  const field = fieldName(path);
  const required = /must have required property '([^']+)'/.exec(d.message);
  if (required) return `${field === "" ? "" : `${field}.`}${required[1]} is required`;
  // Prism prefixes "Request body property a.b " or "Request path parameter x "; keep the rest.
  const rest = d.message.replace(
    /^(?:Request|Response) (?:body|path|query|header)s? (?:property|parameter) \S+ /,
    "",
  );
  const rest2 = rest.replace(/^(?:Request|Response) (?:body|path|query|header)s? /, "");
  if (field === "") return rest2 === "" ? "invalid request" : rest2;
  return `${field} ${rest2}`;
}

/** The error diagnostics of a list, in order. */
export function errorsOf(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === SEVERITY_ERROR);
}

/** Whether a diagnostic is a body without `model` (the middleware refuses it first). */
export function isMissingModel(d: Diagnostic): boolean {
  return (
    d.code === "required" &&
    /required property 'model'/.test(d.message) &&
    (d.path?.length ?? 0) <= 1
  );
}

/** The middleware's 400 for a body without a model. */
export function missingModelReply(): JsonReply {
  return {
    ...errors.invalidJson("model is required"),
    body: {
      error: { message: "model is required", type: "new_api_error", code: "invalid_request" },
    },
  };
}

/**
 * The gateway's answer to a request that failed Prism's request validation.
 * - a missing `model` is the middleware's 400 (it reads the model before anything else);
 * - a bad path parameter (task id) on the query is `task_not_exist`, as the gateway cannot find it;
 * - anything else is the relay's 400 `invalid_request` naming every offending field.
 */
export function replyForInvalidRequest(
  diagnostics: readonly Diagnostic[],
  operationId: string,
): JsonReply | undefined {
  const list = errorsOf(diagnostics);
  if (list.length === 0) return undefined;
  if (list.some((d) => d.code === 415)) {
    return errors.invalidJson("Content-Type must be application/json");
  }
  if (operationId === "getMultiImageVideoTask" && list.some((d) => d.path?.[0] === "path")) {
    return errors.taskNotExist();
  }
  if (list.some(isMissingModel)) return missingModelReply();
  if (list.some((d) => d.code === "required" && d.path === undefined)) {
    // Prism's "Body parameter is required": an empty body.
    return errors.invalidJson("unexpected end of JSON input");
  }
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const d of list) {
    const text = describe(d);
    if (!seen.has(text)) {
      seen.add(text);
      parts.push(text);
    }
  }
  let message = parts.join("; ");
  if (message.length > 1000) message = `${message.slice(0, 997)}...`;
  return errors.invalidRequest(message);
}
