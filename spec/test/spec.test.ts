import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../src/index.js";
import { checkValue as check, checkDocument, type SchemaError } from "../src/oracle.js";

const doc = loadSpec();
const CREATE = ["paths", "/kling/v1/videos/multi-image2video", "post"] as const;
const GET = ["paths", "/kling/v1/videos/multi-image2video/{task_id}", "get"] as const;
const REQUEST_SCHEMA = [...CREATE, "requestBody", "content", "application/json", "schema"];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function at(segments: readonly (string | number)[]): Json {
  let node: Json = doc as unknown as Json;
  for (const s of segments) node = (node as Record<string, Json>)[s] as Json;
  return node;
}

function resolve(node: Json): Json {
  if (node && typeof node === "object" && !Array.isArray(node) && typeof node.$ref === "string") {
    return at(
      node.$ref
        .slice(2)
        .split("/")
        .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~")),
    );
  }
  return node;
}

/** The seed's curl body, read from the provider's page kept in `sources/`. */
function seedCurlBody(): Json {
  const text = readFileSync(
    new URL("../sources/seed-kling-multi-image2video.txt", import.meta.url),
    "utf8",
  );
  const match = /-d '(\{[\s\S]*?\})'/.exec(text);
  if (!match?.[1]) throw new Error("no curl body in the seed");
  return JSON.parse(match[1]) as Json;
}

const seed = seedCurlBody() as { [key: string]: Json };

function failedAt(errors: SchemaError[], location: string, keyword: string): boolean {
  return errors.some((e) => e.instanceLocation === location && e.keyword.endsWith(`/${keyword}`));
}

describe("the document", () => {
  it("is a valid OpenAPI 3.1 document, schemas included", async () => {
    const output = await checkDocument(doc);
    expect(output.errors).toEqual([]);
    expect(output.valid).toBe(true);
  });

  it("keeps the seed's curl example as the named example seedCurl", () => {
    const examples = at([...CREATE, "requestBody", "content", "application/json", "examples"]);
    const seedCurl = resolve((examples as Record<string, Json>).seedCurl as Json);
    expect((seedCurl as Record<string, Json>).value).toEqual(seed);
  });

  it("names an example for every task state of the query", () => {
    const examples = at([...GET, "responses", "200", "content", "application/json", "examples"]);
    const states = Object.values(examples as Record<string, Json>).map((e) => {
      const value = (
        resolve(e) as { value: { data: { data: { data: { task_status: string } } | null } } }
      ).value;
      return value.data.data?.data.task_status ?? "not started";
    });
    expect(new Set(states)).toEqual(
      new Set(["not started", "submitted", "processing", "succeed", "failed"]),
    );
  });

  it("has no list operation, and says so", () => {
    expect(Object.keys(doc.paths)).toEqual([
      "/kling/v1/videos/multi-image2video",
      "/kling/v1/videos/multi-image2video/{task_id}",
    ]);
    expect(at(["paths", "/kling/v1/videos/multi-image2video"])).not.toHaveProperty("get");
    expect(String(at(["info", "description"]))).toMatch(/no list operation/i);
  });

  it("puts bearer security on every operation", () => {
    for (const path of Object.values(doc.paths) as Record<string, { security?: unknown }>[]) {
      for (const op of Object.values(path)) expect(op.security).toEqual([{ bearerAuth: [] }]);
    }
  });
});

describe("the create request's rules bite", () => {
  it("accepts the seed's curl body", async () => {
    expect(await check(REQUEST_SCHEMA, seed)).toEqual({ valid: true, errors: [] });
  });

  it("accepts the limits themselves: four images, 2500-character prompts, raw Base64", async () => {
    const body = {
      ...seed,
      image_list: [1, 2, 3, 4].map((n) => ({ image: `https://example.com/${n}.png` })),
      prompt: "p".repeat(2500),
      negative_prompt: "n".repeat(2500),
      mode: "pro",
      aspect_ratio: "1:1",
      duration: "10",
    };
    expect((await check(REQUEST_SCHEMA, body)).valid).toBe(true);
    const base64 = { ...seed, image_list: [{ image: "iVBORw0KGgo=" }] };
    expect((await check(REQUEST_SCHEMA, base64)).valid).toBe(true);
  });

  it("accepts a prompt with any character Go's TrimSpace keeps, padded or not", async () => {
    // U+FEFF is not unicode.IsSpace in Go (the gateway keeps it) although JavaScript's \s has it.
    for (const prompt of [" x ", "\n\tdance\n", "\u3000舞\u3000", "\ufeff", "."]) {
      expect((await check(REQUEST_SCHEMA, { ...seed, prompt })).errors, prompt).toEqual([]);
    }
  });

  const mutants: [string, Json, string, string][] = [
    [
      "five images",
      {
        ...seed,
        image_list: [1, 2, 3, 4, 5].map((n) => ({ image: `https://example.com/${n}.jpg` })),
      },
      "#/image_list",
      "maxItems",
    ],
    ["no images", { ...seed, image_list: [] }, "#/image_list", "minItems"],
    ["a numeric duration", { ...seed, duration: 5 }, "#/duration", "type"],
    ["a duration outside the enum", { ...seed, duration: "7" }, "#/duration", "enum"],
    ["an unknown mode", { ...seed, mode: "turbo" }, "#/mode", "enum"],
    ["an unknown aspect ratio", { ...seed, aspect_ratio: "4:3" }, "#/aspect_ratio", "enum"],
    ["a 2501-character prompt", { ...seed, prompt: "p".repeat(2501) }, "#/prompt", "maxLength"],
    [
      "a 2501-character negative prompt",
      { ...seed, negative_prompt: "n".repeat(2501) },
      "#/negative_prompt",
      "maxLength",
    ],
    ["an empty prompt", { ...seed, prompt: "" }, "#/prompt", "minLength"],
    // The gateway trims the prompt (Go's strings.TrimSpace) before its emptiness check.
    ["a prompt of spaces", { ...seed, prompt: "   " }, "#/prompt", "pattern"],
    ["a prompt of tabs and newlines", { ...seed, prompt: "\t\r\n\v\f" }, "#/prompt", "pattern"],
    [
      "a prompt of Unicode spaces Go trims (NEL, NBSP, ideographic)",
      { ...seed, prompt: "\u0085\u00a0\u2003\u3000" },
      "#/prompt",
      "pattern",
    ],
    [
      "a missing prompt",
      Object.fromEntries(Object.entries(seed).filter(([k]) => k !== "prompt")),
      "#",
      "required",
    ],
    [
      "a data: prefixed image",
      { ...seed, image_list: [{ image: "data:image/png;base64,iVBORw0KGgo=" }] },
      "#/image_list/0/image",
      "pattern",
    ],
    [
      "an image entry without image",
      { ...seed, image_list: [{ url: "https://example.com/1.jpg" }] },
      "#/image_list/0",
      "required",
    ],
    [
      "a callback_url that is not http(s)",
      { ...seed, callback_url: "ftp://x/y" },
      "#/callback_url",
      "pattern",
    ],
  ];

  it.each(mutants)("rejects %s", async (_name, body, location, keyword) => {
    const { valid, errors } = await check(REQUEST_SCHEMA, body);
    expect(valid).toBe(false);
    expect(failedAt(errors, location, keyword), JSON.stringify(errors)).toBe(true);
  });
});

describe("every example validates against its schema", () => {
  interface Case {
    where: string;
    schema: (string | number)[];
    value: Json;
  }

  function collect(node: Json, path: (string | number)[], out: Case[]): Case[] {
    if (!node || typeof node !== "object") return out;
    if (Array.isArray(node)) {
      for (const [i, child] of node.entries()) collect(child, [...path, i], out);
      return out;
    }
    const isSchemaExamples = Array.isArray(node.examples) && path.at(-1) !== "parameters";
    if (isSchemaExamples) {
      for (const value of node.examples as Json[])
        out.push({ where: path.join("/"), schema: path, value });
    }
    if ("schema" in node) {
      // Validate against the $ref target where there is one: it is the same schema, and its pointer
      // avoids path keys such as callback expressions that do not survive URI encoding.
      const schema = node.schema as Json;
      const ref =
        schema && typeof schema === "object" && !Array.isArray(schema) ? schema.$ref : undefined;
      const schemaPath = typeof ref === "string" ? ref.slice(2).split("/") : [...path, "schema"];
      if (node.examples && !Array.isArray(node.examples)) {
        for (const [name, example] of Object.entries(node.examples)) {
          const { value } = resolve(example) as { value: Json };
          out.push({ where: `${path.join("/")} example ${name}`, schema: schemaPath, value });
        }
      }
      if ("example" in node) {
        out.push({
          where: `${path.join("/")} example`,
          schema: schemaPath,
          value: node.example as Json,
        });
      }
    }
    for (const [key, child] of Object.entries(node)) {
      if (key.startsWith("x-") || key === "examples" || key === "example") continue;
      collect(child, [...path, key], out);
    }
    return out;
  }

  const cases = collect(doc as unknown as Json, [], []);

  it("finds the examples (request, every response, callback, parameters, properties)", () => {
    const where = cases.map((c) => c.where).join("\n");
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const expected of [
      "seedCurl",
      "observed",
      "documented",
      "succeed",
      "taskNotExist",
      "concurrencyLimit",
    ]) {
      expect(where).toContain(`example ${expected}`);
    }
    expect(where).toMatch(/callbacks.*example succeed/);
    expect(where).toMatch(/parameters\/TaskId example/);
  });

  it.each(cases.map((c) => [c.where, c] as const))("%s", async (_where, c) => {
    const { valid, errors } = await check(c.schema, c.value);
    expect(errors).toEqual([]);
    expect(valid).toBe(true);
  });
});

describe("the status mapping (x-status-mapping) agrees with the examples", () => {
  type Query = {
    data?: {
      status?: string;
      progress?: string;
      data?: { data?: { task_status?: string } } | null;
    };
  };
  const mapping = (
    doc.components.schemas as Record<
      string,
      {
        "x-status-mapping": {
          statuses: Record<string, { progress: string; kling: string }>;
          fromKling: Record<string, string>;
        };
      }
    >
  ).GatewayTaskStatus?.["x-status-mapping"];
  const examples = Object.entries(
    doc.components.examples as Record<string, { value: Query }>,
  ).filter(([, e]) => typeof e.value?.data?.status === "string");

  it("has query examples to compare with", () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  it.each(examples)("%s shows its status with the mapped progress and Kling status", (_name, e) => {
    const { status, progress, data } = e.value.data ?? {};
    const fact = mapping?.statuses[status as string];
    expect(fact, `${status} is in x-status-mapping`).toBeDefined();
    expect(progress).toBe(fact?.progress);
    const kling = data?.data?.task_status;
    // At NOT_START, data is Kling's create answer (data-at-not-start): its status is `submitted`.
    if (kling !== undefined && status !== "NOT_START") {
      expect(mapping?.fromKling[kling]).toBe(status);
      expect(fact?.kling).toBe(kling);
    }
  });
});
