import { loadSpec } from "@kling-multi-image/spec";
import { expect, it } from "vitest";
import { MAX_EXTERNAL_ID_CHARS, MAX_IMAGES, MAX_PROMPT_CHARS } from "../src/limits.js";

it("matches the limits in the spec", () => {
  const schemas = (
    loadSpec().components as {
      schemas: Record<string, { properties: Record<string, Record<string, number>> }>;
    }
  ).schemas;
  const request = schemas.CreateTaskRequest?.properties ?? {};
  expect(MAX_IMAGES).toBe(request.image_list?.maxItems);
  expect(MAX_PROMPT_CHARS).toBe(request.prompt?.maxLength);
  expect(MAX_PROMPT_CHARS).toBe(request.negative_prompt?.maxLength);
  expect(MAX_EXTERNAL_ID_CHARS).toBe(request.external_task_id?.maxLength);
});
