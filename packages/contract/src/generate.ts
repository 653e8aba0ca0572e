/**
 * Request bodies generated from the spec's `CreateTaskRequest` with fast-check. Limits (enums,
 * lengths, counts, required fields) are read from the schema, not restated here, so a spec change
 * moves the generators with it. Invalid bodies break exactly one rule each, named, so a failure says
 * which rule the server let through; fast-check shrinks them to a minimal reproducer.
 */
import fc from "fast-check";
import type { SpecModel } from "./spec.js";

type Json = Record<string, unknown>;

/** A generated request body, with the rule it breaks (`valid` for none). */
export interface GeneratedBody {
  /** `valid`, or the name of the one rule this body breaks. */
  rule: string;
  /** Content-Type to send. */
  contentType: string;
  /** Raw body text. */
  body: string;
}

interface StringRule {
  minLength: number;
  maxLength: number;
  /** The spec's `pattern`, when it has one (the prompt's: not only white space). */
  pattern?: string;
}

/** The limits the generators need, read from the spec once. */
export interface RequestRules {
  required: string[];
  enums: Record<string, string[]>;
  strings: Record<string, StringRule>;
  images: { minItems: number; maxItems: number };
  models: string[];
  /** Every property name, for `wrong_type` and `extra_nesting`. */
  properties: string[];
}

function num(value: unknown, fallback: number): number {
  return typeof value === "number" ? value : fallback;
}

/** Reads the generator limits from the spec's `CreateTaskRequest`. */
export function readRules(spec: SpecModel): RequestRules {
  const schema = spec.schema("CreateTaskRequest");
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const enums: Record<string, string[]> = {};
  const strings: Record<string, StringRule> = {};
  for (const [name, prop] of Object.entries(props)) {
    if (Array.isArray(prop.enum)) enums[name] = prop.enum.map(String);
    else if (prop.type === "string") {
      strings[name] = { minLength: num(prop.minLength, 0), maxLength: num(prop.maxLength, 200) };
      if (typeof prop.pattern === "string") (strings[name] as StringRule).pattern = prop.pattern;
    }
  }
  const list = props.image_list ?? {};
  const model = props.model ?? {};
  const models = Array.isArray(model["x-known-values"])
    ? model["x-known-values"].map(String)
    : Array.isArray(model.examples)
      ? model.examples.map(String)
      : ["kling-v1-6"];
  return {
    required: Array.isArray(schema.required) ? schema.required.map(String) : [],
    enums,
    strings,
    images: { minItems: num(list.minItems, 1), maxItems: num(list.maxItems, 4) },
    models,
    properties: Object.keys(props).filter((p) => !props[p]?.deprecated),
  };
}

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

const json = (value: unknown): GeneratedBody["body"] => JSON.stringify(value);

/** One way to break a valid body. */
export interface Mutation {
  /** Stable rule name, printed with failures. */
  rule: string;
  /** What the rule breaks, for the report. */
  description: string;
  /**
   * True when a server that wrongly accepts this body would create a (billable) task: such rules
   * run only with `allowBillable`.
   */
  billableIfAccepted?: boolean;
  arbitrary(rules: RequestRules): fc.Arbitrary<GeneratedBody>;
}

const JSON_TYPE = "application/json";

/** A valid body with a seed-stable shape, as the base of every mutation. */
function base(rules: RequestRules): fc.Arbitrary<Json> {
  return validBody(rules, { shortText: true }).map((b) => finalize(b, () => "contract-mutation"));
}

function mutate(rule: string, arb: fc.Arbitrary<unknown>): fc.Arbitrary<GeneratedBody> {
  return arb.map((value) => ({ rule, contentType: JSON_TYPE, body: json(value) }));
}

const wrongValues: fc.Arbitrary<unknown>[] = [
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant({}),
];

/** Every mutation rule, one rule broken per body. */
export const MUTATIONS: readonly Mutation[] = [
  {
    rule: "too_many_images",
    description: "image_list longer than maxItems",
    arbitrary: (r) =>
      mutate(
        "too_many_images",
        fc
          .tuple(
            base(r),
            fc.array(imageArbitrary(), {
              minLength: r.images.maxItems + 1,
              maxLength: r.images.maxItems + 3,
            }),
          )
          .map(([b, images]) => ({ ...b, image_list: images.map((image) => ({ image })) })),
      ),
  },
  {
    rule: "empty_image_list",
    description: "image_list shorter than minItems",
    arbitrary: (r) =>
      mutate(
        "empty_image_list",
        base(r).map((b) => ({ ...b, image_list: [] })),
      ),
  },
  {
    rule: "numeric_duration",
    description: "duration as a JSON number instead of a string",
    arbitrary: (r) =>
      mutate(
        "numeric_duration",
        fc
          .tuple(base(r), fc.constantFrom(...(r.enums.duration ?? ["5"])))
          .map(([b, d]) => ({ ...b, duration: Number(d) })),
      ),
  },
  {
    rule: "unknown_enum",
    description: "an enum field (mode, aspect_ratio, duration) set to a value outside its enum",
    arbitrary: (r) => {
      const fields = Object.keys(r.enums);
      return mutate(
        "unknown_enum",
        fc
          .tuple(
            base(r),
            fc.constantFrom(...fields),
            fc.oneof(fc.constantFrom("turbo", "4:3", "7", "STD", ""), fc.string({ maxLength: 8 })),
          )
          .filter(([, field, value]) => !(r.enums[field] ?? []).includes(value))
          .map(([b, field, value]) => ({ ...b, [field]: value })),
      );
    },
  },
  {
    rule: "over_long_prompt",
    description: "prompt or negative_prompt longer than maxLength",
    arbitrary: (r) => {
      const fields = ["prompt", "negative_prompt"].filter((f) => r.strings[f]);
      return mutate(
        "over_long_prompt",
        fc
          .tuple(
            base(r),
            fc.constantFrom(...fields),
            fc.integer({ min: 1, max: 60 }),
            fc.constantFrom("p", "é", " "),
          )
          .map(([b, field, extra, char]) => ({
            ...b,
            [field]: char.repeat((r.strings[field]?.maxLength ?? 2500) + extra),
          })),
      );
    },
  },
  {
    rule: "empty_prompt",
    description: "prompt shorter than minLength",
    arbitrary: (r) =>
      mutate(
        "empty_prompt",
        base(r).map((b) => ({ ...b, prompt: "" })),
      ),
  },
  {
    rule: "blank_prompt",
    description: "prompt of white space only (the gateway trims it, then finds it empty)",
    arbitrary: (r) =>
      mutate(
        "blank_prompt",
        fc
          .tuple(base(r), fc.constantFrom(" ", "   ", "\t", " \n "))
          .map(([b, blank]) => ({ ...b, prompt: blank })),
      ),
  },
  {
    rule: "missing_required",
    description: "one required field left out",
    arbitrary: (r) =>
      mutate(
        "missing_required",
        fc.tuple(base(r), fc.constantFrom(...r.required)).map(([b, field]) => {
          const copy = { ...b };
          delete copy[field];
          return copy;
        }),
      ),
  },
  {
    rule: "data_uri_image",
    description: "an image given as a data: URI instead of raw Base64 or a URL",
    arbitrary: (r) =>
      mutate(
        "data_uri_image",
        fc
          .tuple(base(r), fc.nat(), fc.constantFrom("image/png", "image/jpeg"))
          .map(([b, at, type]) => {
            const list = [...(b.image_list as { image: string }[])];
            const index = at % list.length;
            list[index] = {
              image: `data:${type};base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ`,
            };
            return { ...b, image_list: list };
          }),
      ),
  },
  {
    rule: "invalid_image",
    description: "an image that is neither an http(s) URL nor Base64",
    arbitrary: (r) =>
      mutate(
        "invalid_image",
        fc
          .tuple(
            base(r),
            fc.nat(),
            fc.constantFrom(
              "not an image",
              "ftp://example.com/a.jpg",
              "https:// spaced.jpg",
              "",
              "%%%",
            ),
          )
          .map(([b, at, image]) => {
            const list = [...(b.image_list as { image: string }[])];
            list[at % list.length] = { image };
            return { ...b, image_list: list };
          }),
      ),
  },
  {
    rule: "wrong_type",
    description: "a field, or the whole body, of the wrong JSON type",
    arbitrary: (r) =>
      mutate(
        "wrong_type",
        fc.oneof(
          fc
            .tuple(base(r), fc.constantFrom(...r.properties), fc.oneof(...wrongValues))
            .map(([b, field, value]) => ({ ...b, [field]: value })),
          fc
            .tuple(base(r), fc.constantFrom("array", "string", "number"))
            .map(([b, kind]) =>
              kind === "array" ? [b] : kind === "string" ? JSON.stringify(b) : 42,
            ),
        ),
      ),
  },
  {
    rule: "extra_nesting",
    description: "a value wrapped in one more array or object level",
    arbitrary: (r) =>
      mutate(
        "extra_nesting",
        fc
          .tuple(base(r), fc.constantFrom("prompt", "image_list", "image", "model"), fc.boolean())
          .map(([b, where, asArray]) => {
            const wrap = (v: unknown) => (asArray ? [v] : { value: v });
            if (where === "image") {
              const list = b.image_list as { image: string }[];
              return { ...b, image_list: list.map((item) => ({ image: wrap(item.image) })) };
            }
            if (where === "image_list") return { ...b, image_list: [b.image_list] };
            return { ...b, [where]: wrap(b[where]) };
          }),
      ),
  },
  {
    rule: "bad_callback_url",
    description: "callback_url that is not an http(s) URL",
    arbitrary: (r) =>
      mutate(
        "bad_callback_url",
        fc
          .tuple(
            base(r),
            fc.constantFrom(
              "ftp://example.com/hook",
              "not a url",
              "javascript:alert(1)",
              "//example.com/x",
              "",
            ),
          )
          .map(([b, url]) => ({ ...b, callback_url: url })),
      ),
  },
  {
    rule: "non_json_body",
    description: "a body that is not JSON at all",
    arbitrary: (r) =>
      fc
        .oneof(
          base(r).chain((b) => {
            const text = json(b);
            return fc
              .integer({ min: 1, max: Math.max(1, text.length - 1) })
              .map((n) => text.slice(0, n));
          }),
          fc.constantFrom(
            "",
            "model=kling-v1-6&prompt=x",
            "<xml/>",
            "{'prompt': 'single quotes'}",
            "nul",
          ),
        )
        .map((body) => ({ rule: "non_json_body", contentType: JSON_TYPE, body })),
  },
  {
    rule: "wrong_content_type",
    description: "a valid JSON body sent with a media type the operation does not document",
    billableIfAccepted: true,
    arbitrary: (r) =>
      fc
        .tuple(
          base(r),
          fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "application/xml"),
        )
        .map(([b, contentType]) => ({ rule: "wrong_content_type", contentType, body: json(b) })),
  },
];
