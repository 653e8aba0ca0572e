// The generators are only as good as their agreement with the spec: every "valid" body must pass
// the oracle and every mutated one must fail it, or the negative check would blame the server for
// the kit's own mistake.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { finalize, MUTATIONS, readRules, validBody } from "../src/generate/index.js";
import { Oracle } from "../src/oracle.js";
import { SpecModel } from "../src/spec.js";

const spec = new SpecModel();
const oracle = new Oracle();
const rules = readRules(spec);
const REQUEST = spec.schemaPointer("CreateTaskRequest");

describe("generators read the spec", () => {
  it("finds the limits in CreateTaskRequest", () => {
    expect(rules.required).toEqual(["model", "image_list", "prompt"]);
    expect(rules.enums).toEqual({
      mode: ["std", "pro"],
      aspect_ratio: ["16:9", "9:16", "1:1"],
      duration: ["5", "10"],
    });
    expect(rules.images).toEqual({ minItems: 1, maxItems: 4 });
    expect(rules.strings.prompt).toMatchObject({ minLength: 1, maxLength: 2500 });
    // Not only white space (the gateway trims the prompt before its emptiness check).
    const blank = new RegExp(rules.strings.prompt?.pattern ?? "", "u");
    expect([" ", "\t\n", "  a "].map((p) => blank.test(p))).toEqual([false, false, true]);
    expect(rules.models).toEqual(["kling-v1-6"]);
  });

  it("valid bodies pass the oracle and cover every enum value, image count and the length bounds", async () => {
    const seen = { counts: new Set<number>(), values: new Set<string>(), maxPrompt: false };
    let n = 0;
    await fc.assert(
      fc.asyncProperty(validBody(rules, { callbackUrl: "http://127.0.0.1:1/cb" }), async (raw) => {
        const body = finalize(raw, () => `id-${++n}`);
        const verdict = await oracle.check(REQUEST, body);
        expect(verdict.errors).toEqual([]);
        seen.counts.add((body.image_list as unknown[]).length);
        for (const f of ["mode", "aspect_ratio", "duration"])
          if (typeof body[f] === "string") seen.values.add(`${f}=${body[f]}`);
        if ([...(body.prompt as string)].length === 2500) seen.maxPrompt = true;
      }),
      { numRuns: 400, seed: 42 },
    );
    expect([...seen.counts].sort()).toEqual([1, 2, 3, 4]);
    expect(seen.values.size).toBe(7);
    expect(seen.maxPrompt).toBe(true);
  });

  for (const mutation of MUTATIONS) {
    it(`rule ${mutation.rule} always breaks the spec`, async () => {
      await fc.assert(
        fc.asyncProperty(mutation.arbitrary(rules), async (generated) => {
          expect(generated.rule).toBe(mutation.rule);
          if (generated.contentType !== "application/json") {
            // Valid JSON with a media type the operation does not document.
            expect(spec.doc.paths).toBeDefined();
            expect(generated.contentType).not.toMatch(/json/);
            return;
          }
          let value: unknown;
          try {
            value = JSON.parse(generated.body);
          } catch {
            expect(mutation.rule).toBe("non_json_body");
            return;
          }
          const verdict = await oracle.check(REQUEST, value);
          expect(
            verdict.valid,
            `${mutation.rule} produced a valid body: ${generated.body.slice(0, 200)}`,
          ).toBe(false);
        }),
        { numRuns: 60, seed: 3 },
      );
    });
  }
});
