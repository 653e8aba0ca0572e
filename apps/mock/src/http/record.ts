/**
 * `--record <dir>` in proxy mode: each exchange with the upstream is written as one JSON file
 * (the key redacted), named so the files sort in order, ready to become a named example.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RecordedExchange } from "../core/pipeline/forward.js";

/** A sink that writes exchanges into `dir` (created if missing). */
export function recordTo(dir: string): (exchange: RecordedExchange) => void {
  mkdirSync(dir, { recursive: true });
  let seq = 0;
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return (exchange) => {
    seq++;
    const what = exchange.request.path.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "");
    const name = `${stamp}-${String(seq).padStart(5, "0")}-${exchange.request.method}-${what}-${exchange.response.status}.json`;
    writeFileSync(join(dir, name), `${JSON.stringify(exchange, null, 2)}\n`, { mode: 0o600 });
  };
}
