// The mock checks requests and responses with per-operation plans (src/prism/plans.ts) instead of
// calling Prism's validateInput/validateOutput. This proves they give exactly Prism's diagnostics,
// on thousands of random requests and of responses derived from the spec's examples.
import { specPath } from "@kling-multi-image/spec";
import { specExamples } from "@kling-multi-image/test-support";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../src/core/simulator/random.js";
import { loadPrismEngine, type PrismEngine } from "../src/prism/engine.js";
import { controlApiPath } from "../src/server.js";
import {
  pick,
  plan,
  randomJson,
  responseFromExamples,
  toEngineRequest,
} from "./support/fuzz-gen.js";

async function engines(path: string): Promise<[PrismEngine, PrismEngine]> {
  return [await loadPrismEngine(path, "prism"), await loadPrismEngine(path, "planned")];
}

describe("planned checks equal Prism's", () => {
  it("for 3,000 random requests to the Kling API", async () => {
    const [prism, planned] = await engines(specPath);
    const random = seededRandom(7);
    const rng = () => random.next();
    let compared = 0;
    let withErrors = 0;
    for (let i = 0; i < 3_000; i++) {
      const request = toEngineRequest(
        plan(rng, ["abc", "CjMkb2eFcrsAAAAAAKL4bg", "x".repeat(140)]),
      );
      const routed = prism.route(request.method, request.url.path);
      if (!("operation" in routed)) continue;
      const expected = prism.checkRequest(routed.operation, request);
      expect(planned.checkRequest(routed.operation, request)).toEqual(expected);
      compared++;
      if (expected.length > 0) withErrors++;
    }
    expect(compared).toBeGreaterThan(1_000);
    expect(withErrors).toBeGreaterThan(300);
  });

  it("for 3,000 responses derived from the spec's examples", async () => {
    const [prism, planned] = await engines(specPath);
    const examples = Object.values(specExamples());
    const random = seededRandom(11);
    const rng = () => random.next();
    let withErrors = 0;
    for (let i = 0; i < 3_000; i++) {
      const operation = pick(rng, prism.operations);
      const response = responseFromExamples(rng, examples);
      const expected = prism.checkResponse(operation, response);
      expect(planned.checkResponse(operation, response)).toEqual(expected);
      if (expected.some((d) => d.severity === 0)) withErrors++;
    }
    expect(withErrors).toBeGreaterThan(500);
  });

  it("for the control API's requests", async () => {
    const [prism, planned] = await engines(controlApiPath);
    const random = seededRandom(3);
    const rng = () => random.next();
    const paths = [
      "/__mock/clock/advance",
      "/__mock/config",
      "/__mock/tasks?limit=5",
      "/__mock/tasks?limit=abc",
      "/__mock/tasks/x/state",
      "/__mock/callbacks?task_id=",
    ];
    for (let i = 0; i < 1_000; i++) {
      const body =
        rng() < 0.2
          ? undefined
          : JSON.stringify(
              pick(rng, [
                { ms: 5 },
                { ms: -1 },
                { status: "failed" },
                { scenario: "fail" },
                randomJson(rng),
              ]),
            );
      const p = {
        method: pick(rng, ["GET", "POST", "PATCH"]),
        path: pick(rng, paths),
        headers: { "content-type": pick(rng, ["application/json", "text/plain"]) },
        ...(body === undefined ? {} : { body }),
      };
      const request = toEngineRequest(p);
      const routed = prism.route(request.method, request.url.path);
      if (!("operation" in routed)) continue;
      expect(planned.checkRequest(routed.operation, request)).toEqual(
        prism.checkRequest(routed.operation, request),
      );
    }
  });
});
