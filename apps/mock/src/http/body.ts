/** Reads a request body with a size limit, never buffering more than the limit. */
import type { IncomingMessage } from "node:http";
import type { BodyResult } from "../core/request.js";

export type { BodyResult } from "../core/request.js";

/**
 * Collects the body. Past `limit` bytes it stops keeping data but keeps draining (up to four
 * times the limit) so the client is still reading when the 413 arrives; beyond that it gives up.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers["content-length"] ?? Number.NaN);
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (r: BodyResult) => {
      if (done) return;
      done = true;
      resolve(r);
    };
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      else if (size > limit * 4) {
        req.pause();
        finish({ kind: "too_large" });
      }
    });
    req.on("end", () => {
      finish(
        tooLarge
          ? { kind: "too_large" }
          : { kind: "ok", text: Buffer.concat(chunks).toString("utf8") },
      );
    });
    req.on("error", () => finish({ kind: "aborted" }));
    req.on("close", () => finish(tooLarge ? { kind: "too_large" } : { kind: "aborted" }));
  });
}

/** Discards a body we will not read (unknown routes), so keep-alive connections stay usable. */
export function drain(req: IncomingMessage): void {
  req.resume();
}
