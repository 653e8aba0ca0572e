// CORS is the Node server's own layer (a service worker answers inside the page: no preflight).
import { describe, expect, it } from "vitest";
import { CREATE, call, seedBody, startVirtual, submit } from "../support/harness.js";

describe("CORS", () => {
  it("answers a preflight for the API with the methods and headers a browser needs", async () => {
    const mock = await startVirtual();
    const res = await fetch(mock.url + CREATE, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:5173",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, x-mock-scenario",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(res.headers.get("access-control-max-age")).toBe("600");
  });

  it("exposes Retry-After and other headers on real answers, errors included", async () => {
    const mock = await startVirtual();
    const r = await call(mock.url, "POST", CREATE, {
      body: seedBody,
      headers: { origin: "http://app.test", "x-mock-scenario": "rate-limit" },
    });
    expect(r.status).toBe(429);
    expect(r.headers.get("access-control-allow-origin")).toBe("http://app.test");
    expect(r.headers.get("access-control-expose-headers")).toContain("Retry-After");
    const unauth = await call(mock.url, "GET", `${CREATE}/x`, {
      key: null,
      headers: { origin: "http://app.test" },
    });
    expect(unauth.headers.get("access-control-allow-origin")).toBe("http://app.test");
  });

  it("lets only loopback pages drive the control API from a browser", async () => {
    const mock = await startVirtual();
    const preflight = (origin: string) =>
      fetch(`${mock.url}/__mock/reset`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST" },
      });
    const foreign = await preflight("https://evil.example");
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    const local = await preflight("http://127.0.0.1:5173");
    expect(local.status).toBe(204);
    expect(local.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:5173");
    const read = await call(mock.url, "GET", "/__mock/health", {
      headers: { origin: "https://evil.example" },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("cross-site writes to the control API", () => {
  it("refuses a reset from a page elsewhere, whatever the content type, and keeps every task", async () => {
    const mock = await startVirtual();
    const id = await submit(mock.url, "k");
    for (const headers of [
      { origin: "http://evil.example", "content-type": "text/plain" },
      { origin: "http://evil.example", "content-type": "application/json" },
      { origin: "null" },
    ]) {
      const r = await call(mock.url, "POST", "/__mock/reset", { key: null, body: "{}", headers });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe("cross_site_request");
    }
    expect(
      (await call(mock.url, "GET", `/kling/v1/videos/multi-image2video/${id}`, { key: "k" }))
        .status,
    ).toBe(200);
    // A loopback page, or a caller with no Origin (curl, a test), may.
    const local = await call(mock.url, "POST", "/__mock/reset", {
      key: null,
      headers: { origin: "http://localhost:5173" },
    });
    expect(local.status).toBe(200);
  });
});
