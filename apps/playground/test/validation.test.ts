import { describe, expect, it } from "vitest";
import { charCount, validateForm } from "../src/validation.js";

const ok = { imageCount: 2, prompt: "Dance", negativePrompt: "", externalTaskId: "" };

describe("validateForm", () => {
  it("accepts a valid form, limits included", () => {
    expect(validateForm(ok)).toEqual({});
    expect(
      validateForm({
        ...ok,
        imageCount: 4,
        prompt: "p".repeat(2500),
        negativePrompt: "n".repeat(2500),
      }),
    ).toEqual({});
  });

  it.each([
    [{ imageCount: 0 }, "images", "Add at least one image."],
    [{ imageCount: 5 }, "images", "At most 4 images."],
    [{ prompt: "   " }, "prompt", "A prompt is required."],
    [{ prompt: "p".repeat(2501) }, "prompt", "The prompt is 2501 characters; the limit is 2500."],
    [
      { negativePrompt: "n".repeat(2501) },
      "negativePrompt",
      "The negative prompt is 2501 characters; the limit is 2500.",
    ],
    [{ externalTaskId: "x".repeat(129) }, "externalTaskId", "At most 128 characters."],
  ])("refuses %o", (change, field, message) => {
    expect(validateForm({ ...ok, ...change })).toEqual({ [field]: message });
  });

  it("counts characters as code points, so an emoji is one character", () => {
    expect(charCount("🎬🎬")).toBe(2);
    expect(validateForm({ ...ok, prompt: "🎬".repeat(2500) })).toEqual({});
  });
});
