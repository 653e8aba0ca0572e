import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { defineConfig, type Plugin } from "vite";

const require = createRequire(import.meta.url);

// The mock serves the built page at its root, next to the API it calls, so every request is
// same-origin. In `vite dev`, point /kling and /__mock at a running mock instead.
const mock = process.env.KLING_MOCK_URL ?? "http://127.0.0.1:4010";

/**
 * `--mode msw`: the page runs on the mock's MSW handlers in a service worker, with no mock server.
 * The HTML loads `src/msw.ts` (which starts the worker, then the page) instead of `src/main.ts`,
 * and the output gets the worker script from the installed msw package, so it always matches the
 * `msw/browser` bundled next to it, plus the API reference the mock would otherwise serve.
 */
function mswMode(): Plugin {
  const workerScript = () => readFileSync(require.resolve("msw/mockServiceWorker.js"));
  const referenceFile = (): string | undefined => {
    try {
      const file = require.resolve("@kling-multi-image/spec/reference.html");
      return existsSync(file) ? file : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    name: "kling-playground-msw",
    transformIndexHtml: {
      order: "pre",
      handler: (html) => {
        const entry = 'src="/src/main.ts"';
        const reference = 'href="/reference"';
        if (!html.includes(entry) || !html.includes(reference)) {
          throw new Error(`index.html no longer has ${entry} and ${reference}`);
        }
        return html.replace(entry, 'src="/src/msw.ts"').replace(reference, 'href="reference.html"');
      },
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = req.url?.split("?")[0];
        if (path === "/mockServiceWorker.js") {
          res.setHeader("content-type", "text/javascript; charset=utf-8");
          res.end(workerScript());
        } else if (path === "/reference.html" && referenceFile()) {
          res.setHeader("content-type", "text/html; charset=utf-8");
          res.end(readFileSync(referenceFile() as string));
        } else next();
      });
    },
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "mockServiceWorker.js", source: workerScript() });
      const reference = referenceFile();
      if (reference) {
        this.emitFile({
          type: "asset",
          fileName: "reference.html",
          source: readFileSync(reference),
        });
      } else {
        this.warn("@kling-multi-image/spec/reference.html is not built: no API reference page");
      }
    },
  };
}

export default defineConfig(({ mode }) => {
  if (mode === "msw") {
    return {
      // Relative URLs: the static build works from any path of any static host.
      base: "./",
      build: {
        outDir: "dist-msw",
        target: "es2022",
        sourcemap: true,
        // The simulator's validators, compiled from the two specs, and msw itself: ~800 kB
        // (265 kB gzipped), loaded once by a page that is a development tool.
        chunkSizeWarningLimit: 1_000,
      },
      plugins: [mswMode()],
      resolve: { dedupe: ["msw"] },
      server: { host: "127.0.0.1" },
      preview: { host: "127.0.0.1" },
    };
  }
  return {
    build: { outDir: "dist", target: "es2022", sourcemap: true },
    server: {
      host: "127.0.0.1",
      proxy: { "/kling": mock, "/__mock": mock, "/reference": mock },
    },
  };
});
