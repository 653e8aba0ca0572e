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

/** An HTTP answer as plain data, for any runtime: Node's http, a fetch `Response`, MSW. */
export interface RangeReply<B extends ArrayBufferLike = ArrayBufferLike> {
  /** 200, 206 or 416. */
  readonly status: number;
  /** Lower-case header names; numbers as strings. */
  readonly headers: Record<string, string>;
  /**
   * The bytes to send: a view into the input (not a copy; do not mutate), or undefined for HEAD
   * and for 416. For HEAD, `content-length` still says what a GET would send.
   */
  readonly body: Uint8Array<B> | undefined;
}

/**
 * Answers a request for an in-memory body with Range support, as data (no I/O, no `node:`
 * imports): 206 + `Content-Range: bytes start-end/size` for a satisfiable single range, 416 +
 * `Content-Range: bytes *\/size` (no body) when unsatisfiable, otherwise 200 with the whole body.
 * Always advertises `Accept-Ranges: bytes` so media elements know they may seek by range.
 * A `HEAD` request gets the same status and headers as a `GET` but no body; any other method is
 * answered like `GET`.
 * @param method the request method (`GET`, `HEAD`, ...; compared case-insensitively).
 * @param rangeHeader the raw `Range` header, or undefined/null when absent.
 */
export function rangeReply<B extends ArrayBufferLike = ArrayBufferLike>(
  method: string,
  rangeHeader: string | undefined | null,
  bytes: Uint8Array<B>,
  contentType: string,
): RangeReply<B> {
  const size = bytes.length;
  const headers = { "content-type": contentType, "accept-ranges": "bytes" };
  const head = method.toUpperCase() === "HEAD";
  const r = parseRange(rangeHeader, size);
  if (r.kind === "unsatisfiable") {
    return {
      status: 416,
      headers: { ...headers, "content-range": `bytes */${size}` },
      body: undefined,
    };
  }
  if (r.kind === "partial") {
    return {
      status: 206,
      headers: {
        ...headers,
        "content-range": `bytes ${r.start}-${r.end}/${size}`,
        "content-length": String(r.end - r.start + 1),
      },
      body: head ? undefined : bytes.subarray(r.start, r.end + 1),
    };
  }
  return {
    status: 200,
    headers: { ...headers, "content-length": String(size) },
    body: head ? undefined : bytes,
  };
}

/** The subset of node:http's IncomingMessage that {@link sendBytes} uses. */
export interface MinimalRequest {
  readonly method?: string | undefined;
  readonly headers: { readonly range?: string | undefined };
}

/** The subset of node:http's ServerResponse that {@link sendBytes} uses. */
export interface MinimalResponse {
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  end(body?: Uint8Array): unknown;
}

/** Writes a {@link RangeReply} to a node:http-like response. */
export function writeReply(res: MinimalResponse, reply: RangeReply): number {
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
  return reply.status;
}

/**
 * Sends an in-memory body with Range support to a node:http-like response: the answer of
 * {@link rangeReply} (a missing method counts as `GET`).
 * @returns the status code sent.
 */
export function sendBytes(
  req: MinimalRequest,
  res: MinimalResponse,
  body: Uint8Array,
  contentType: string,
): number {
  return writeReply(res, rangeReply(req.method ?? "GET", req.headers.range, body, contentType));
}
