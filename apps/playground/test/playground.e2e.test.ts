// End-to-end: the built playground page, served by a real mock server, driven in Debian's
// Chromium. The mock runs on a virtual clock so the test decides when tasks progress.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createMockServer, type VirtualMockServer } from "@kling-multi-image/mock";
import { png, type Rgb } from "@kling-multi-image/test-support";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { launchChromium } from "./browser.js";

const playgroundDir = fileURLToPath(new URL("../dist", import.meta.url));
const artifacts = fileURLToPath(new URL("../test-results", import.meta.url));
mkdirSync(artifacts, { recursive: true });

let browser: Browser;
let mock: VirtualMockServer;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  mock = await createMockServer({ clock: "virtual", log: false, ui: { playgroundDir } });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(mock.url);
});
afterEach(async (context) => {
  await page.screenshot({
    path: `${artifacts}/${context.task.name.replace(/\W+/g, "-")}.png`,
    fullPage: true,
  });
  await page.close();
  await mock.close();
});

const pngFile = (name: string, colour: Rgb) => ({
  name,
  mimeType: "image/png",
  buffer: png(320, 320, colour),
});

async function addImages(count: number) {
  const colours: [number, number, number][] = [
    [200, 40, 40],
    [40, 200, 40],
    [40, 40, 200],
    [200, 200, 40],
    [40, 200, 200],
    [200, 40, 200],
  ];
  await page.setInputFiles(
    "#images",
    colours.slice(0, count).map((c, i) => pngFile(`image-${i + 1}.png`, c)),
  );
}

/** Waits until `selector` matches exactly `count` elements (fails on the test timeout). */
async function expectCount(selector: string, count: number) {
  await page.waitForFunction(([s, n]) => document.querySelectorAll(s as string).length === n, [
    selector,
    count,
  ] as const);
  expect(await page.locator(selector).count()).toBe(count);
}

/** Moves the mock's clock with the page's own console, as a user would. */
async function advanceWithConsole(ms: number) {
  await page.fill("#advance-ms", String(ms));
  await page.click("#advance");
}

/** Waits until the console has finished its current action and the refresh after it. */
async function consoleIdle() {
  await page.waitForSelector('#mock-console[aria-busy="false"]');
}

async function taskCount(): Promise<number> {
  const response = await fetch(`${mock.url}/__mock/tasks`);
  return ((await response.json()) as { tasks: unknown[] }).tasks.length;
}

describe("the playground page", () => {
  it("submits two images, follows the task through its states and plays the video", async () => {
    await addImages(2);
    await expectCount("#previews img", 2);
    await page.click("#submit");
    await page.waitForSelector('#task-status[data-status="submitted"]');
    await advanceWithConsole(3_000);
    await page.waitForSelector('#task-status[data-status="processing"]');
    await advanceWithConsole(60_000);
    await page.waitForSelector('#task-status[data-status="succeed"]');
    expect(await page.locator("#task-states li").allTextContents()).toEqual([
      "Submitted",
      "Processing",
      "Succeeded",
    ]);
    await page.waitForFunction(() => {
      const video = document.querySelector<HTMLVideoElement>("#video");
      return video !== null && video.readyState >= HTMLMediaElement.HAVE_METADATA;
    });
    const video = await page.evaluate(() => {
      const v = document.querySelector("video") as HTMLVideoElement;
      return {
        width: v.videoWidth,
        height: v.videoHeight,
        duration: v.duration,
        error: v.error?.code ?? null,
      };
    });
    // The mock's fixture for 16:9, 5 s (its resolution is the mock's business, the shape is ours).
    expect(video).toMatchObject({ duration: 5, error: null });
    expect(video.width).toBeGreaterThan(0);
    expect(video.width / video.height).toBeCloseTo(16 / 9, 2);
    expect(await page.getAttribute("#download", "href")).toMatch(/\.mp4$/);
    // The console lists the task as finished, and its force buttons are disabled.
    await page.click("#refresh");
    await expectCount("#tasks tr", 1);
    expect(await page.locator("#tasks tr td").nth(1).textContent()).toContain("succeed");
  });

  it("shows the reason of a task forced to fail from the console", async () => {
    await addImages(1);
    await page.click("#submit");
    await page.waitForSelector('#task-status[data-status="submitted"]');
    await page.click("#refresh");
    await page.locator("#tasks button", { hasText: "failed" }).click();
    await page.waitForSelector('#task-status[data-status="failed"]');
    expect(await page.textContent("#task-error")).toBe(
      "The task failed: Forced from the playground",
    );
    expect(await page.isHidden("#task-video")).toBe(true);
  });

  it("shows a failure chosen with the scenario for the next submit", async () => {
    await page.selectOption("#scenario", "fail");
    await addImages(1);
    await page.click("#submit");
    await page.waitForSelector('#task-status[data-status="submitted"]');
    await advanceWithConsole(120_000);
    await page.waitForSelector('#task-status[data-status="failed"]');
    expect(await page.textContent("#task-error")).toMatch(/^The task failed: .+/);
  });

  it("keeps an error of the Advance button visible after the console refreshes", async () => {
    // The control API refuses a negative advance (400); the console then refreshes itself.
    await advanceWithConsole(-1_000);
    await consoleIdle();
    expect(await page.textContent("#console-error")).toMatch(/^Could not advance the clock: .+/);
    // The clock line was refreshed after the error, and the error is still there.
    expect(await page.textContent("#clock-state")).toMatch(/^Clock: virtual/);
    // The next action clears it.
    await advanceWithConsole(1_000);
    await consoleIdle();
    expect(await page.textContent("#console-error")).toBe("");
  });

  it("keeps an error of a Force button visible after the console refreshes", async () => {
    await addImages(1);
    await page.click("#submit");
    await page.waitForSelector('#task-status[data-status="submitted"]');
    // The page's own watcher must not see the task finish: it would refresh the console, which
    // disables the Force buttons of a finished task before the click. Its queries are held.
    await page.route(/\/kling\/v1\/videos\/multi-image2video\/[^/?]+/, () => {});
    await page.click("#refresh");
    await consoleIdle();
    await expectCount("#tasks tr", 1);
    // The task finishes behind the console's back, so its row still offers the Force buttons.
    await mock.clock.advance(60_000);
    await page.locator("#tasks button", { hasText: "failed" }).click();
    await consoleIdle();
    expect(await page.textContent("#console-error")).toMatch(
      /^Could not force \S+: task \S+ has already finished$/,
    );
    // The refresh after the error shows the task finished, with the error still visible.
    expect(await page.locator("#tasks tr td").nth(1).textContent()).toContain("succeed");
  });

  it("clears the previous task when the next submit is refused", async () => {
    await addImages(1);
    await page.click("#submit");
    await page.waitForSelector('#task-status[data-status="submitted"]');
    await advanceWithConsole(60_000);
    await page.waitForSelector('#task-status[data-status="succeed"]');
    await page.waitForSelector("#task-video:not([hidden])");

    await page.selectOption("#scenario", "content-policy");
    await page.click("#submit");
    await page.waitForFunction(() => document.querySelector("#form-error")?.textContent !== "");
    expect(await page.textContent("#form-error")).toMatch(/HTTP 400, task_failed/);
    // Nothing of the previous task is left to be mistaken for the refused one.
    expect(await page.isHidden("#task-facts")).toBe(true);
    expect(await page.isHidden("#task-progress")).toBe(true);
    expect(await page.isHidden("#task-video")).toBe(true);
    expect(await page.locator("#task-states li").count()).toBe(0);
    expect(await page.textContent("#task-id")).toBe("");
    expect(await page.getAttribute("#video", "src")).toBeNull();
    expect(await page.textContent("#task-empty")).toMatch(/refused/);
    expect(await page.isVisible("#task-empty")).toBe(true);
  });

  it("refuses a sixth image in the page, keeping four", async () => {
    await addImages(6);
    await expectCount("#previews img", 4);
    expect(await page.textContent("#images-error")).toContain("At most 4 images");
  });

  it("refuses a too-long prompt beside the field, sending nothing", async () => {
    await addImages(1);
    await page.fill("#prompt", "x".repeat(2501));
    expect(await page.textContent("#prompt-count")).toBe("2501 / 2500");
    await page.click("#submit");
    expect(await page.textContent("#prompt-error")).toBe(
      "The prompt is 2501 characters; the limit is 2500.",
    );
    expect(await page.getAttribute("#prompt", "aria-invalid")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("prompt");
    expect(await taskCount()).toBe(0);
  });

  it("refuses a file that is not a JPG or PNG before sending", async () => {
    await page.setInputFiles("#images", [
      { name: "notes.png", mimeType: "image/png", buffer: Buffer.from("not an image") },
    ]);
    await expectCount("#previews img", 0);
    expect(await page.textContent("#images-error")).toMatch(/notes\.png: .+/);
    await page.click("#submit");
    expect(await page.textContent("#images-error")).toBe("Add at least one image.");
    expect(await taskCount()).toBe(0);
  });

  it("shows an API error with its code and message", async () => {
    await page.selectOption("#scenario", "content-policy");
    await addImages(1);
    await page.click("#submit");
    await page.waitForFunction(() => document.querySelector("#form-error")?.textContent !== "");
    expect(await page.textContent("#form-error")).toMatch(/HTTP 400, task_failed/);
  });

  it("labels every control and keeps keyboard focus order with the form first", async () => {
    const unlabeled = await page.evaluate(() =>
      [...document.querySelectorAll("input, select, textarea")]
        .filter((c) => !(c as HTMLInputElement).labels?.length && !c.getAttribute("aria-label"))
        .map((c) => c.id),
    );
    expect(unlabeled).toEqual([]);
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press("Tab");
      order.push(
        await page.evaluate(
          () => document.activeElement?.id || document.activeElement?.tagName || "",
        ),
      );
    }
    expect(order).toEqual(["A", "reference-link", "api-key", "images", "prompt"]);
  });

  it("fits a narrow screen without sideways scrolling", async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    // Before any submit the task panel only says so: its facts and progress stay hidden.
    expect(await page.isVisible("#task-empty")).toBe(true);
    expect(await page.isHidden("#task-facts")).toBe(true);
    expect(await page.isHidden("#task-progress")).toBe(true);
  });

  it("links to the API reference rendered from the spec", async () => {
    await page.click("#reference-link");
    await page.waitForLoadState("domcontentloaded");
    expect(await page.title()).toMatch(/Kling multi-image-to-video/);
    expect(await page.content()).toContain("createMultiImageVideoTask");
  });
});
