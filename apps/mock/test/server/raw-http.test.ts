// What Node's HTTP layer would answer on its own (an empty 400, a dropped socket) is answered in
// the gateway's envelopes instead: no Host, an unknown method, CONNECT, oversized headers.
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { startVirtual } from "../support/harness.js";

/** Sends raw bytes and returns the status, headers and JSON body of the answer. */
function raw(url: string, text: string): Promise<{ status: number; head: string; body: unknown }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => socket.write(text));
    let out = "";
    socket.on("data", (d) => {
      out += d;
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", body = ""] = out.split("\r\n\r\n");
      try {
        resolve({ status: Number(head.split(" ")[1]), head, body: JSON.parse(body) });
      } catch {
        reject(new Error(`not a JSON answer: ${JSON.stringify(out.slice(0, 300))}`));
      }
    });
    setTimeout(() => socket.end(), 2_000).unref();
  });
}

describe("HTTP that Node's parser refuses or leaves to us", () => {
  it("a request without Host is a 400 in the gateway's envelope", async () => {
    const mock = await startVirtual();
    const r = await raw(mock.url, "GET /kling/v1/videos/multi-image2video/x HTTP/1.1\r\n\r\n");
    expect(r.status).toBe(400);
    expect(r.head.toLowerCase()).toContain("content-type: application/json");
    expect(r.body).toEqual({
      error: {
        message: "missing required Host header",
        type: "new_api_error",
        code: "invalid_request",
      },
    });
  });

  it("an unknown method is the router's documented 404, naming method and path", async () => {
    const mock = await startVirtual();
    const r = await raw(
      mock.url,
      "FOO /kling/v1/videos/multi-image2video?x=1 HTTP/1.1\r\nHost: a\r\n\r\n",
    );
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      error: {
        message: "Invalid URL (FOO /kling/v1/videos/multi-image2video)",
        type: "invalid_request_error",
        code: "",
      },
    });
  });

  it("CONNECT is answered (404), not closed silently", async () => {
    const mock = await startVirtual();
    const r = await raw(
      mock.url,
      "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    );
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: { message: "Invalid URL (CONNECT example.com:443)" } });
  });

  it("headers past Node's limit are a 400 saying so, and the server keeps serving", async () => {
    const mock = await startVirtual();
    let headers = "";
    for (let i = 0; i < 2_000; i++) headers += `x-h${i}: ${"v".repeat(10)}\r\n`;
    const r = await raw(mock.url, `GET /__mock/health HTTP/1.1\r\nHost: a\r\n${headers}\r\n`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      error: { message: "request headers too large", code: "invalid_request" },
    });
    expect((await fetch(`${mock.url}/__mock/health`)).status).toBe(200);
  });
});
