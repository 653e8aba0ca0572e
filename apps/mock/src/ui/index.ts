/**
 * Serves the playground page (apps/playground, built by Vite) at the mock's root and the API
 * reference (rendered from spec/openapi.yaml by Redocly) at /reference, so `pnpm mock` is one
 * URL for a frontend developer. Files are read once at start into memory: nothing on disk is
 * reachable by a request path, so there is no path traversal to get wrong.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the UI files are; either may be missing, and the mock then says how to build them. */
export interface UiOptions {
  /** The playground's build output (default: the sibling apps/playground/dist in this repo). */
  playgroundDir?: string | undefined;
  /** The rendered API reference (default: the spec package's dist/reference.html). */
  referenceFile?: string | undefined;
}

interface StaticFile {
  body: Buffer;
  type: string;
  cache: string;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

/** The playground's build output next to this package in the monorepo. */
export function defaultPlaygroundDir(): string {
  return fileURLToPath(new URL("../../../playground/dist", import.meta.url));
}

/** The API reference built by the spec package, when it can be found. */
export function defaultReferenceFile(): string | undefined {
  try {
    return fileURLToPath(
      new URL("./reference.html", import.meta.resolve("@kling-multi-image/spec")),
    );
  } catch {
    return undefined;
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function load(options: UiOptions): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const dir = options.playgroundDir ?? defaultPlaygroundDir();
  if (existsSync(join(dir, "index.html"))) {
    for (const path of walk(dir)) {
      const url = `/${relative(dir, path).split(sep).join("/")}`;
      // Vite fingerprints everything under assets/, so those can be cached for good.
      const cache = url.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
      files.set(url, {
        body: readFileSync(path),
        type: TYPES[extname(path)] ?? "application/octet-stream",
        cache,
      });
    }
    const index = files.get("/index.html");
    if (index) files.set("/", index);
  }
  const reference = options.referenceFile ?? defaultReferenceFile();
  if (reference && existsSync(reference)) {
    files.set("/reference", {
      body: readFileSync(reference),
      type: TYPES[".html"] as string,
      cache: "no-cache",
    });
  }
  return files;
}

const MISSING = `<!doctype html><meta charset="utf-8"><title>Kling mock</title>
<h1>Kling mock</h1><p>The API is served here, but the playground page is not built.
Run <code>corepack pnpm mock</code> from the repository root (it builds it), or
<code>corepack pnpm --filter @kling-multi-image/playground build</code>.</p>`;

/**
 * Returns a handler that answers GET/HEAD for the UI's paths and returns false for anything else,
 * so the caller falls through to the API and its 404s.
 */
export function createUiHandler(options: UiOptions = {}) {
  const files = load(options);
  return function handleUi(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const file = files.get(path);
    if (!file) {
      if (path !== "/" && path !== "/index.html") return false;
      res.writeHead(200, { "content-type": TYPES[".html"] as string, "cache-control": "no-cache" });
      res.end(req.method === "HEAD" ? undefined : MISSING);
      return true;
    }
    res.writeHead(200, {
      "content-type": file.type,
      "content-length": file.body.length,
      "cache-control": file.cache,
      "x-content-type-options": "nosniff",
    });
    res.end(req.method === "HEAD" ? undefined : file.body);
    return true;
  };
}

/** Whether the playground page was found (for the start banner). */
export function playgroundBuilt(options: UiOptions = {}): boolean {
  return existsSync(join(options.playgroundDir ?? defaultPlaygroundDir(), "index.html"));
}
