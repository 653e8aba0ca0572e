// The README's quick start, run as written in a child process through the built package,
// against the real mock server (a child process cannot be answered by MSW handlers).
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import { createMockServer, type MockServer } from "@kling-multi-image/mock";
import { afterEach, describe, expect, it } from "vitest";

const open: MockServer[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.close();
});

async function mock(): Promise<MockServer> {
  const server = await createMockServer({
    log: false,
    timing: { name: "test", schedule: () => ({ refreshAt: 5, processingAt: 30, finishAt: 120 }) },
  });
  open.push(server);
  return server;
}

describe("the README", () => {
  it("runs the README's quick start as written, against the mock, through the built package", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const script = /```js\n(\/\/ quick-start\.mjs\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(script).toBeDefined();
    // Inside the package, so that its imports resolve to the package's own exports (dist).
    const dir = new URL("../test-results/", import.meta.url);
    await mkdir(dir, { recursive: true });
    const file = new URL("quick-start.mjs", dir);
    await writeFile(file, script ?? "");
    const server = await mock();
    const { stdout } = await promisify(execFile)(process.execPath, [file.pathname], {
      env: { ...process.env, KLING_BASE_URL: server.url, EZMODEL_API_KEY: "readme-key" },
      timeout: 30_000,
    });
    const url = /^video: (\S+)$/m.exec(stdout)?.[1] ?? "";
    expect(url.startsWith(`${server.url}/`)).toBe(true);
    expect(stdout).toMatch(/^succeed 100%$/m);
    const video = await fetch(url, { headers: { range: "bytes=0-99" } });
    expect(video.headers.get("content-type")).toBe("video/mp4");
  });
});
