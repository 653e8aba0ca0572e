// Proxy mode: the mock forwards API requests to an upstream, answers with the upstream's answer
// unchanged, and lists the exchanges that break the spec. A faithful upstream (the mock itself)
// gives no violation through a whole lifecycle; upstreams with one seeded defect each (a wrong
// field type, a missing field, an undocumented status) are each caught, naming field and rule.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { json, startServer, type TestServer } from "@kling-multi-image/test-support";
import { afterEach, describe, expect, it } from "vitest";
import { CREATE, call, seedBody, start, startVirtual } from "../support/harness.js";

const KEY = "sk-proxy-test-0001";
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** An upstream that forwards to `target` and rewrites its JSON answers with `rewrite`. */
async function defective(
  target: string,
  rewrite: (
    path: string,
    status: number,
    body: Record<string, unknown>,
  ) => { status: number; body: unknown },
): Promise<string> {
  const server = await startServer(async ({ method, url, headers, body }, res) => {
    const upstream = await fetch(target + url, {
      method,
      headers: {
        authorization: String(headers.authorization ?? ""),
        "content-type": "application/json",
      },
      ...(body.length ? { body } : {}),
    });
    const out = rewrite(url, upstream.status, (await upstream.json()) as Record<string, unknown>);
    json(res, out.status, out.body);
  });
  servers.push(server);
  return server.url;
}

async function violations(proxyUrl: string) {
  return (await call(proxyUrl, "GET", "/__mock/proxy/violations", { key: null })).body
    .violations as {
    method: string;
    path: string;
    status: number;
    problems: string[];
  }[];
}

describe("proxy mode", () => {
  it("passes a faithful upstream's answers through unchanged and reports no violation", async () => {
    const upstream = await startVirtual({ keys: [KEY] });
    const dir = mkdtempSync(join(tmpdir(), "kling-record-"));
    const proxy = await start({ proxy: upstream.url, recordDir: dir });
    const created = await call(proxy.url, "POST", CREATE, { key: KEY, body: seedBody });
    expect(created.status).toBe(200);
    const id = created.body.data.task_id as string;
    for (const ms of [0, 400, 1_000, 3_000]) {
      await upstream.clock.advance(ms);
      const direct = await call(upstream.url, "GET", `${CREATE}/${id}`, { key: KEY });
      const proxied = await call(proxy.url, "GET", `${CREATE}/${id}`, { key: KEY });
      expect(proxied.status).toBe(direct.status);
      expect({ ...proxied.body, data: { ...proxied.body.data, data: null } }).toEqual({
        ...direct.body,
        data: { ...direct.body.data, data: null },
      });
    }
    // Refusals pass through too, in the upstream's words.
    const bad = await call(proxy.url, "POST", CREATE, {
      key: KEY,
      body: { ...seedBody, duration: 5 },
    });
    expect(bad.status).toBe(400);
    expect((await call(proxy.url, "GET", `${CREATE}/nope`, { key: "wrong" })).status).toBe(401);
    expect(await violations(proxy.url)).toEqual([
      // The one request that broke the spec is the caller's, and it is named as such.
      expect.objectContaining({
        method: "POST",
        status: 400,
        problems: [
          "request: duration must be string",
          "request: duration must be equal to one of the allowed values: 5, 10",
        ],
      }),
    ]);
    // Each exchange was recorded, and the key is in none of the files.
    const files = readdirSync(dir);
    expect(files.length).toBe(7); // a submit, four queries, a refused body, a refused key
    for (const f of files) {
      const text = readFileSync(join(dir, f), "utf8");
      expect(text).not.toContain(KEY);
      expect(JSON.parse(text).request.headers.authorization).toBe("<redacted>");
    }
  });

  it("catches a wrong field type, naming the field and the rule", async () => {
    const upstream = await startVirtual();
    const url = await defective(upstream.url, (path, status, body) =>
      path.startsWith(`${CREATE}/`)
        ? { status, body: { ...body, data: { ...(body.data as object), progress: 30 } } }
        : { status, body },
    );
    const proxy = await start({ proxy: url });
    const id = (await call(proxy.url, "POST", CREATE, { key: KEY, body: seedBody })).body.data
      .task_id;
    const q = await call(upstream.url, "GET", `${CREATE}/${id}`, { key: KEY });
    expect(q.status).toBe(200);
    // The proxy answers with the defective answer, unchanged: the harness's own check would refuse
    // it, so read it raw.
    const raw = await fetch(`${proxy.url}${CREATE}/${id}`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect((await raw.json()).data.progress).toBe(30);
    expect(await violations(proxy.url)).toEqual([
      expect.objectContaining({
        method: "GET",
        path: `${CREATE}/${id}`,
        status: 200,
        problems: ["data.progress must be string"],
      }),
    ]);
  });

  it("catches a missing field", async () => {
    const upstream = await startVirtual();
    const url = await defective(upstream.url, (path, status, body) => {
      if (!path.startsWith(`${CREATE}/`)) return { status, body };
      const { status: _dropped, ...data } = body.data as Record<string, unknown>;
      return { status, body: { ...body, data } };
    });
    const proxy = await start({ proxy: url });
    const id = (await call(proxy.url, "POST", CREATE, { key: KEY, body: seedBody })).body.data
      .task_id;
    await fetch(`${proxy.url}${CREATE}/${id}`, { headers: { authorization: `Bearer ${KEY}` } });
    const found = await violations(proxy.url);
    expect(found).toHaveLength(1);
    expect(found[0]?.problems).toEqual(["data.status is required"]);
  });

  it("catches an undocumented status", async () => {
    const upstream = await startVirtual();
    const url = await defective(upstream.url, (path, status, body) =>
      path.startsWith(`${CREATE}/`) ? { status: 418, body } : { status, body },
    );
    const proxy = await start({ proxy: url });
    const id = (await call(proxy.url, "POST", CREATE, { key: KEY, body: seedBody })).body.data
      .task_id;
    const raw = await fetch(`${proxy.url}${CREATE}/${id}`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(raw.status).toBe(418);
    const found = await violations(proxy.url);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ status: 418 });
    expect(found[0]?.problems).toEqual([
      "status 418 is not documented for this operation (documented: 200,400,401,403,404,429,500,503)",
    ]);
  });

  it("says when the upstream cannot be reached (502), and lists it", async () => {
    const proxy = await start({ proxy: "http://127.0.0.1:9" });
    const r = await fetch(`${proxy.url}${CREATE}/x`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(r.status).toBe(502);
    expect((await violations(proxy.url))[0]).toMatchObject({ status: 0 });
  });
});
