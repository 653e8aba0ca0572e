// The mock checks requests and responses with per-operation plans (src/prism/plans.ts) instead of
// calling Prism's validateInput/validateOutput. This proves they give exactly Prism's diagnostics,
// on thousands of random requests and of responses derived from the spec's examples.
import { readFileSync } from "node:fs";
import { specPath } from "@kling-multi-image/spec";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { seededRandom } from "../src/core/simulator/random.js";
import { loadPrismEngine, type PrismEngine, type PrismRequest } from "../src/prism/engine.js";
import { controlApiPath } from "../src/server.js";
import { pick, plan, type Rng, randomJson } from "./support/fuzz-gen.js";

function toPrismRequest(p: ReturnType<typeof plan>): PrismRequest {
  const headers: Record<string, string> = { ...p.headers };
  let body: unknown;
  if (p.body !== undefined) {
    headers["content-length"] = String(Buffer.byteLength(p.body));
    try {
      body = JSON.parse(p.body);
    } catch {
      body = p.body;
    }
  }
  const [path, query] = p.path.split("?") as [string, string | undefined];
  return {
    method: p.method.toLowerCase(),
    url: { path, query: Object.fromEntries(new URLSearchParams(query ?? "")) },
    headers,
    body,
  };
}

async function engines(path: string): Promise<[PrismEngine, PrismEngine]> {
  return [await loadPrismEngine(path, "prism"), await loadPrismEngine(path, "planned")];
}

function mutate(rng: Rng, value: unknown, depth = 0): unknown {
  if (rng() < 0.15 || depth > 6) return randomJson(rng);
  if (Array.isArray(value)) return value.map((v) => mutate(rng, v, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      if (rng() > 0.1) out[k] = rng() < 0.3 ? mutate(rng, v, depth + 1) : v;
    return out;
  }
  return value;
}

describe("planned checks equal Prism's", () => {
  it("for 3,000 random requests to the Kling API", async () => {
    const [prism, planned] = await engines(specPath);
    const random = seededRandom(7);
    const rng = () => random.next();
    let compared = 0;
    let withErrors = 0;
    for (let i = 0; i < 3_000; i++) {
      const request = toPrismRequest(plan(rng, ["abc", "CjMkb2eFcrsAAAAAAKL4bg", "x".repeat(140)]));
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
    // biome-ignore lint/suspicious/noExplicitAny: reading the parsed YAML
    const doc = parse(readFileSync(specPath, "utf8")) as any;
    const examples = Object.values(doc.components.examples).map(
      (e) => (e as { value: unknown }).value,
    );
    const random = seededRandom(11);
    const rng = () => random.next();
    let withErrors = 0;
    for (let i = 0; i < 3_000; i++) {
      const operation = pick(rng, prism.operations);
      const statusCode = pick(
        rng,
        [200, 200, 200, 400, 401, 403, 404, 413, 429, 500, 503, 201, 418],
      );
      const headers: Record<string, string> = {
        "content-type": pick(rng, [
          "application/json",
          "application/json",
          "text/plain",
          "application/json; charset=utf-8",
        ]),
      };
      if (rng() < 0.3) headers["retry-after"] = pick(rng, ["5", "-1", "soon", "0"]);
      const body =
        rng() < 0.5 ? structuredClone(pick(rng, examples)) : mutate(rng, pick(rng, examples));
      const expected = prism.checkResponse(operation, { statusCode, headers, body });
      expect(planned.checkResponse(operation, { statusCode, headers, body })).toEqual(expected);
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
      const request = toPrismRequest(p);
      const routed = prism.route(request.method, request.url.path);
      if (!("operation" in routed)) continue;
      expect(planned.checkRequest(routed.operation, request)).toEqual(
        prism.checkRequest(routed.operation, request),
      );
    }
  });
});
