// The capture server checks what a client sends: it must pass a conforming request and name what is
// wrong with each kind of bad one.
import { specExample } from "@kling-multi-image/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CaptureServer, startCaptureServer } from "../src/capture.js";

let server: CaptureServer;
beforeAll(async () => {
  server = await startCaptureServer();
});
afterAll(() => server.close());

// The provider's curl body, from the spec itself.
const seed = specExample("SeedCurlRequest") as Record<string, unknown>;

async function post(body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/kling/v1/videos/multi-image2video`, {
    method: "POST",
    headers: { Authorization: "Bearer sk-x", "Content-Type": "application/json", ...headers },
    body,
  });
  return {
    status: res.status,
    json: (await res.json()) as Record<string, unknown>,
    problems: server.requests.at(-1)?.problems,
  };
}

describe("capture server", () => {
  it("accepts a conforming submit and query, answering with the spec's examples", async () => {
    const created = await post(JSON.stringify(seed));
    expect(created.problems).toEqual([]);
    expect(created.status).toBe(200);
    expect((created.json.data as { task_id: string }).task_id).toBe("CjMkb2eFcrsAAAAAAKL4bg");
    const res = await fetch(`${server.url}/kling/v1/videos/multi-image2video/abc123`, {
      headers: { Authorization: "Bearer sk-x" },
    });
    const body = (await res.json()) as { data: { task_id: string; status: string } };
    expect(res.status).toBe(200);
    expect(body.data).toMatchObject({ task_id: "abc123", status: "SUCCESS" });
    expect(server.requests.at(-1)?.problems).toEqual([]);
  });

  it("names each departure from the spec", async () => {
    expect((await post(JSON.stringify({ ...seed, duration: 5 }))).problems?.join()).toMatch(
      /breaks CreateTaskRequest: #\/duration fails/,
    );
    expect((await post(JSON.stringify(seed), { Authorization: "" })).problems?.join()).toMatch(
      /bearerAuth/,
    );
    expect(
      (await post(JSON.stringify(seed), { "Content-Type": "text/plain" })).problems?.join(),
    ).toMatch(/Content-Type "text\/plain"/);
    expect((await post("{nope")).problems?.join()).toMatch(/body is not JSON/);
    const res = await fetch(`${server.url}/kling/v1/videos`, {
      headers: { Authorization: "Bearer sk-x" },
    });
    expect(res.status).toBe(404);
    expect(server.requests.at(-1)?.problems).toEqual([
      "GET /kling/v1/videos is not an operation in the spec",
    ]);
    const long = await fetch(`${server.url}/kling/v1/videos/multi-image2video/${"x".repeat(129)}`, {
      headers: { Authorization: "Bearer sk-x" },
    });
    expect(long.status).toBe(400);
    expect(server.requests.at(-1)?.problems.join()).toMatch(/breaks TaskId/);
  });
});
