/**
 * Prism's body validation (`validators/body.js`) over compiled contents: pick the content by media
 * type (or the first), then validate the body with its compiled schema; a form media type
 * (urlencoded or multipart) first deserialises a string body into an object and validates it
 * with type coercion. Throws where Prism throws (malformed multipart parts, unknown encoding
 * styles), so that callers can report it as Prism's engine does.
 */
import type { Diagnostic } from "../core/engine.js";
import { SEVERITY_ERROR, type ValidationContext, validateAgainstSchema } from "./ajv.js";
import { isFormMediaType, isUrlEncodedMediaType, wildcardMediaTypeMatch } from "./media-types.js";
import { BODY_STYLES } from "./params.js";
import type { CompiledContent, CompiledEncoding } from "./types.js";

type Values = Record<string, unknown>;
type Result = { ok: true; value: Values } | { ok: false; diagnostics: Diagnostic[] };

const PREFIX = "body";

/** `parse-multipart-data` 1.5's `process`: the part's name and data (and its throws). */
function processPart(contentDisposition: string, contentType: string, bytes: number[]) {
  const header = contentDisposition.split(";");
  const filenameData = header[2];
  if (filenameData) {
    const k = filenameData.split("=");
    (k[0] as string).trim();
    JSON.parse((k[1] as string).trim());
    (contentType.split(":")[1] as string).trim();
  }
  const name = ((header[1] as string).split("=")[1] as string).replace(/"/g, "");
  return { name, data: new TextDecoder().decode(Uint8Array.from(bytes)) };
}

/** `parse-multipart-data` 1.5's `parse`, on the UTF-8 bytes of a string body. */
function parseMultipart(body: string, boundary: string) {
  const bytes = new TextEncoder().encode(body);
  let lastline = "";
  let contentDisposition = "";
  let contentType = "";
  let state = 0; // INIT, READING_HEADERS, READING_DATA, READING_PART_SEPARATOR
  let buffer: number[] = [];
  const parts: { name: string; data: string }[] = [];
  let headers: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const oneByte = bytes[i] as number;
    const prevByte = i > 0 ? bytes[i - 1] : null;
    const newLineDetected = oneByte === 0x0a && prevByte === 0x0d;
    const newLineChar = oneByte === 0x0a || oneByte === 0x0d;
    if (!newLineChar) lastline += String.fromCharCode(oneByte);
    if (state === 0 && newLineDetected) {
      if (`--${boundary}` === lastline) state = 1;
      lastline = "";
    } else if (state === 1 && newLineDetected) {
      if (lastline.length) {
        headers.push(lastline);
      } else {
        for (const h of headers) {
          if (h.toLowerCase().startsWith("content-disposition:")) contentDisposition = h;
          else if (h.toLowerCase().startsWith("content-type:")) contentType = h;
        }
        state = 2;
        buffer = [];
      }
      lastline = "";
    } else if (state === 2) {
      if (lastline.length > boundary.length + 4) lastline = "";
      if (`--${boundary}` === lastline) {
        const j = buffer.length - lastline.length;
        parts.push(processPart(contentDisposition, contentType, buffer.slice(0, j - 1)));
        buffer = [];
        headers = [];
        lastline = "";
        state = 3;
        contentDisposition = "";
        contentType = "";
      } else {
        buffer.push(oneByte);
      }
      if (newLineDetected) lastline = "";
    } else if (state === 3) {
      if (newLineDetected) state = 1;
    }
  }
  return parts;
}

function multipartParams(target: string, boundary: string | undefined): Result {
  if (!boundary) {
    return {
      ok: false,
      diagnostics: [
        {
          message:
            "Boundary parameter for multipart/form-data is not defined or generated in the request header. Try removing manually defined content-type from your request header if it exists.",
          code: 415,
          severity: SEVERITY_ERROR,
        },
      ],
    };
  }
  const value = parseMultipart(target, boundary).reduce<Values>((result, pair) => {
    result[pair.name] = pair.data;
    return result;
  }, {});
  return { ok: true, value };
}

function splitUriParams(target: string): Values {
  return target.split("&").reduce<Values>((result, pair) => {
    const [key, ...rest] = pair.split("=");
    result[key as string] = rest.join("=");
    return result;
  }, {});
}

const RESERVED = /[/?#[\]@!$&'()*+,;=]/;

function reservedCharacters(encoded: Values, encodings: readonly CompiledEncoding[]) {
  const diagnostics: Diagnostic[] = [];
  for (const encoding of encodings) {
    const allowReserved = encoding.allowReserved === undefined ? false : encoding.allowReserved;
    if (!allowReserved && RESERVED.test(encoded[encoding.property] as string)) {
      diagnostics.push({
        path: [PREFIX, encoding.property],
        message: "Reserved characters used in request body",
        severity: SEVERITY_ERROR,
      });
    }
  }
  return diagnostics;
}

function decodeUriEntities(target: Values, mediaType: string): Values {
  return Object.entries(target).reduce<Values>((result, [k, value]) => {
    let v = value as string;
    try {
      if (isUrlEncodedMediaType(mediaType)) v = v.replaceAll("+", "%20");
      result[decodeURIComponent(k)] = decodeURIComponent(v);
    } catch {
      result[decodeURIComponent(k)] = v;
    }
    return result;
  }, {});
}

function parseBrokenJsonArray(input: unknown[]): [unknown[], string] {
  const parsed: unknown[] = [];
  let current = "";
  for (const item of input) {
    current += (current.length > 0 ? "," : "") + item;
    try {
      parsed.push(JSON.parse(current));
      current = "";
    } catch {}
  }
  return [parsed, current];
}

function deserializeFormBody(content: CompiledContent, decoded: Values): Result {
  if (content.formProperties === undefined) return { ok: true, value: decoded };
  const deserialized: Values = {};
  for (const property of content.formProperties) {
    deserialized[property] = decoded[property];
    const encoding = content.encodings.find((enc) => enc.property === property);
    if (encoding?.style) {
      const deserializer = BODY_STYLES[encoding.style];
      const schema = encoding.schema;
      if (schema) {
        if (deserializer === undefined) throw new TypeError("deserializer is not a function");
        let values = deserializer(property, decoded, schema, encoding.explode);
        if (Array.isArray(values) && schema.items?.type === "object") {
          const [parsed, rest] = parseBrokenJsonArray(values);
          if (rest.length > 0) {
            return {
              ok: false,
              diagnostics: [
                {
                  message:
                    "Cannot deserialize JSON object array in form data request body. Make sure the array is in JSON",
                  code: 415,
                  severity: SEVERITY_ERROR,
                },
              ],
            };
          }
          values = parsed;
        }
        deserialized[property] = values;
      }
    }
  }
  return { ok: true, value: deserialized };
}

function validateForm(
  content: CompiledContent,
  target: string,
  context: ValidationContext,
  boundary: string | undefined,
): Diagnostic[] {
  const encoded =
    content.mediaType === "multipart/form-data"
      ? multipartParams(target, boundary)
      : { ok: true as const, value: splitUriParams(target) };
  if (!encoded.ok) return encoded.diagnostics;
  const reserved = reservedCharacters(encoded.value, content.encodings);
  if (reserved.length > 0) return reserved;
  const deserialized = deserializeFormBody(
    content,
    decodeUriEntities(encoded.value, content.mediaType),
  );
  if (!deserialized.ok) return deserialized.diagnostics;
  return validateAgainstSchema(content.validateForm, deserialized.value, context, PREFIX);
}

/**
 * Prism's body `validate(target, contents, context, mediaType, multipartBoundary)`: the content
 * matching the media type (else the first), then its schema.
 */
export function validateBody(
  target: unknown,
  contents: readonly CompiledContent[],
  context: ValidationContext,
  mediaType: string | undefined,
  multipartBoundary: string | undefined,
): Diagnostic[] {
  let content: CompiledContent | undefined;
  let selected = "random";
  if (mediaType !== undefined && mediaType !== null && contents.length > 0) {
    content = contents.find((c) => wildcardMediaTypeMatch(mediaType, c.mediaType)) ?? contents[0];
    selected = mediaType;
  } else {
    content = contents[0];
  }
  if (content === undefined || content.validate === undefined) return [];
  if (!isFormMediaType(selected)) {
    return validateAgainstSchema(content.validate, target, context, PREFIX);
  }
  if (typeof target !== "string") {
    return [{ message: "Target is not a string", code: "422", severity: SEVERITY_ERROR }];
  }
  return validateForm(content, target, context, multipartBoundary);
}
