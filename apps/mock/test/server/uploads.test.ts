// Concurrent large uploads are bounded: the bytes that bodies being read may hold at once come
// from one budget, and a body that does not fit is answered 429 (gateway envelope, Retry-After)
// at once instead of growing the process.
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { CREATE, call, seedBody, startVirtual } from "../support/harness.js";
import { checkAnswer } from "../support/oracle.js";

/** A valid submit of about `bytes` bytes (one large Base64 image). */
function bigBody(bytes: number): Buffer {
  const image = "A".repeat(bytes - 300);
  return Buffer.from(JSON.stringify({ ...seedBody, image_list: [{ image }, { image: "QUJD" }] }));
}

/** POSTs `body` in two halves `pauseMs` apart (declared length unless `chunked`). */
function slowPost(
  url: string,
  body: Buffer,
  pauseMs: number,
  chunked = false,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${CREATE}`, {
      method: "POST",
      headers: {
        authorization: "Bearer k",
        "content-type": "application/json",
        ...(chunked ? {} : { "content-length": body.length }),
      },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on("error", reject);
    const half = Math.floor(body.length / 2);
    req.write(body.subarray(0, half));
    setTimeout(() => {
      if (!req.destroyed) req.end(body.subarray(half));
    }, pauseMs);
  });
}

describe("the upload budget", () => {
  it("answers the upload that does not fit with a 429 at once, and the others complete", async () => {
    const mock = await startVirtual({ maxBodyBytes: 1_000_000, uploadBudgetBytes: 2_500_000 });
    const body = bigBody(900_000);
    // Two uploads hold 1.8 MB of the 2.5 MB budget for 3 s (half sent, the rest held back).
    const [a, b] = [slowPost(mock.url, body, 3_000), slowPost(mock.url, body, 3_000)];
    // A third whole upload no longer fits beside them: it is refused without being read. Until
    // both are in (a loaded machine may take a moment), it fits and is simply accepted.
    let refused: Awaited<ReturnType<typeof slowPost>> | undefined;
    await expect
      .poll(async () => {
        refused = await slowPost(mock.url, body, 0);
        return refused.status;
      })
      .toBe(429);
    expect(refused?.headers["retry-after"]).toBe("5");
    // The rest of that body was never read: the server closes the connection after answering.
    expect(refused?.headers.connection).toBe("close");
    const parsed = JSON.parse(refused?.text ?? "{}");
    expect(parsed.error.code).toBe("upload_budget_exceeded");
    expect(await checkAnswer("POST", CREATE, 429, "application/json", parsed)).toEqual([]);
    expect((await a).status).toBe(200);
    expect((await b).status).toBe(200);
    // The budget is given back once they are answered.
    expect((await slowPost(mock.url, body, 10)).status).toBe(200);
    expect((await call(mock.url, "POST", CREATE, { body: seedBody })).status).toBe(200);
  });

  it("counts a chunked body (no declared length) as it arrives", async () => {
    const mock = await startVirtual({ maxBodyBytes: 1_000_000, uploadBudgetBytes: 1_000_000 });
    const body = bigBody(900_000);
    // A holds half its body (450 kB) for 3 s; B's whole body does not fit beside it once A's
    // first half has arrived (until then B fits, and is simply accepted).
    const first = slowPost(mock.url, body, 3_000, true);
    await expect
      .poll(async () => (await slowPost(mock.url, body, 0, true).catch(() => undefined))?.status)
      .toBe(429);
    expect((await first).status).toBe(200);
  });
});
