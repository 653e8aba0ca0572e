/**
 * `fidelity: "gateway"`: what the gateway's code (cuijinyu/new-api) answers where it departs from
 * its docs. Every body and rule comes from the spec's `x-gateway-departure` entries, generated into
 * `@kling-multi-image/spec/departures` (the named examples' values, the panic rules with the
 * request-body place each one checks); nothing here repeats a string of the spec.
 */
import {
  ASPECT_RATIO_DEFAULT,
  CREATE_RESPONSE_SHAPE,
  type DepartureRule,
  GATEWAY_CHECKED,
  KLING_REFUSAL_CODE,
  RATE_LIMIT_REWRITTEN,
  UNPARSEABLE_BODY,
  UNPRICEABLE_BODY_PANICS,
} from "@kling-multi-image/spec/departures";
import type { JsonReply } from "../request.js";
import { type Diagnostic, errorsOf, isMissingModel } from "./diagnostics.js";
import type { TaskErrorBody } from "./envelopes.js";

/** How the mock answers: as the gateway's docs say, or as its code does. */
export type Fidelity = "documented" | "gateway";

/** The fidelities, for option parsing and the control API. */
export const FIDELITIES: readonly Fidelity[] = ["documented", "gateway"];

/** `unpriceable-body-panics`: main.go's gin.CustomRecovery after GetPriceScale's nil dereference. */
export function panicReply(): JsonReply {
  const { error } = UNPRICEABLE_BODY_PANICS.value;
  return { status: UNPRICEABLE_BODY_PANICS.status, body: { error: { ...error } } };
}

/** `rate-limit-rewritten`: RelayTask replaces the message of every final 429; no header is set. */
export function rateLimitReply(): JsonReply {
  return { status: RATE_LIMIT_REWRITTEN.status, body: { ...RATE_LIMIT_REWRITTEN.value } };
}

/**
 * `kling-refusal-code`: RelayTaskSubmit turns Kling's non-200 refusal (1201 and 1301 are HTTP 400)
 * into the example's code; the message stays Kling's raw body. `documented` is the documented
 * refusal (the task relay's envelope with Kling's body as the message).
 */
export function klingRefusalReply(documented: JsonReply): JsonReply {
  const { status, value } = KLING_REFUSAL_CODE;
  const body = documented.body as TaskErrorBody;
  return { status, body: { ...body, code: value.code } satisfies TaskErrorBody };
}

/** The example's message split around its Go error and request id. */
const unparseable = (() => {
  const { message } = UNPARSEABLE_BODY.value.error;
  const parts = /^(.*, )(.+) \(request id: ([^)]+)\)$/.exec(message);
  return parts
    ? {
        prefix: parts[1] as string,
        example: parts[2] as string,
        idLength: (parts[3] as string).length,
      }
    : undefined;
})();

/**
 * A request id like the gateway's (the example's shape): the UTC time as `yyyyMMddHHmmss`, then
 * random hex digits up to the example id's length.
 */
export function gatewayRequestId(nowMs: number): string {
  const time = new Date(nowMs).toISOString().replace(/\D/g, "").slice(0, 14);
  const length = Math.max(unparseable?.idLength ?? 29, 15);
  const random = Array.from(crypto.getRandomValues(new Uint8Array(length)), (b) =>
    (b % 16).toString(16),
  ).join("");
  return (time + random).slice(0, length);
}

/**
 * `unparseable-body`: Distribute cannot read a model from a body that is not a JSON object and
 * answers "Invalid request, 无效的请求, <Go's JSON error> (request id: <id>)" with an empty code.
 * The end of the input reads as Go words it; other parser errors keep the JavaScript parser's words.
 */
export function unparseableReply(detail: string, nowMs: number): JsonReply {
  const { status, value } = UNPARSEABLE_BODY;
  const error = /^unexpected end of JSON input$/i.test(detail)
    ? (unparseable?.example ?? detail)
    : detail;
  const message = unparseable
    ? `${unparseable.prefix}${error} (request id: ${gatewayRequestId(nowMs)})`
    : value.error.message;
  return { status, body: { error: { ...value.error, message } } };
}

/** `aspect-ratio-default`: getAspectRatio("") fills in the observed ratio. */
export const GATEWAY_ASPECT_RATIO = ASPECT_RATIO_DEFAULT.observed;

/** `create-response-shape`: `status` of the observed create answer (the CreateObserved example). */
export const OBSERVED_CREATE_STATUS = CREATE_RESPONSE_SHAPE.value.status;

// --- unpriceable-body-panics: which diagnostics are one of its rules -----------------------------

const RULES: readonly DepartureRule[] = UNPRICEABLE_BODY_PANICS.rules;

const unescapeSegment = (s: string) => s.replaceAll("~1", "/").replaceAll("~0", "~");
const split = (pointer: string) =>
  pointer === "" ? [] : pointer.slice(1).split("/").map(unescapeSegment);

/** Whether body segments match a generated instance path (`*` = any array index). */
function matches(pattern: string, segments: readonly string[]): boolean {
  const parts = split(pattern);
  return (
    parts.length === segments.length &&
    parts.every((p, i) => (p === "*" ? /^\d+$/.test(segments[i] as string) : p === segments[i]))
  );
}

function valueAt(body: unknown, segments: readonly string[]): unknown {
  let node = body;
  for (const s of segments) {
    node =
      typeof node === "object" && node !== null ? (node as Record<string, unknown>)[s] : undefined;
  }
  return node;
}

const CHECKED = GATEWAY_CHECKED.map((c) => split(c.instancePath));

/**
 * What the gateway makes of one broken rule: it crashes pricing (`panic`), refuses it with 400
 * before pricing (`refused`: the places it checks itself, or a number outside a rule's range), or
 * does not look at it before pricing (`other`: Kling would refuse it later).
 */
export function gatewayVerdict(d: Diagnostic, body: unknown): "panic" | "refused" | "other" {
  const path = d.path;
  if (path === undefined || path[0] !== "body") return "other";
  let segments = path.slice(1).map(String);
  let keyword = String(d.code);
  // A ranged field (the duration) is checked by ValidateTaskDuration before pricing in any JSON
  // type: a string that is not a number, or one outside the range, is refused there with 400.
  for (const rule of RULES) {
    const value = valueAt(body, segments);
    if (!rule.range || typeof value !== "string" || value === "") continue;
    if (!matches(rule.instancePath, segments)) continue;
    const n = Number(value);
    if (!Number.isFinite(n) || n < rule.range[0] || n > rule.range[1]) return "refused";
  }
  if (keyword === "required") {
    const missing = /required property '([^']+)'/.exec(d.message)?.[1];
    if (missing === undefined) return "other";
    segments = [...segments, missing];
  } else if (keyword === "type" && valueAt(body, segments) === null) {
    // Go's decoder skips a JSON null: the field is as good as absent.
    keyword = "required";
  }
  if (keyword === "required") {
    // The model is the middleware's (Distribute's) check, before pricing.
    const missing = `must have required property '${segments.at(-1)}'`;
    const parent = ["body", ...segments.slice(0, -1)];
    if (isMissingModel({ code: "required", message: missing, path: parent, severity: d.severity }))
      return "refused";
  }
  if (CHECKED.some((c) => c.every((s, i) => s === segments[i]))) return "refused";
  for (const rule of RULES) {
    if (rule.keyword !== keyword) continue;
    if (keyword === "required") {
      const name = segments.at(-1) as string;
      if (!matches(rule.instancePath, segments.slice(0, -1))) continue;
      if (!(Array.isArray(rule.value) && rule.value.includes(name))) continue;
    } else if (!matches(rule.instancePath, segments)) {
      continue;
    }
    if (rule.range) {
      const value = valueAt(body, segments);
      const [min, max] = rule.range;
      if (typeof value !== "number" || value < min || value > max) return "refused";
    }
    return "panic";
  }
  return "other";
}

/**
 * Whether the gateway would crash pricing this body (`unpriceable-body-panics`): one of the
 * departure's rules is broken, and nothing the gateway checks before pricing (the model, the
 * places with their own `x-gateway-code`, a duration out of range) refuses it first.
 */
export function isUnpriceable(diagnostics: readonly Diagnostic[], body: unknown): boolean {
  const verdicts = errorsOf(diagnostics).map((d) => gatewayVerdict(d, body));
  return verdicts.includes("panic") && !verdicts.includes("refused");
}
