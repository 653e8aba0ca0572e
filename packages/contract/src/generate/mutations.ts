/**
 * Invalid request bodies, each breaking exactly one named rule of the spec's `CreateTaskRequest`,
 * so a failure says which rule the server let through; fast-check shrinks them to a minimal
 * reproducer. Each rule is keyed by its name in {@link RULES}, the one place the name is written.
 */
import fc from "fast-check";
import type { RequestRules } from "./limits.js";
import { finalize, imageArbitrary, validBody } from "./valid.js";

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

/** A rule as {@link RULES} writes it: a {@link Mutation} without its name, which is its key. */
type RuleSpec = Omit<Mutation, "rule" | "arbitrary"> & {
  arbitrary(rules: RequestRules): fc.Arbitrary<Omit<GeneratedBody, "rule">>;
};

const JSON_TYPE = "application/json";

const json = (value: unknown): GeneratedBody["body"] => JSON.stringify(value);

/** A valid body with a seed-stable shape, as the base of every mutation. */
function base(rules: RequestRules): fc.Arbitrary<Json> {
  return validBody(rules, { shortText: true }).map((b) => finalize(b, () => "contract-mutation"));
}

/** Sends each generated value as JSON text. */
function asJson(arb: fc.Arbitrary<unknown>): fc.Arbitrary<Omit<GeneratedBody, "rule">> {
  return arb.map((value) => ({ contentType: JSON_TYPE, body: json(value) }));
}

const wrongValues: fc.Arbitrary<unknown>[] = [
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant({}),
];

/**
 * Every rule, keyed by its stable name, one rule broken per body. The order is the run order:
 * `negative_data_rejection` seeds each rule by its index, so a new rule goes last.
 */
const RULES = {
  too_many_images: {
    description: "image_list longer than maxItems",
    arbitrary: (r) =>
      asJson(
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
  empty_image_list: {
    description: "image_list shorter than minItems",
    arbitrary: (r) => asJson(base(r).map((b) => ({ ...b, image_list: [] }))),
  },
  numeric_duration: {
    description: "duration as a JSON number instead of a string",
    arbitrary: (r) =>
      asJson(
        fc
          .tuple(base(r), fc.constantFrom(...(r.enums.duration ?? ["5"])))
          .map(([b, d]) => ({ ...b, duration: Number(d) })),
      ),
  },
  unknown_enum: {
    description: "an enum field (mode, aspect_ratio, duration) set to a value outside its enum",
    arbitrary: (r) => {
      const fields = Object.keys(r.enums);
      return asJson(
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
  over_long_prompt: {
    description: "prompt or negative_prompt longer than maxLength",
    arbitrary: (r) => {
      const fields = ["prompt", "negative_prompt"].filter((f) => r.strings[f]);
      return asJson(
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
  empty_prompt: {
    description: "prompt shorter than minLength",
    arbitrary: (r) => asJson(base(r).map((b) => ({ ...b, prompt: "" }))),
  },
  blank_prompt: {
    description: "prompt of white space only (the gateway trims it, then finds it empty)",
    arbitrary: (r) =>
      asJson(
        fc
          .tuple(base(r), fc.constantFrom(" ", "   ", "\t", " \n "))
          .map(([b, blank]) => ({ ...b, prompt: blank })),
      ),
  },
  missing_required: {
    description: "one required field left out",
    arbitrary: (r) =>
      asJson(
        fc.tuple(base(r), fc.constantFrom(...r.required)).map(([b, field]) => {
          const copy = { ...b };
          delete copy[field];
          return copy;
        }),
      ),
  },
  data_uri_image: {
    description: "an image given as a data: URI instead of raw Base64 or a URL",
    arbitrary: (r) =>
      asJson(
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
  invalid_image: {
    description: "an image that is neither an http(s) URL nor Base64",
    arbitrary: (r) =>
      asJson(
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
  wrong_type: {
    description: "a field, or the whole body, of the wrong JSON type",
    arbitrary: (r) =>
      asJson(
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
  extra_nesting: {
    description: "a value wrapped in one more array or object level",
    arbitrary: (r) =>
      asJson(
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
  bad_callback_url: {
    description: "callback_url that is not an http(s) URL",
    arbitrary: (r) =>
      asJson(
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
  non_json_body: {
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
        .map((body) => ({ contentType: JSON_TYPE, body })),
  },
  wrong_content_type: {
    description: "a valid JSON body sent with a media type the operation does not document",
    billableIfAccepted: true,
    arbitrary: (r) =>
      fc
        .tuple(
          base(r),
          fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "application/xml"),
        )
        .map(([b, contentType]) => ({ contentType, body: json(b) })),
  },
} satisfies Record<string, RuleSpec>;

/** Every mutation rule, one rule broken per body, in {@link RULES} order. */
export const MUTATIONS: readonly Mutation[] = Object.entries(RULES).map(
  ([rule, spec]: [string, RuleSpec]) => ({
    ...spec,
    rule,
    arbitrary: (rules: RequestRules) => spec.arbitrary(rules).map((sent) => ({ rule, ...sent })),
  }),
);
