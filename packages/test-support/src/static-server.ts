/** A static file server for tests: serves a build the way any static host would. */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { type Listening, listen } from "./http-server.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".vtt": "text/vtt; charset=utf-8",
};

/** A static file server on 127.0.0.1, and what it got. */
export interface StaticServer extends Listening {
  /** Every request it received, as `METHOD /path`, in order. */
  readonly requests: string[];
}

/**
 * Serves the files under `root` on an ephemeral port: GET and HEAD only (405 otherwise), `/` and
 * any path ending in `/` is its `index.html`, nothing outside `root`, `cache-control: no-store`.
 */
export async function serveStatic(root: string): Promise<StaticServer> {
  const base = resolve(root);
  const requests: string[] = [];
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? "/", "http://static.invalid");
    requests.push(`${req.method} ${pathname}`);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    const file = resolve(
      join(base, decodeURIComponent(pathname.endsWith("/") ? `${pathname}index.html` : pathname)),
    );
    if (!file.startsWith(base + sep)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "content-length": body.length,
        "cache-control": "no-store",
      });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  return { ...(await listen(server)), requests };
}
