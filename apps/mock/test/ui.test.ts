import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CREATE, call, seedBody, startVirtual } from "./support/harness.js";

describe("the playground and reference pages (ui option)", () => {
  it("serves them at / and /reference next to the API, which is unchanged", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kling-ui-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>playground</title>");
    writeFileSync(join(dir, "assets", "app-1.js"), "console.log(1)");
    writeFileSync(join(dir, "reference.html"), "<!doctype html><title>reference</title>");
    const mock = await startVirtual({
      ui: { playgroundDir: dir, referenceFile: join(dir, "reference.html") },
    });
    const page = await fetch(`${mock.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("playground");
    expect(await (await fetch(`${mock.url}/reference`)).text()).toContain("reference");
    const js = await fetch(`${mock.url}/assets/app-1.js`);
    expect(js.headers.get("cache-control")).toContain("immutable");
    expect((await call(mock.url, "POST", CREATE, { body: seedBody })).status).toBe(200);
    expect((await call(mock.url, "GET", "/nope")).status).toBe(404);
    expect((await call(mock.url, "GET", "/../../etc/passwd")).status).toBe(404);
  });

  it("shows the mock's own URL in the reference, not the spec's 4010, and serves a favicon", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kling-ui-"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>playground</title>");
    writeFileSync(
      join(dir, "reference.html"),
      "<!doctype html><title>reference</title><p>server: http://127.0.0.1:4010</p>",
    );
    const mock = await startVirtual({
      ui: { playgroundDir: dir, referenceFile: join(dir, "reference.html") },
    });
    const reference = await (await fetch(`${mock.url}/reference`)).text();
    expect(reference).toContain(`server: ${mock.url}`);
    // A free port such as 40101 starts with 4010, so the match stops at a digit.
    expect(reference).not.toMatch(/127\.0\.0\.1:4010(?!\d)/);
    expect((await fetch(`${mock.url}/favicon.ico`)).status).toBe(200);
  });

  it("is off by default: / is the gateway's 404", async () => {
    const mock = await startVirtual();
    expect((await call(mock.url, "GET", "/")).status).toBe(404);
  });
});
