// A bounded fuzz run: thousands of malformed or random requests, reproducible from a seed. The mock
// must answer every one (no crash, no hang), never with a 5xx, and always in a shape the spec allows
// (checked by Hyperjump, independently of the Prism validation inside the mock).
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../src/core/simulator/random.js";
import { type Plan, plan } from "./support/fuzz-gen.js";
import { CREATE, call, seedBody, startVirtual, submit } from "./support/harness.js";
import { checkFetched } from "./support/oracle.js";

const REQUESTS = 5_000;
const RAW_REQUESTS = 200;
const CONCURRENCY = 16;
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_123);

describe("fuzz", () => {
  it(`answers ${REQUESTS} random requests plus ${RAW_REQUESTS} raw malformed ones: no 5xx, no crash, all valid`, async () => {
    const mock = await startVirtual({ concurrencyLimit: 50 });
    const known = [await submit(mock.url, "fuzz-a"), await submit(mock.url, "fuzz-b"), "nope"];
    const random = seededRandom(SEED);
    const rng = () => random.next();
    const plans = Array.from({ length: REQUESTS }, () => plan(rng, known));
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const started = performance.now();
    let next = 0;

    const worker = async () => {
      while (next < plans.length) {
        const p = plans[next++] as Plan;
        let res: Response;
        try {
          res = await fetch(mock.url + p.path, {
            method: p.method,
            headers: p.headers,
            ...(p.body === undefined ? {} : { body: p.body }),
          });
        } catch (error) {
          failures.push(`${p.method} ${p.path}: transport error ${String(error)}`);
          continue;
        }
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500)
          failures.push(`${p.method} ${p.path} -> ${res.status} ${text.slice(0, 300)}`);
        if (p.method === "HEAD") continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          failures.push(`${p.method} ${p.path} -> ${res.status}: not JSON: ${text.slice(0, 100)}`);
          continue;
        }
        const problems = await checkFetched(p.method, p.path, res, parsed);
        if (problems.length > 0)
          failures.push(
            `${p.method} ${p.path} -> ${res.status}: ${problems.join(", ")} ${text.slice(0, 200)}`,
          );
        if (res.status === 429 && !/^\d+$/.test(res.headers.get("retry-after") ?? ""))
          failures.push(`429 without Retry-After`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    // Malformed HTTP straight on the socket: bad request lines, broken headers, lying lengths.
    const { port } = new URL(mock.url);
    const raws = [
      "GARBAGE\r\n\r\n",
      "GET / HTTP/9.9\r\n\r\n",
      'POST /kling/v1/videos/multi-image2video HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":',
      "GET /kling/v1/videos/multi-image2video/x HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
      `GET /${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      "POST /kling/v1/videos/multi-image2video HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ];
    const phase1 = performance.now() - started;
    const rawOne = async (i: number) => {
      const raw = raws[i % raws.length] as string;
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(Number(port), "127.0.0.1");
        let data = "";
        socket.setTimeout(500, () => socket.destroy());
        socket.on("data", (d) => {
          data += d.toString("latin1");
        });
        socket.on("close", () => resolve(data));
        socket.on("error", () => resolve(data));
        socket.write(raw);
        if (i % 2 === 0) socket.end();
      });
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      if (status >= 500) failures.push(`raw ${JSON.stringify(raw.slice(0, 40))} -> ${status}`);
    };
    for (let i = 0; i < RAW_REQUESTS; i += CONCURRENCY) {
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, RAW_REQUESTS - i) }, (_, j) => rawOne(i + j)),
      );
    }

    const elapsed = performance.now() - started;
    console.log(
      `fuzz: ${REQUESTS} requests in ${phase1.toFixed(0)} ms, raw in ${(elapsed - phase1).toFixed(0)} ms; statuses`,
      Object.fromEntries(statuses),
    );
    expect(failures.slice(0, 20)).toEqual([]);
    // It was a real fuzz run: many different answers, not one error repeated.
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    for (const status of [200, 400, 401, 404])
      expect(statuses.get(status) ?? 0).toBeGreaterThan(50);
    expect(elapsed).toBeLessThan(90_000);
    // Still healthy and still correct afterwards.
    expect((await call(mock.url, "GET", "/__mock/health")).status).toBe(200);
    expect((await call(mock.url, "POST", CREATE, { key: "after", body: seedBody })).status).toBe(
      200,
    );
  }, 120_000);
});
