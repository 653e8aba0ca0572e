/**
 * The three media-type parsers Prism's validator uses, ported so that the compiled engine agrees
 * with it on every header, well formed or not:
 * - `whatwg-mimetype` (request `Content-Type` -> essence and `boundary`; throws when unparseable),
 * - `content-type` (response media types and wildcard matching; throws `TypeError`s),
 * - `type-is` over `media-typer` (is a media type a form: urlencoded or multipart/form-data).
 */

// --- whatwg-mimetype 3 (parser.js, utils.js) ---------------------------------------------------

const HTTP_TOKEN = /^[-!#$%&'*+.^_`|~A-Za-z0-9]*$/u;
const HTTP_QUOTED_STRING_TOKEN = /^[\t\u0020-\u007E\u0080-\u00FF]*$/u;
const isHttpWhitespace = (c: string | undefined) =>
  c === " " || c === "\t" || c === "\n" || c === "\r";
const trimTrailing = (s: string) => s.replace(/[ \t\n\r]+$/u, "");
const asciiLowercase = (s: string) => s.replace(/[A-Z]/gu, (l) => l.toLowerCase());

function collectQuotedString(input: string, start: number): [string, number] {
  let value = "";
  let position = start + 1;
  while (true) {
    while (position < input.length && input[position] !== '"' && input[position] !== "\\") {
      value += input[position];
      ++position;
    }
    if (position >= input.length) break;
    const quoteOrBackslash = input[position];
    ++position;
    if (quoteOrBackslash === "\\") {
      if (position >= input.length) {
        value += "\\";
        break;
      }
      value += input[position];
      ++position;
    } else {
      break;
    }
  }
  return [value, position];
}

interface MimeRecord {
  type: string;
  subtype: string;
  parameters: Map<string, string>;
}

function parseMimeRecord(raw: string): MimeRecord | null {
  const input = raw.replace(/^[ \t\n\r]+/u, "").replace(/[ \t\n\r]+$/u, "");
  let position = 0;
  let type = "";
  while (position < input.length && input[position] !== "/") {
    type += input[position];
    ++position;
  }
  if (type.length === 0 || !HTTP_TOKEN.test(type)) return null;
  if (position >= input.length) return null;
  ++position;
  let subtype = "";
  while (position < input.length && input[position] !== ";") {
    subtype += input[position];
    ++position;
  }
  subtype = trimTrailing(subtype);
  if (subtype.length === 0 || !HTTP_TOKEN.test(subtype)) return null;
  const record: MimeRecord = {
    type: asciiLowercase(type),
    subtype: asciiLowercase(subtype),
    parameters: new Map(),
  };
  while (position < input.length) {
    ++position;
    while (isHttpWhitespace(input[position])) ++position;
    let name = "";
    while (position < input.length && input[position] !== ";" && input[position] !== "=") {
      name += input[position];
      ++position;
    }
    name = asciiLowercase(name);
    if (position < input.length) {
      if (input[position] === ";") continue;
      ++position;
    }
    let value: string;
    if (input[position] === '"') {
      [value, position] = collectQuotedString(input, position);
      while (position < input.length && input[position] !== ";") ++position;
    } else {
      value = "";
      while (position < input.length && input[position] !== ";") {
        value += input[position];
        ++position;
      }
      value = trimTrailing(value);
      if (value === "") continue;
    }
    if (
      name.length > 0 &&
      HTTP_TOKEN.test(name) &&
      HTTP_QUOTED_STRING_TOKEN.test(value) &&
      !record.parameters.has(name)
    ) {
      record.parameters.set(name, value);
    }
  }
  return record;
}

/**
 * Prism's `parseMIMEHeader`: `[boundary, essence]` of a request `Content-Type`. Throws, like
 * `new MIMEType(header)`, when the header cannot be parsed.
 */
export function parseMimeHeader(header: unknown): [string | undefined, string] {
  const text = String(header);
  const record = parseMimeRecord(text);
  if (record === null) throw new Error(`Could not parse MIME type string "${text}"`);
  return [record.parameters.get("boundary"), `${record.type}/${record.subtype}`];
}

// --- content-type 1.0.5 (parse) ----------------------------------------------------------------

const PARAM_RE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the package's own grammar (RFC 7231)
  /; *([!#$%&'*+.^_`|~0-9A-Za-z-]+) *= *("(?:[\u000b\u0020\u0021\u0023-\u005b\u005d-\u007e\u0080-\u00ff]|\\[\u000b\u0020-\u00ff])*"|[!#$%&'*+.^_`|~0-9A-Za-z-]+) */g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the package's own grammar (RFC 7231)
const QESC_RE = /\\([\u000b\u0020-\u00ff])/g;
const TYPE_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A parsed media type (`content-type`'s `ContentType`). */
export interface ContentType {
  type: string;
  parameters: Record<string, string>;
}

/** `require("content-type").parse`, for strings and for the objects it also accepts. */
export function parseContentType(input: unknown): ContentType {
  if (!input) throw new TypeError("argument string is required");
  let header: unknown = input;
  if (typeof input === "object") {
    const o = input as { getHeader?: (n: string) => unknown; headers?: unknown };
    let h: unknown;
    if (typeof o.getHeader === "function") h = o.getHeader("content-type");
    else if (typeof o.headers === "object")
      h = o.headers && (o.headers as Record<string, unknown>)["content-type"];
    if (typeof h !== "string") throw new TypeError("content-type header is missing from object");
    header = h;
  }
  if (typeof header !== "string") {
    throw new TypeError("argument string is required to be a string");
  }
  let index = header.indexOf(";");
  const type = index !== -1 ? header.slice(0, index).trim() : header.trim();
  if (!TYPE_RE.test(type)) throw new TypeError("invalid media type");
  const parsed: ContentType = { type: type.toLowerCase(), parameters: Object.create(null) };
  if (index !== -1) {
    PARAM_RE.lastIndex = index;
    for (let match = PARAM_RE.exec(header); match; match = PARAM_RE.exec(header)) {
      if (match.index !== index) throw new TypeError("invalid parameter format");
      index += match[0].length;
      const key = (match[1] as string).toLowerCase();
      let value = match[2] as string;
      if (value.charCodeAt(0) === 0x22) {
        value = value.slice(1, -1);
        if (value.indexOf("\\") !== -1) value = value.replace(QESC_RE, "$1");
      }
      parsed.parameters[key] = value;
    }
    if (index !== header.length) throw new TypeError("invalid parameter format");
  }
  return parsed;
}

// --- Prism's wildcardMediaTypeMatch --------------------------------------------------------------

const CONTENT_TYPE_PARTS = /^(.+)\/(?:(.+)\+)?(.+)$/;

function splitContentType(contentType: string): { type: string; subtype: string } | undefined {
  let type: string;
  try {
    type = parseContentType(contentType).type;
  } catch {
    return undefined;
  }
  const match = CONTENT_TYPE_PARTS.exec(type.toLowerCase());
  if (!match) return undefined;
  // Prism reads `match.length === 4` as "has a suffix", which is always true: the subtype is
  // the part after the last "+", so `application/vnd.api+json` matches `application/json`.
  return { type: match[1] as string, subtype: match[3] as string };
}

/** Prism's `wildcardMediaTypeMatch(a, b)`: `b` may use `*`; unparseable types never match. */
export function wildcardMediaTypeMatch(a: string, b: string): boolean {
  const pa = splitContentType(a);
  const pb = splitContentType(b);
  if (pa === undefined || pb === undefined) return false;
  return (
    (pa.type === pb.type || pb.type === "*") && (pa.subtype === pb.subtype || pb.subtype === "*")
  );
}

// --- type-is 1.6 `is(value, ["application/x-www-form-urlencoded", "multipart/form-data"])` ------

const TYPER_PARAM_RE =
  /; *([!#$%&'*+\-.0-9A-Z^_`a-z|~]+) *= *("(?:[ !\u0023-\u005b\u005d-\u007e\u0080-\u00ff]|\\[\u0020-\u007e])*"|[!#$%&'*+\-.0-9A-Z^_`a-z|~]+) */g;
const TYPER_TYPE_RE =
  /^ *([A-Za-z0-9][A-Za-z0-9!#$&^_-]{0,126})\/([A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}) *$/;
const TYPER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_-]{0,126}$/;
const TYPER_SUBTYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.-]{0,126}$/;
const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);

/** `media-typer` 0.3's parse then format without parameters; undefined where either throws. */
function normaliseType(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  let index = value.indexOf(";");
  const match = TYPER_TYPE_RE.exec((index !== -1 ? value.slice(0, index) : value).toLowerCase());
  if (!match) return undefined;
  const type = match[1] as string;
  let subtype = match[2] as string;
  let suffix: string | undefined;
  const plus = subtype.lastIndexOf("+");
  if (plus !== -1) {
    suffix = subtype.slice(plus + 1);
    subtype = subtype.slice(0, plus);
  }
  TYPER_PARAM_RE.lastIndex = index;
  for (let m = TYPER_PARAM_RE.exec(value); m; m = TYPER_PARAM_RE.exec(value)) {
    if (m.index !== index) return undefined;
    index += m[0].length;
  }
  if (index !== -1 && index !== value.length) return undefined;
  if (!TYPER_NAME_RE.test(type) || !subtype || !TYPER_SUBTYPE_RE.test(subtype)) return undefined;
  if (suffix && !TYPER_NAME_RE.test(suffix)) return undefined;
  return `${type}/${subtype}${suffix ? `+${suffix}` : ""}`;
}

/** Whether Prism treats a media type as a form body (`type-is`). */
export function isFormMediaType(value: unknown): boolean {
  if (!value) return false;
  const normalised = normaliseType(value);
  return normalised !== undefined && FORM_TYPES.has(normalised);
}

/** `type-is`'s `is(value, "application/x-www-form-urlencoded")`. */
export function isUrlEncodedMediaType(value: unknown): boolean {
  return value ? normaliseType(value) === "application/x-www-form-urlencoded" : false;
}
