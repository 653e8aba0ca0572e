/**
 * HTTP `Range` header handling (RFC 9110 §14) for serving in-memory bodies.
 * Browsers' media stacks request `bytes=0-` first and then `bytes=N-` when
 * seeking; a server that answers 200 with the whole body still works in
 * Chromium, but 206 support is what makes large media seekable without
 * re-downloading, and what Safari requires.
 */

/** Inclusive byte range, as in `Content-Range: bytes start-end/size`. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * - `full`: no (usable) Range header → `200` with the whole body. Also returned
 *   for syntactically invalid headers, other units and multi-range requests:
 *   RFC 9110 lets a server ignore Range, which avoids multipart/byteranges.
 * - `partial`: `206` with `Content-Range: bytes start-end/size`.
 * - `unsatisfiable`: `416` with `Content-Range: bytes *\/size`.
 */
export type RangeResult =
  | { readonly kind: "full" }
  | ({ readonly kind: "partial" } & ByteRange)
  | { readonly kind: "unsatisfiable" };

const FULL: RangeResult = { kind: "full" };
const UNSATISFIABLE: RangeResult = { kind: "unsatisfiable" };

/**
 * Interprets a `Range` request header against a body of `size` bytes.
 * @param header the raw header value, or undefined/null when absent.
 * @param size total body length in bytes.
 */
export function parseRange(header: string | undefined | null, size: number): RangeResult {
  if (header == null) return FULL;
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!m) return FULL; // other units or garbage: ignore the header
  const specs = m[1]!
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (specs.length !== 1) return FULL; // multiple ranges: serve the whole body (200)
  const spec = /^(\d*)\s*-\s*(\d*)$/.exec(specs[0]!);
  if (!spec) return FULL;
  const [, first = "", last = ""] = spec;
  if (first === "" && last === "") return FULL; // "bytes=-" is not a valid range-spec

  if (first === "") {
    // Suffix range "-N": the last N bytes; N = 0 can never be satisfied.
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return UNSATISFIABLE;
    return { kind: "partial", start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== "" && Number(last) < start) return FULL; // invalid range-spec → ignore header
  if (start >= size) return UNSATISFIABLE;
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: "partial", start, end };
}

/** The subset of node:http's ServerResponse that {@link sendBytes} uses. */
export interface MinimalResponse {
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  end(body?: Uint8Array): unknown;
}

/**
 * Sends an in-memory body with Range support: 206 + Content-Range for a
 * satisfiable single range, 416 + `Content-Range: bytes *\/size` when
 * unsatisfiable, otherwise 200 with the whole body. Always advertises
 * `Accept-Ranges: bytes` so media elements know they may seek by range.
 * @returns the status code sent.
 */
export function sendBytes(
  req: {
    readonly method?: string | undefined;
    readonly headers: { readonly range?: string | undefined };
  },
  res: MinimalResponse,
  body: Uint8Array,
  contentType: string,
): number {
  const size = body.length;
  const headers = { "content-type": contentType, "accept-ranges": "bytes" };
  const head = req.method === "HEAD";
  const r = parseRange(req.headers.range, size);
  if (r.kind === "unsatisfiable") {
    res.writeHead(416, { ...headers, "content-range": `bytes */${size}` });
    res.end();
    return 416;
  }
  if (r.kind === "partial") {
    res.writeHead(206, {
      ...headers,
      "content-range": `bytes ${r.start}-${r.end}/${size}`,
      "content-length": r.end - r.start + 1,
    });
    res.end(head ? undefined : body.subarray(r.start, r.end + 1));
    return 206;
  }
  res.writeHead(200, { ...headers, "content-length": size });
  res.end(head ? undefined : body);
  return 200;
}
