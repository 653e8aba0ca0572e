import {
  type CheckedRule,
  UNPRICEABLE_BODY_PANICS_RULES,
} from "@kling-multi-image/spec/departures";
import { InvalidRequestError } from "./errors.js";
import { isRecord } from "./util.js";

/** The first way `value` breaks `rule`, worded for the caller, or `undefined` when it keeps it. */
function breach({ keyword, value: want }: CheckedRule, value: unknown): string | undefined {
  const type = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  if (keyword === "type") {
    return type === want || (want === "integer" && Number.isInteger(value))
      ? undefined
      : `must be of type ${want}, got ${type}`;
  }
  const count = Array.isArray(value) ? value.length : Number.NaN;
  if (keyword === "minItems" && count < Number(want)) return `must have at least ${want} items`;
  if (keyword === "maxItems" && count > Number(want)) return `must have at most ${want} items`;
  return undefined;
}

/**
 * Every value of `body` at an instance path of the spec (`*` is any array index), with its own
 * JSON pointer. A path through a value of the wrong type reaches nothing: the rule on that value
 * says so.
 */
function valuesAt(body: unknown, path: string): [string, unknown][] {
  let found: [string, unknown][] = [["", body]];
  for (const segment of path.split("/").slice(1)) {
    const next: [string, unknown][] = [];
    for (const [at, value] of found) {
      if (segment === "*") {
        if (Array.isArray(value))
          for (const [i, item] of value.entries()) next.push([`${at}/${i}`, item]);
      } else if (isRecord(value) && value[segment] !== undefined) {
        next.push([`${at}/${segment}`, value[segment]]);
      }
    }
    found = next;
  }
  return found;
}

/**
 * Refuses, before it is sent, a submit body that breaks a rule on which the gateway does not
 * answer 400 but crashes while pricing the task (HTTP 500 `new_api_panic`, the spec's
 * `unpriceable-body-panics` departure): a missing, empty, non-array or over-long `image_list`, an
 * item or image of the wrong type, a `duration` sent as a number, any field of the wrong JSON type.
 * The rules are the spec's, generated into `@kling-multi-image/spec/departures`; this only reads
 * them. The check is on the spec's rule, so it is stricter than the gateway where the gateway's
 * crash needs more (a `duration` number outside 0-600 is a 400 there, a `null` field is skipped).
 *
 * @throws InvalidRequestError naming the field (`field`, a JSON pointer) and the rule it breaks.
 */
export function checkSubmitBody(body: unknown): void {
  if (!isRecord(body) || Array.isArray(body)) refuse("", "must be an object");
  for (const rule of UNPRICEABLE_BODY_PANICS_RULES as readonly CheckedRule[]) {
    if (rule.keyword === "required") {
      for (const [at, value] of valuesAt(body, rule.instancePath)) {
        if (!isRecord(value)) continue;
        for (const name of rule.value as readonly string[]) {
          if (value[name] === undefined) refuse(`${at}/${name}`, "is required");
        }
      }
      continue;
    }
    for (const [at, value] of valuesAt(body, rule.instancePath)) {
      const problem = breach(rule, value);
      if (problem) refuse(at, problem);
    }
  }
}

function refuse(field: string, problem: string): never {
  throw new InvalidRequestError(
    `Body at "${field}" ${problem} (not sent: the gateway would crash, HTTP 500)`,
    { field },
  );
}
