/**
 * Valid `CreateTaskRequest` bodies with fast-check, within the limits read from the spec: every
 * enum value, lengths at and between their bounds, one to the maximum number of images.
 */
import fc from "fast-check";
import type { RequestRules } from "./limits.js";

type Json = Record<string, unknown>;

/** Options of the valid-body generator. */
export interface ValidBodyOptions {
  /**
   * The only `callback_url` valid bodies may carry (the kit's own receiver), or none. Random hosts
   * are never generated: a real gateway would make Kling post to them.
   */
  callbackUrl?: string;
  /**
   * Cap generated text at 40 characters. Mutation bases use it: their point is the one broken
   * rule, and short text keeps fast-check's shrink candidates few (a 2,500-character prompt has
   * thousands).
   */
  shortText?: boolean;
  /**
   * Real, reachable images to use instead of `https://example.com/...` and the built-in 1-pixel
   * PNG. A real gateway forwards images to Kling, which may refuse ones it cannot fetch.
   */
  imageUrls?: readonly string[];
}

/** A string of a length between `min` and `max`, with both boundaries drawn often. */
function boundedString(min: number, max: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ minLength: min, maxLength: Math.min(max, min + 40) }),
    fc.string({ minLength: max, maxLength: max }),
    fc.string({ minLength: min, maxLength: min }).filter((s) => s.length > 0 || min === 0),
  );
}

/**
 * An image URL, or raw Base64 of a tiny PNG (no `data:` prefix), as `ImageInput.image` allows; or
 * one of `imageUrls` when given.
 */
export function imageArbitrary(imageUrls?: readonly string[]): fc.Arbitrary<string> {
  if (imageUrls && imageUrls.length > 0) return fc.constantFrom(...imageUrls);
  return fc.oneof(
    fc
      .tuple(
        fc.constantFrom("https", "http"),
        fc.stringMatching(/^[a-z0-9]{1,12}$/),
        fc.constantFrom("jpg", "jpeg", "png"),
      )
      .map(([scheme, name, ext]) => `${scheme}://example.com/${name}.${ext}`),
    fc.constant(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
    ),
  );
}

/** Strings that also match the spec's `pattern` (ECMAScript with the unicode flag, as Ajv reads it). */
function matching(
  strings: fc.Arbitrary<string>,
  pattern: string | undefined,
): fc.Arbitrary<string> {
  if (pattern === undefined) return strings;
  const re = new RegExp(pattern, "u");
  return strings.filter((s) => re.test(s));
}

/**
 * Valid `CreateTaskRequest` bodies: every enum value, lengths at and between their bounds, one to
 * the maximum number of images, optional fields present or absent. `external_task_id` is a marker
 * (`true`) that the sender replaces by a unique id, because the spec requires it to be unique per
 * account and a repeat would be rightly refused.
 */
export function validBody(rules: RequestRules, options: ValidBodyOptions = {}): fc.Arbitrary<Json> {
  const optional: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, values] of Object.entries(rules.enums))
    optional[name] = fc.constantFrom(...values);
  const negative = rules.strings.negative_prompt;
  const cap = (max: number) => (options.shortText ? Math.min(max, 40) : max);
  if (negative)
    optional.negative_prompt = matching(
      boundedString(negative.minLength, cap(negative.maxLength)),
      negative.pattern,
    );
  if (rules.strings.external_task_id) optional.external_task_id = fc.constant(true);
  if (options.callbackUrl) optional.callback_url = fc.constant(options.callbackUrl);
  const prompt = rules.strings.prompt ?? { minLength: 1, maxLength: 2500 };
  return fc.record(
    {
      model: fc.constantFrom(...rules.models),
      image_list: fc.array(
        imageArbitrary(options.imageUrls).map((image) => ({ image })),
        { minLength: rules.images.minItems, maxLength: rules.images.maxItems },
      ),
      prompt: matching(
        boundedString(Math.max(1, prompt.minLength), cap(prompt.maxLength)),
        prompt.pattern,
      ),
      ...optional,
    },
    { requiredKeys: ["model", "image_list", "prompt"] },
  );
}

/** Replaces the `external_task_id` marker by a unique id. */
export function finalize(body: Json, uniqueId: () => string): Json {
  if (body.external_task_id !== true) return body;
  return { ...body, external_task_id: uniqueId() };
}
