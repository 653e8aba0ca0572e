/**
 * Serves the playground page (apps/playground, built by Vite) at the mock's root and the API
 * reference (rendered from spec/openapi.yaml by Redocly) at /reference, so `pnpm mock` is one
 * URL for a frontend developer. Files are read once at start into memory: nothing on disk is
 * reachable by a request path, so there is no path traversal to get wrong.
 *
 * Where the files come from: the published package carries the playground in `ui/` (copied there
 * at pack time by scripts/bundle-ui.mjs) and gets the reference from its dependency
 * `@kling-multi-image/spec`; in the repository the playground is read from its sibling
 * apps/playground/dist.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the UI files are; either may be missing, and the mock then says how to build them. */
export interface UiOptions {
  /**
   * The playground's build output (default: the package's own `ui/`, else the sibling
   * apps/playground/dist in this repository).
   */
  playgroundDir?: string | undefined;
  /** The rendered API reference (default: the spec package's dist/reference.html). */
  referenceFile?: string | undefined;
  /**
   * The mock's base URL as clients reach it (`http://127.0.0.1:4010`), shown in the API reference
   * as the local server. Called on each request to /reference (the port is known only once the
   * server listens). When absent or it returns nothing, the request's `Host` is used.
   */
  baseUrl?: (() => string | undefined) | undefined;
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
  ".vtt": "text/vtt; charset=utf-8",
};

/** The local server the spec lists (`servers`), which the rendered reference shows. */
export const REFERENCE_SERVER_PLACEHOLDER = "http://127.0.0.1:4010";

/** The playground copied into this package when it is packed (scripts/bundle-ui.mjs). */
export function bundledPlaygroundDir(): string {
  return fileURLToPath(new URL("../../ui", import.meta.url));
}

/** The playground's build output next to this package in the monorepo. */
export function siblingPlaygroundDir(): string {
  return fileURLToPath(new URL("../../../playground/dist", import.meta.url));
}

/** The package's own copy of the playground when it has one, else the monorepo sibling. */
export function defaultPlaygroundDir(): string {
  const bundled = bundledPlaygroundDir();
  return existsSync(join(bundled, "index.html")) ? bundled : siblingPlaygroundDir();
}

/** The API reference built by the spec package, when it can be found. */
export function defaultReferenceFile(): string | undefined {
  try {
    return fileURLToPath(import.meta.resolve("@kling-multi-image/spec/reference.html"));
  } catch {
    return undefined;
  }
}

// The icon: the playground's accent colour with a play sign. Browsers that read the pages' <link
// rel="icon"> take the SVG; anything asking for /favicon.ico by habit gets the same as an ICO.
const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#b45309"/><path d="M5.5 4v8l6.5-4z" fill="#fff"/></svg>`;
const ICON_LINK = '<link rel="icon" type="image/svg+xml" href="/favicon.svg">';

/** A 16×16, 32-bit ICO of the same icon (BMP inside, bottom-up rows, alpha in the pixels). */
function iconIco(): Buffer {
  const size = 16;
  const pixels = Buffer.alloc(size * size * 4);
  const inTriangle = (x: number, y: number) => x >= 5.5 && Math.abs(y - 8) <= ((12 - x) * 4) / 6.5;
  for (let row = 0; row < size; row++) {
    const y = size - 1 - row + 0.5; // BMP rows run bottom-up
    for (let col = 0; col < size; col++) {
      const x = col + 0.5;
      // Rounded corners (radius 3): outside them the pixel stays transparent.
      const cx = Math.min(Math.max(x, 3), 13);
      const cy = Math.min(Math.max(y, 3), 13);
      if ((x - cx) ** 2 + (y - cy) ** 2 > 9) continue;
      const [b, g, r] = inTriangle(x, y) ? [0xff, 0xff, 0xff] : [0x09, 0x53, 0xb4];
      pixels.set([b, g, r, 0xff], (row * size + col) * 4);
    }
  }
  const mask = Buffer.alloc(size * 4); // 1 bit per pixel, rows padded to 4 bytes: all opaque
  const header = Buffer.alloc(6 + 16 + 40);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size, 6);
  header.writeUInt8(size, 7);
  header.writeUInt16LE(1, 10); // planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(40 + pixels.length + mask.length, 14);
  header.writeUInt32LE(6 + 16, 18); // offset of the bitmap
  header.writeUInt32LE(40, 22); // BITMAPINFOHEADER
  header.writeInt32LE(size, 26);
  header.writeInt32LE(size * 2, 30); // colour and mask stacked
  header.writeUInt16LE(1, 34);
  header.writeUInt16LE(32, 36);
  return Buffer.concat([header, pixels, mask]);
}

/** Adds the icon link to an HTML page that has none, so the browser asks for nothing missing. */
function withIcon(html: string): string {
  if (/<link[^>]+rel=["']?(?:shortcut )?icon/i.test(html)) return html;
  // Before </head>, or after </title> in a page without one (still in the head there).
  const head = html.search(/<\/head>/i);
  const title = html.search(/<\/title>/i);
  const at = head !== -1 ? head : title !== -1 ? title + "</title>".length : -1;
  return at === -1 ? html : `${html.slice(0, at)}${ICON_LINK}${html.slice(at)}`;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function htmlFile(html: string): StaticFile {
  return { body: Buffer.from(withIcon(html)), type: TYPES[".html"] as string, cache: "no-cache" };
}

function load(options: UiOptions): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  // The playground's own icons, if it ever ships some, replace these below.
  const cache = "public, max-age=86400";
  files.set("/favicon.svg", { body: Buffer.from(ICON_SVG), type: TYPES[".svg"] as string, cache });
  files.set("/favicon.ico", { body: iconIco(), type: TYPES[".ico"] as string, cache });
  let page: Map<string, StaticFile>;
  try {
    page = loadPlayground(options.playgroundDir ?? defaultPlaygroundDir());
  } catch (error) {
    // The package's own copy can vanish while it is read (bundle-ui --clean after a pack in the
    // repository): the sibling build is the same page. A directory given explicitly is not
    // second-guessed.
    if (options.playgroundDir !== undefined) throw error;
    page = loadPlayground(siblingPlaygroundDir());
  }
  for (const [url, file] of page) files.set(url, file);
  return files;
}

function loadPlayground(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(join(dir, "index.html"))) return files;
  for (const path of walk(dir)) {
    const url = `/${relative(dir, path).split(sep).join("/")}`;
    const type = TYPES[extname(path)] ?? "application/octet-stream";
    if (type === TYPES[".html"]) {
      files.set(url, htmlFile(readFileSync(path, "utf8")));
      continue;
    }
    // Vite fingerprints everything under assets/, so those can be cached for good.
    const cache = url.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
    files.set(url, { body: readFileSync(path), type, cache });
  }
  const index = files.get("/index.html");
  if (index) files.set("/", index);
  return files;
}

/** A base URL safe to write into HTML and into the page's inline JSON, else undefined. */
function safeBaseUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const trimmed = value.replace(/\/+$/, "");
  return /^https?:\/\/[A-Za-z0-9.\-:[\]]+(?:\/[A-Za-z0-9._~/-]*)?$/.test(trimmed)
    ? trimmed
    : undefined;
}

/** Serves the reference with the mock's own URL in place of the spec's default local server. */
function referencePage(file: string) {
  const html = withIcon(readFileSync(file, "utf8"));
  const original = Buffer.from(html);
  const byBase = new Map<string, Buffer>();
  return (base: string | undefined): Buffer => {
    if (base === undefined || base === REFERENCE_SERVER_PLACEHOLDER) return original;
    let body = byBase.get(base);
    if (!body) {
      body = Buffer.from(html.split(REFERENCE_SERVER_PLACEHOLDER).join(base));
      // Host headers vary at most by a few names for one server; never let them grow memory.
      if (byBase.size >= 16) byBase.clear();
      byBase.set(base, body);
    }
    return body;
  };
}

const MISSING = htmlFile(`<!doctype html><meta charset="utf-8"><title>Kling mock</title>
<h1>Kling mock</h1><p>The API is served here, but the playground page is not built.
Run <code>corepack pnpm mock</code> from the repository root (it builds it), or
<code>corepack pnpm --filter @kling-multi-image/playground build</code>.</p>`);

/**
 * Returns a handler that answers GET/HEAD for the UI's paths and returns false for anything else,
 * so the caller falls through to the API and its 404s.
 */
export function createUiHandler(options: UiOptions = {}) {
  const files = load(options);
  const referenceFile = options.referenceFile ?? defaultReferenceFile();
  const reference =
    referenceFile && existsSync(referenceFile) ? referencePage(referenceFile) : undefined;

  function send(req: IncomingMessage, res: ServerResponse, file: StaticFile): true {
    res.writeHead(200, {
      "content-type": file.type,
      "content-length": file.body.length,
      "cache-control": file.cache,
      "x-content-type-options": "nosniff",
    });
    res.end(req.method === "HEAD" ? undefined : file.body);
    return true;
  }

  return function handleUi(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path === "/reference" && reference) {
      const base =
        safeBaseUrl(options.baseUrl?.()) ??
        safeBaseUrl(req.headers.host ? `http://${req.headers.host}` : undefined);
      return send(req, res, {
        body: reference(base),
        type: TYPES[".html"] as string,
        cache: "no-cache",
      });
    }
    const file = files.get(path);
    if (file) return send(req, res, file);
    if (path !== "/" && path !== "/index.html") return false;
    return send(req, res, MISSING);
  };
}

/** Whether the playground page was found (for the start banner). */
export function playgroundBuilt(options: UiOptions = {}): boolean {
  return existsSync(join(options.playgroundDir ?? defaultPlaygroundDir(), "index.html"));
}
