/**
 * The entry of the MSW build (`vite build --mode msw`): the mock's simulator runs in this tab as
 * Mock Service Worker handlers, so the page needs no mock server, only static files. It starts the
 * worker, waits until the worker controls the page, and only then boots the normal page, whose
 * calls to `/kling/*`, `/__mock/*` and the videos the worker answers.
 *
 * `?clock=virtual` puts the simulator on a virtual clock that only the console's Advance button
 * moves (as `kling-mock --clock virtual`); `?timing=realistic` uses minutes instead of seconds.
 */
import { createKlingHandlers } from "@kling-multi-image/mock/msw";
import { setupWorker } from "msw/browser";
import { byId, el } from "./dom.js";

const params = new URLSearchParams(location.search);
const clock = params.get("clock") === "virtual" ? "virtual" : "system";
const timing = params.get("timing") === "realistic" ? "realistic" : "fast";

const badge = el("p", "mock: MSW in this tab", {
  class: "tag mode",
  id: "mock-mode",
  role: "status",
  title:
    "The API, the mock's control API and the videos are answered by Mock Service Worker in " +
    "this tab: no mock server. Tasks live in this tab and are gone on reload.",
  "data-clock": clock,
  "data-timing": timing,
});
byId("reference-link").closest("nav")?.before(badge);

/** Resolves once a service worker controls this page, or rejects after `ms`. */
function controlled(ms: number): Promise<void> {
  if (navigator.serviceWorker.controller) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("the service worker does not control this page")),
      ms,
    );
    navigator.serviceWorker.addEventListener(
      "controllerchange",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Starts the worker; answers false when MSW fell back to patching `fetch` (no service worker). */
async function startWorker(): Promise<boolean> {
  // The base URL is the page's own origin: the page's files (scripts loaded later, the captions
  // track) go through to the static server, only the API and /__mock are the handlers'.
  const kling = createKlingHandlers({
    baseUrl: location.origin,
    unknownPaths: "bypass",
    clock,
    timing,
  });
  const worker = setupWorker(...kling.handlers);
  await worker.start({
    onUnhandledRequest: "bypass",
    serviceWorker: { url: "./mockServiceWorker.js" },
  });
  // Without service workers (an insecure origin), MSW patches `fetch` in the page instead: the
  // API works, but the <video> element's requests cannot be answered.
  if (!("serviceWorker" in navigator)) return false;
  // A hard reload (Shift+Reload) bypasses service workers for the whole page: say so rather
  // than send the API calls to the static server.
  await controlled(5_000);
  return true;
}

/** Shows why the page cannot run: without the worker its calls would go to the static host. */
function showFailure(error: unknown): void {
  badge.textContent = "mock: MSW did not start";
  badge.classList.add("failed");
  const reason = error instanceof Error ? error.message : String(error);
  byId("form-error").textContent =
    `Mock Service Worker did not start (${reason}). Reload the page normally; the page needs ` +
    "a browser with service workers, served over http://localhost, 127.0.0.1 or https.";
  byId<HTMLButtonElement>("submit").disabled = true;
}

const started = await startWorker().catch((error: unknown) => {
  showFailure(error);
  return undefined;
});
if (started !== undefined) {
  badge.textContent = started
    ? `mock: MSW in this tab (${clock} clock, ${timing} timing)`
    : "mock: MSW in this tab (no service worker: videos will not load)";
  await import("./main.js");
}
