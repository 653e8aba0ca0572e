/**
 * Reads request bodies with two bounds: one body's size (`limit`, a 413), and the bytes held by
 * all bodies being read and answered at once (an {@link UploadBudget}, a 429), so concurrent
 * large uploads cannot grow the process without bound.
 */
import type { IncomingMessage } from "node:http";
import type { BodyResult } from "../core/request.js";

export type { BodyResult } from "../core/request.js";

/** Bytes that request bodies may hold at once, across requests. */
export class UploadBudget {
  #used = 0;
  constructor(readonly capacity: number) {}
  /** Bytes held now. */
  get used(): number {
    return this.#used;
  }
  /** Takes `n` bytes if they fit. */
  take(n: number): boolean {
    if (this.#used + n > this.capacity) return false;
    this.#used += n;
    return true;
  }
  /** Gives back `n` bytes. */
  give(n: number): void {
    this.#used = Math.max(0, this.#used - n);
  }
}

/** What one request holds of the budget, given back when its answer is done. */
export interface Holding {
  bytes: number;
}

/**
 * Collects the body. Past `limit` bytes it stops keeping data but keeps draining (up to four
 * times the limit) so the client is still reading when the 413 arrives; beyond that it gives up.
 * Every byte kept is taken from `budget` into `holding` (a declared length up front); when the
 * budget is spent the read stops with `busy`. The caller gives `holding` back once it has answered.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  budget?: UploadBudget,
  holding: Holding = { bytes: 0 },
): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers["content-length"] ?? Number.NaN);
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    // A declared length is reserved before anything is read: the excess is refused at once.
    if (budget && !tooLarge && Number.isFinite(declared) && declared > 0) {
      if (!budget.take(declared)) {
        req.resume();
        resolve({ kind: "busy" });
        return;
      }
      holding.bytes += declared;
    }
    const reserved = holding.bytes;
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (r: BodyResult) => {
      if (done) return;
      done = true;
      resolve(r);
    };
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) {
        // Bytes past what was reserved come out of the budget as they arrive (chunked bodies).
        const extra = Math.min(chunk.length, size - reserved);
        if (budget && extra > 0) {
          if (!budget.take(extra)) {
            req.pause();
            finish({ kind: "busy" });
            return;
          }
          holding.bytes += extra;
        }
        chunks.push(chunk);
      } else if (size > limit * 4) {
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
