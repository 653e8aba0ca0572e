// End-to-end: the MSW build of the playground (dist-msw/, `vite build --mode msw`), served by a
// plain static file server, driven in Debian's Chromium. No mock server runs: the mock's MSW
// handlers answer the API, the control API and the videos from a service worker in the tab.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { png, type StaticServer, serveStatic } from "@kling-multi-image/test-support";
import type { Browser, BrowserContext, Page, Response } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { launchChromium } from "./browser.js";

const distMsw = fileURLToPath(new URL("../dist-msw", import.meta.url));
const artifacts = fileURLToPath(new URL("../test-results", import.meta.url));
mkdirSync(artifacts, { recursive: true });

/** What the page fetched from the API, the control API and the videos, and who answered. */
interface Answer {
  method: string;
  path: string;
  status: number;
  fromServiceWorker: boolean;
}

const isMockPath = (path: string) => path.startsWith("/kling/") || path.startsWith("/__mock");

let browser: Browser;
let server: StaticServer;
let context: BrowserContext;
let page: Page;
let answers: Answer[];

beforeAll(async () => {
  if (!existsSync(`${distMsw}/index.html`)) {
    throw new Error(`${distMsw} is missing: run \`pnpm build\` (or \`pnpm build:msw\`) first`);
  }
  browser = await launchChromium();
  server = await serveStatic(distMsw);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
beforeEach(async () => {
  // A context per test: its own service worker registration, so no test sees another's tasks.
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  answers = [];
  page.on("response", (response: Response) => {
    const url = new URL(response.url());
    if (url.origin !== server.url || !isMockPath(url.pathname)) return;
    answers.push({
      method: response.request().method(),
      path: url.pathname,
      status: response.status(),
      fromServiceWorker: response.fromServiceWorker(),
    });
  });
  server.requests.length = 0;
});
afterEach(async (test) => {
  await page.screenshot({
    path: `${artifacts}/msw-${test.task.name.replace(/\W+/g, "-")}.png`,
    fullPage: true,
  });
  await context.close();
});

/** Waits until the service worker controls the page and the page booted and answered. */
async function ready() {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.waitForFunction(() =>
    /clock|did not start/.test(document.querySelector("#mock-mode")?.textContent ?? ""),
  );
  // The console's first refresh went through the worker: the clock line is filled in.
  await page.waitForFunction(() => document.querySelector("#clock-state")?.textContent !== "");
  await page.waitForSelector('#mock-console[aria-busy="false"]');
}

/** Opens the MSW build, then waits until it is {@link ready}. */
async function open(query = "") {
  await page.goto(`${server.url}/${query}`);
  await ready();
}

async function addImages(count: number) {
  const colours: [number, number, number][] = [
    [200, 40, 40],
    [40, 200, 40],
    [40, 40, 200],
  ];
  await page.setInputFiles(
    "#images",
    colours.slice(0, count).map((colour, i) => ({
      name: `image-${i + 1}.png`,
      mimeType: "image/png",
      buffer: png(320, 320, colour),
    })),
  );
  await page.waitForFunction((n) => document.querySelectorAll("#previews img").length === n, count);
}

/** Moves the simulator's virtual clock with the page's own console. */
async function advanceWithConsole(ms: number) {
  await page.fill("#advance-ms", String(ms));
  await page.click("#advance");
  await page.waitForSelector('#mock-console[aria-busy="false"]');
}

/** No request for the API, the control API or a video reached the static server. */
function expectNoMockRequestOnServer() {
  const leaked = server.requests.filter((r) => isMockPath(r.split(" ")[1] ?? ""));
  expect(leaked).toEqual([]);
}

describe("the playground's MSW build", () => {
  it("ships the service worker script of the installed msw, unchanged", () => {
    const installed = createRequire(import.meta.url).resolve("msw/mockServiceWorker.js");
    expect(readFileSync(`${distMsw}/mockServiceWorker.js`)).toEqual(readFileSync(installed));
    const html = readFileSync(`${distMsw}/index.html`, "utf8");
    expect(html).not.toContain("/src/main.ts");
    expect(html).toMatch(/<script type="module" crossorigin src="\.\/assets\/index-[\w-]+\.js">/);
  });

  it("submits two images, follows the task on a virtual clock and plays the video, all answered by the service worker", async () => {
    await open("?clock=virtual");
    expect(await page.textContent("#mock-mode")).toBe(
      "mock: MSW in this tab (virtual clock, fast timing)",
    );
    expect(await page.textContent("#clock-state")).toMatch(/^Clock: virtual, /);
    expect(context.serviceWorkers().map((w) => new URL(w.url()).pathname)).toEqual([
      "/mockServiceWorker.js",
    ]);

    await addImages(2);
    await page.fill("#prompt", "Two squares dance together");
    await page.click("#submit");
    await page.waitForSelector('#task-status[data-status="submitted"]');
    // Time stands still until the console moves it.
    await page.click("#refresh");
    await page.waitForSelector('#mock-console[aria-busy="false"]');
    expect(await page.locator("#tasks tr td").nth(1).textContent()).toMatch(/^submitted/);
    await advanceWithConsole(1_500); // fast timing: processing at 1 s, done at 3.5 s
    await page.waitForSelector('#task-status[data-status="processing"]');
    await advanceWithConsole(60_000);
    await page.waitForSelector('#task-status[data-status="succeed"]');
    expect(await page.locator("#task-states li").allTextContents()).toEqual([
      "Submitted",
      "Processing",
      "Succeeded",
    ]);
    expect(await page.textContent("#console-error")).toBe("");

    // The video, served by the handlers from the worker, decodes and plays.
    const src = await page.getAttribute("#video", "src");
    expect(src).toMatch(new RegExp(`^${server.url}/__mock/videos/[^/]+\\.mp4$`));
    await page.waitForFunction(() => {
      const video = document.querySelector<HTMLVideoElement>("#video");
      return video !== null && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA;
    });
    await page.evaluate(async () => {
      const video = document.querySelector("#video") as HTMLVideoElement;
      video.muted = true;
      await video.play();
    });
    await page.waitForFunction(
      () => (document.querySelector("#video") as HTMLVideoElement).currentTime > 0.5,
    );
    const video = await page.evaluate(() => {
      const v = document.querySelector("#video") as HTMLVideoElement;
      return { width: v.videoWidth, height: v.videoHeight, duration: v.duration, error: v.error };
    });
    expect(video.width).toBeGreaterThan(0);
    expect(video.width / video.height).toBeCloseTo(16 / 9, 2);
    expect(video).toMatchObject({ duration: 5, error: null });

    // Every answer came from the service worker, and none of the requests reached the server.
    const calls = answers.map((a) => `${a.method} ${a.path.replace(/[^/]+\.mp4$/, "<id>.mp4")}`);
    expect(calls).toContain("POST /kling/v1/videos/multi-image2video");
    expect(calls.some((c) => /^GET \/kling\/v1\/videos\/multi-image2video\/.+/.test(c))).toBe(true);
    expect(calls).toContain("POST /__mock/clock/advance");
    expect(calls).toContain("GET /__mock/videos/<id>.mp4");
    expect(answers.filter((a) => !a.fromServiceWorker)).toEqual([]);
    // Chromium's media requests reach the handlers without their Range header (a no-cors
    // request keeps no privileged header when MSW rebuilds it), so they get the whole file; a
    // fetch from the page shows the handlers answer a Range with 206 just like the server.
    const range = await page.evaluate(async (url) => {
      const response = await fetch(url, { headers: { Range: "bytes=0-99" } });
      return {
        status: response.status,
        contentRange: response.headers.get("content-range"),
        bytes: (await response.arrayBuffer()).byteLength,
      };
    }, src as string);
    expect(range).toMatchObject({ status: 206, bytes: 100 });
    expect(range.contentRange).toMatch(/^bytes 0-99\/\d+$/);
    expect(
      answers.filter((a) => a.path.startsWith("/__mock/videos/")).map((a) => a.status),
    ).toContain(206);
    expectNoMockRequestOnServer();
    // The static server did serve the page and the worker script.
    expect(server.requests).toContain("GET /mockServiceWorker.js");
    expect(server.requests[0]).toBe("GET /");
  });

  it("runs tasks on their own by default, keeps console errors visible and survives a reload", async () => {
    await open();
    expect(await page.textContent("#mock-mode")).toBe(
      "mock: MSW in this tab (system clock, fast timing)",
    );
    // The system clock cannot be advanced, and the console says so, after its refresh.
    await advanceWithConsole(1_000);
    expect(await page.textContent("#console-error")).toMatch(
      /^Could not advance the clock: .*system clock/,
    );

    await addImages(1);
    await page.click("#submit");
    await page.waitForSelector('#task-status[data-status="submitted"]');
    expect(await page.textContent("#console-error")).toBe("");
    await page.waitForSelector('#task-status[data-status="succeed"]', { timeout: 20_000 });
    const states = await page.locator("#task-states li").allTextContents();
    expect(states[0]).toBe("Submitted");
    expect(states.at(-1)).toBe("Succeeded");

    // A refused submit clears the task.
    await page.selectOption("#scenario", "content-policy");
    await page.click("#submit");
    await page.waitForFunction(() => document.querySelector("#form-error")?.textContent !== "");
    expect(await page.textContent("#form-error")).toMatch(/HTTP 400, task_failed/);
    expect(await page.isHidden("#task-facts")).toBe(true);

    // A reload starts the worker again; the simulator starts empty, as a restarted mock would.
    await page.reload();
    await ready();
    expect(await page.locator("#tasks tr").count()).toBe(0);
    expect(answers.filter((a) => !a.fromServiceWorker)).toEqual([]);
    expectNoMockRequestOnServer();
  });

  it("links to the API reference shipped in the build", async () => {
    await open();
    await page.click("#reference-link");
    await page.waitForLoadState("domcontentloaded");
    expect(await page.title()).toMatch(/Kling multi-image-to-video/);
    expect(await page.content()).toContain("createMultiImageVideoTask");
  });
});
