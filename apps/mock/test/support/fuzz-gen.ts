// Random and malformed requests for the fuzz run and the engines' equivalence tests.
import type { EngineRequest, EngineResponse } from "../../src/core/engine.js";
import { CREATE, seedBody } from "./harness.js";

export type Rng = () => number;
export const pick = <T>(rng: Rng, items: readonly T[]): T =>
  items[Math.floor(rng() * items.length)] as T;

export function randomString(rng: Rng, max: number): string {
  const alphabets = ["abcXYZ019", " \t\n", "\u0000\u0007\u001f", "é漢字🎬", '{}[]":,\\', "%/?#&=+"];
  const length = Math.floor(rng() ** 3 * max);
  let out = "";
  for (let i = 0; i < length; i++) out += pick(rng, [...pick(rng, alphabets)]);
  return out;
}

export function randomJson(rng: Rng, depth = 0): unknown {
  const kind = Math.floor(rng() * (depth > 2 ? 5 : 7));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng() < 0.5;
    case 2:
      return pick(rng, [0, -1, 5, 10, 1e308, -0.5, 2 ** 53]);
    case 3:
    case 4:
      return randomString(rng, 40);
    case 5:
      return Array.from({ length: Math.floor(rng() * 6) }, () => randomJson(rng, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(rng() * 5); i > 0; i--)
        o[randomString(rng, 10) || "k"] = randomJson(rng, depth + 1);
      return o;
    }
  }
}

/** The seed body with a few fields dropped, retyped or pushed past their limits. */
export function mutatedBody(rng: Rng): Record<string, unknown> {
  const body: Record<string, unknown> = structuredClone(seedBody);
  const fields = [
    "model",
    "model_name",
    "image_list",
    "prompt",
    "negative_prompt",
    "mode",
    "aspect_ratio",
    "duration",
    "callback_url",
    "external_task_id",
    "extra",
  ];
  // A third stay valid, so the happy path is fuzzed under load too.
  for (let n = rng() < 0.35 ? 0 : 1 + Math.floor(rng() * 3); n > 0; n--) {
    const field = pick(rng, fields);
    const action = Math.floor(rng() * 6);
    if (action === 0) delete body[field];
    else if (action === 1) body[field] = randomJson(rng);
    else if (action === 2) body[field] = "x".repeat(pick(rng, [0, 1, 128, 129, 2500, 2501]));
    else if (action === 3)
      body[field] = Array.from({ length: Math.floor(rng() * 7) }, () =>
        pick(rng, [
          { image: "https://e.com/a.png" },
          { image: "data:image/png;base64,AA" },
          { image: "" },
          {},
          "x",
          { image: "QUJD" },
        ]),
      );
    else if (action === 4)
      body[field] = pick(rng, [
        "std",
        "pro",
        "16:9",
        "1:1",
        "5",
        "10",
        "http://127.0.0.1:1/x",
        "https://example.com/cb",
        "ftp://x",
      ]);
    else body[field] = randomString(rng, 30);
  }
  // An unknown model is a 503 by design (model_not_found): keep model strings to the known one.
  for (const f of ["model", "model_name"])
    if (typeof body[f] === "string" && body[f] !== "") body[f] = "kling-v1-6";
  return body;
}

export interface Plan {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export function plan(rng: Rng, known: readonly string[]): Plan {
  const method = pick(rng, [
    "POST",
    "POST",
    "POST",
    "GET",
    "GET",
    "PUT",
    "DELETE",
    "PATCH",
    "HEAD",
  ]);
  const favourite = method === "POST" ? CREATE : `${CREATE}/${pick(rng, known)}`;
  const path =
    rng() < 0.6 && (method === "POST" || method === "GET")
      ? favourite
      : pick(rng, [
          CREATE,
          CREATE,
          CREATE,
          `${CREATE}/${pick(rng, known)}`,
          `${CREATE}/${encodeURIComponent(randomString(rng, 150)) || "x"}`,
          `${CREATE}/%E0%A4%A`,
          `${CREATE}/a/b`,
          `${CREATE}/`,
          `/kling/v1/videos/${encodeURIComponent(randomString(rng, 20))}`,
          "/",
          `/${"a/".repeat(Math.floor(rng() * 50))}`,
          `${CREATE}?${encodeURIComponent(randomString(rng, 20))}=1`,
        ]);
  const headers: Record<string, string> = {};
  const auth = pick(rng, [
    "Bearer fuzz-a",
    "Bearer fuzz-b",
    "Bearer fuzz-a",
    "",
    "Bearer ",
    "Basic abc",
    "bearer fuzz-a",
    `Bearer ${"k".repeat(300)}`,
  ]);
  if (auth !== "") headers.authorization = auth;
  const ct = pick(rng, [
    "application/json",
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "",
    "application/vnd.api+json",
  ]);
  if (ct !== "") headers["content-type"] = ct;
  if (rng() < 0.15)
    headers["x-mock-scenario"] = pick(rng, [
      "fail",
      "content-policy",
      "rate-limit",
      "concurrency",
      "quota",
      "slow:0",
      "succeed",
      "boom",
      ",",
      "slow:abc",
      randomString(rng, 10).replace(/[^\x20-\x7e]/g, ""),
    ]);
  let body: string | undefined;
  if (method !== "GET" && method !== "HEAD") {
    const kind = Math.floor(rng() * 10);
    if (kind < 6) body = JSON.stringify(mutatedBody(rng));
    else if (kind === 6) body = JSON.stringify(randomJson(rng));
    else if (kind === 7) body = JSON.stringify(mutatedBody(rng)).slice(0, Math.floor(rng() * 60));
    else if (kind === 8) body = randomString(rng, 200);
    else body = undefined;
  }
  return { method, path, headers, ...(body === undefined ? {} : { body }) };
}

/** A plan as the validation engines read a request: a JSON body parsed, its length a header. */
export function toEngineRequest(p: Plan): EngineRequest {
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

/** `value` with random parts replaced by random JSON or dropped (a response off an example). */
export function mutate(rng: Rng, value: unknown, depth = 0): unknown {
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

/**
 * A random response made from the spec's `examples`: a status the API documents or not, a JSON
 * or plain content type, maybe a Retry-After, and an example's value as it is or mutated. With
 * `odd`, also rarer shapes, each on its own draw: one of `odd.contentTypes`, no content type, a
 * second Retry-After in other case, a form body.
 */
export function responseFromExamples(
  rng: Rng,
  examples: readonly unknown[],
  odd?: { readonly contentTypes: readonly string[] },
): EngineResponse {
  const statusCode = pick(rng, [200, 200, 200, 400, 401, 403, 404, 413, 429, 500, 503, 201, 418]);
  const headers: Record<string, string> = {
    "content-type": pick(rng, [
      "application/json",
      "application/json",
      "text/plain",
      "application/json; charset=utf-8",
      ...(odd && rng() < 0.2 ? odd.contentTypes : []),
    ]),
  };
  if (odd && rng() < 0.05) delete headers["content-type"];
  if (rng() < 0.3) headers["retry-after"] = pick(rng, ["5", "-1", "soon", "0"]);
  if (odd && rng() < 0.05) headers["Retry-After"] = pick(rng, ["5", "x"]);
  const body =
    odd && rng() < 0.05
      ? pick(rng, ["code=x&message=y", "a=%E0%A4%A", ""])
      : rng() < 0.5
        ? structuredClone(pick(rng, examples))
        : mutate(rng, pick(rng, examples));
  return { statusCode, headers, body };
}
