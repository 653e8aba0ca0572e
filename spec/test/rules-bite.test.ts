// Mutation check: each negative case of spec.test.ts must be rejected *because of* the rule it names.
// Remove that one rule from a copy of the document and the same body must become valid; if it stays
// invalid, some other rule was doing the rejecting and the test proves less than it claims.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { specExample, specPath } from "../src/index.js";
import { checkValue as check } from "../src/oracle.js";

const source = readFileSync(specPath, "utf8");
const REQUEST = ["components", "schemas", "CreateTaskRequest"];
const seed = specExample("SeedCurlRequest") as Record<string, unknown>;

function withoutRule(name: string, find: string, replace: string): string {
  const index = source.indexOf(find);
  if (index < 0 || source.indexOf(find, index + 1) >= 0)
    throw new Error(`rule ${name} not found exactly once`);
  const dir = mkdtempSync(join(tmpdir(), `spec-${name}-`));
  const file = join(dir, "openapi.yaml");
  writeFileSync(file, source.replace(find, replace));
  return pathToFileURL(file).href;
}

const KLING_TASK = ["components", "schemas", "KlingTask"];
const VIDEO = ["components", "schemas", "Video"];
const callback = specExample("OfficialCallbackWithDeductions") as Record<string, unknown>;

// [rule, text to find in the YAML, its replacement, a body that only this rule refuses, schema]
const cases: [string, string, string, unknown, string[]?][] = [
  [
    "maxItems",
    "minItems: 1\n          maxItems: 4\n",
    "minItems: 1\n",
    {
      ...seed,
      image_list: [1, 2, 3, 4, 5].map((n) => ({ image: `https://example.com/${n}.jpg` })),
    },
  ],
  [
    "duration-type",
    'type: string\n          enum: ["5", "10"]',
    'enum: ["5", "10", 5]',
    { ...seed, duration: 5 },
  ],
  ["mode-enum", "enum: [std, pro]", "x-rule-removed: true", { ...seed, mode: "turbo" }],
  [
    "prompt-maxLength",
    "maxLength: 2500\n          description: Text that",
    "description: Text that",
    {
      ...seed,
      prompt: "p".repeat(2501),
    },
  ],
  [
    "prompt-required",
    "required: [model, image_list, prompt]",
    "required: [model, image_list]",
    {
      model: seed.model,
      image_list: seed.image_list,
    },
  ],
  [
    "prompt-whitespace-pattern",
    'pattern: "[^\\\\t\\\\n\\\\v\\\\f\\\\r \\\\u0085\\\\u00a0\\\\u1680\\\\u2000-\\\\u200a\\\\u2028\\\\u2029\\\\u202f\\\\u205f\\\\u3000]"\n',
    "x-rule-removed: true\n",
    { ...seed, prompt: " \t\n\u3000" },
  ],
  [
    "final-unit-deduction-type",
    "final_unit_deduction:\n          type: string\n",
    "final_unit_deduction:\n          x-rule-removed: true\n",
    { ...callback, final_unit_deduction: 5 },
    KLING_TASK,
  ],
  [
    "watermark-url-type",
    "watermark_url:\n          type: string\n",
    "watermark_url:\n          x-rule-removed: true\n",
    { id: "v1", url: "https://example.com/v.mp4", duration: "5.1", watermark_url: 42 },
    VIDEO,
  ],
  [
    "image-pattern",
    'pattern: "^(?:https?://\\\\S+|[A-Za-z0-9+/]+={0,2})$"\n',
    "x-rule-removed: true\n",
    {
      ...seed,
      image_list: [{ image: "data:image/png;base64,iVBORw0KGgo=" }],
    },
  ],
];

describe("each negative case is rejected by the rule it names", () => {
  it.each(cases)("%s", async (name, find, replace, body, schema = REQUEST) => {
    expect((await check(schema, body)).valid).toBe(false);
    const mutated = withoutRule(name, find, replace);
    expect((await check(schema, body, mutated)).errors).toEqual([]);
  });
});
