/**
 * Running a compiled validator and wording its errors exactly as Prism does
 * (`validateAgainstSchema` and `convertAjvErrors` in prism-http's `validators/utils.js`).
 */
import type { Diagnostic } from "../core/engine.js";
import type { AjvError, CompiledSchema } from "./types.js";

/** `ValidationContext` in prism-http: requests are Input, responses Output. */
export type ValidationContext = 0 | 1;
export const INPUT: ValidationContext = 0;
export const OUTPUT: ValidationContext = 1;

/** `DiagnosticSeverity` in @stoplight/types. */
export const SEVERITY_ERROR = 0;
export const SEVERITY_WARNING = 1;

/**
 * Runs a validator the way Prism's `validateAgainstSchema` does: no validator (Ajv refused the
 * schema) or a validator that throws reports nothing; otherwise its errors, if any.
 */
export function runValidator(validate: CompiledSchema | undefined, value: unknown) {
  if (!validate) return undefined;
  try {
    validate(value);
  } catch {
    return undefined;
  }
  const errors = validate.errors;
  return errors && errors.length > 0 ? errors : undefined;
}

/** Prism's `convertAjvErrors`, word for word. */
export function convertAjvErrors(
  errors: readonly AjvError[],
  context: ValidationContext,
  prefix: string,
): Diagnostic[] {
  return errors.map((error) => {
    const params = error.params;
    const allowedParameters =
      "allowedValues" in params ? `: ${(params.allowedValues as unknown[]).join(", ")}` : "";
    const detectedAdditionalProperties =
      "additionalProperty" in params ? `; found '${params.additionalProperty}'` : "";
    const unevaluatedProperty =
      "unevaluatedProperty" in params ? `: '${params.unevaluatedProperty}'` : "";
    const errorPath = error.instancePath.split("/").filter((segment) => segment !== "");
    const path = prefix ? [prefix, ...errorPath] : errorPath;
    const errorPathType =
      errorPath.length > 0 ? (prefix === "body" ? "property " : "parameter ") : "";
    const errorSourceDescription =
      `${context === INPUT ? "Request" : "Response"} ` +
      (prefix ? `${prefix} ` : "") +
      errorPathType +
      errorPath.join(".").trim() +
      (errorPath.length > 0 ? " " : "");
    return {
      path,
      code: error.keyword || "",
      message: `${errorSourceDescription}${error.message || ""}${allowedParameters}${detectedAdditionalProperties}${unevaluatedProperty}`,
      severity: SEVERITY_ERROR,
    };
  });
}

/** `validateAgainstSchema(value, schema, coerce, context, prefix)` over a compiled schema. */
export function validateAgainstSchema(
  validate: CompiledSchema | undefined,
  value: unknown,
  context: ValidationContext,
  prefix: string,
): Diagnostic[] {
  const errors = runValidator(validate, value);
  return errors === undefined ? [] : convertAjvErrors(errors, context, prefix);
}
