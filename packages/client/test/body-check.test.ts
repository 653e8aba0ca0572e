// The check before a submit: every rule of the spec on which the gateway crashes (HTTP 500
// new_api_panic) instead of refusing the body is refused here, naming the field, and nothing is
// sent. The cases are tied to the spec's rules: a rule added to the spec without a case here fails.
import { UNPRICEABLE_BODY_PANICS_RULES } from "@kling-multi-image/spec/departures";
import { describe, expect, it } from "vitest";
import { checkSubmitBody } from "../src/body-check.js";
import { createKlingClient, InvalidRequestError, SubmitOutcomeUnknownError } from "../src/index.js";

const image = { image: "https://example.com/a.jpg" };
const valid = {
  model: "kling-v1-6",
  image_list: [image, image],
  prompt: "Animate the characters",
  duration: "5",
};

/** [what, body change, the field named, the rule (keyword) broken]. */
const cases: [string, Record<string, unknown>, string, string][] = [
  ["image_list missing", { image_list: undefined }, "/image_list", "required"],
  ["model missing", { model: undefined }, "/model", "required"],
  ["prompt missing", { prompt: undefined }, "/prompt", "required"],
  ["image_list null", { image_list: null }, "/image_list", "type"],
  ["image_list an object", { image_list: { 0: image } }, "/image_list", "type"],
  ["image_list empty", { image_list: [] }, "/image_list", "minItems"],
  ["five images", { image_list: [image, image, image, image, image] }, "/image_list", "maxItems"],
  ["an item a string", { image_list: [image, "https://e.com/b.jpg"] }, "/image_list/1", "type"],
  ["an image a number", { image_list: [image, { image: 7 }] }, "/image_list/1/image", "type"],
  ["duration a number", { duration: 5 }, "/duration", "type"],
  ["negative_prompt a number", { negative_prompt: 1 }, "/negative_prompt", "type"],
  ["mode a boolean", { mode: true }, "/mode", "type"],
  ["aspect_ratio a number", { aspect_ratio: 1.77 }, "/aspect_ratio", "type"],
  ["callback_url an object", { callback_url: {} }, "/callback_url", "type"],
  ["external_task_id a number", { external_task_id: 42 }, "/external_task_id", "type"],
  ["model_name an array", { model_name: ["kling-v1-6"] }, "/model_name", "type"],
  ["model a number", { model: 16 }, "/model", "type"],
];

function refusal(body: unknown): InvalidRequestError {
  try {
    checkSubmitBody(body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error("the body was not refused");
}

describe("checkSubmitBody", () => {
  it("lets a valid body through, with optional fields and without", () => {
    expect(() => checkSubmitBody(valid)).not.toThrow();
    expect(() => checkSubmitBody({ ...valid, image_list: [image] })).not.toThrow();
    expect(() =>
      checkSubmitBody({
        ...valid,
        image_list: [image, image, image, image],
        negative_prompt: "blur",
        mode: "pro",
        aspect_ratio: "1:1",
        callback_url: "https://example.com/hook",
        external_task_id: "x-1",
        model_name: "kling-v1-6",
      }),
    ).not.toThrow();
    // Values of the right type outside the schema are Kling's to refuse (a 400), not a crash.
    expect(() => checkSubmitBody({ ...valid, mode: "turbo", duration: "7" })).not.toThrow();
    // An optional field set to undefined is left out of the JSON, so it is absent, not mistyped.
    expect(() =>
      checkSubmitBody({
        ...valid,
        negative_prompt: undefined,
        duration: undefined,
        mode: undefined,
      }),
    ).not.toThrow();
  });

  it.each(cases)("refuses %s, naming the field", (_what, change, field, keyword) => {
    const error = refusal({ ...valid, ...change });
    expect(error.field).toBe(field);
    expect(error.status).toBeUndefined();
    expect(error.message).toContain(`at "${field}"`);
    const words = {
      required: "is required",
      type: "must be of type",
      minItems: "at least",
      maxItems: "at most",
    };
    expect(error.message).toContain(words[keyword as keyof typeof words]);
  });

  it("refuses a body that is not an object", () => {
    for (const body of [null, [], "text", 1]) expect(refusal(body).field).toBe("");
  });

  it("has a case for every rule of the spec's unpriceable-body-panics departure", () => {
    const covered = new Set(
      cases.map(([, , field, keyword]) => `${keyword} ${field.replace(/\/\d+(?=\/|$)/g, "/*")}`),
    );
    for (const rule of UNPRICEABLE_BODY_PANICS_RULES) {
      if (rule.keyword === "required") {
        for (const name of rule.value)
          expect(covered).toContain(`required ${rule.instancePath}/${name}`);
      } else {
        expect(covered).toContain(`${rule.keyword} ${rule.instancePath}`);
      }
    }
  });
});

describe("submit with a body the gateway would crash on", () => {
  it("throws InvalidRequestError and sends nothing", async () => {
    const sent: string[] = [];
    const kling = createKlingClient({
      apiKey: "k",
      baseUrl: "http://127.0.0.1:9",
      fetch: (input) => {
        sent.push(String(input));
        return Promise.reject(new Error("must not be called"));
      },
    });
    const error = await kling
      .submit({ ...valid, image_list: [] } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).not.toBeInstanceOf(SubmitOutcomeUnknownError);
    expect((error as InvalidRequestError).field).toBe("/image_list");
    expect(sent).toEqual([]);
  });
});
