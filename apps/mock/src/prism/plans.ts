/**
 * Per-operation validation plans: the same checks as Prism's `validateInput`/`validateOutput`,
 * with the work Prism repeats on every request done once at start-up. Per request Prism parses
 * the content type, builds a `URI.Template` to extract path parameters, compiles a RegExp per
 * response code to find the response, and threads it all through fp-ts; the schema checks
 * themselves are cached Ajv functions. Here the operation's schemas are normalised once exactly
 * as Prism does (allOf merged, readOnly/writeOnly stripped) and handed to Prism's own
 * `validateAgainstSchema` (its Ajv instances, options, formats, cache and error wording);
 * parameters and headers still go through Prism's `validatePath`/`validateQuery`/`validateHeaders`.
 * `test/prism-plans.test.ts` proves the diagnostics equal Prism's on thousands of inputs.
 */
import { createRequire } from "node:module";
import type {
  Diagnostic,
  Operation,
  EngineRequest as PrismRequest,
  EngineResponse as PrismResponse,
} from "../core/engine.js";
import { findResponse } from "../core/find-response.js";

const require = createRequire(import.meta.url);
const prismRequire = createRequire(
  require.resolve("@stoplight/prism-http/dist/validator/index.js"),
);

type Option<T> = { _tag: "None" } | { _tag: "Some"; value: T };
type Either<L, R> = { _tag: "Left"; left: L } | { _tag: "Right"; right: R };
type Schema = Record<string, unknown>;
interface Content {
  mediaType: string;
  schema?: Schema;
}
interface Param {
  name: string;
}
/** The parts of Prism's `IHttpOperation` the plans read. */
export interface FullOperation extends Operation {
  request?: {
    body?: { required?: boolean; contents?: Content[] };
    path?: Param[];
    query?: Param[];
    headers?: Param[];
  };
  responses: { code: string; contents?: Content[]; headers?: Param[] }[];
  __bundled__?: unknown;
}

const INPUT = 0;
const OUTPUT = 1;
const utils = prismRequire("./validators/utils.js") as {
  validateAgainstSchema(
    value: unknown,
    schema: Schema,
    coerce: boolean,
    context: number,
    prefix: string,
    bundle: unknown,
  ): Option<Diagnostic[]>;
};
const validators = prismRequire("./validators/index.js") as {
  validatePath(
    target: unknown,
    specs: Param[],
    context: number,
    bundle: unknown,
  ): Either<Diagnostic[], unknown>;
  validateQuery(
    target: unknown,
    specs: Param[],
    context: number,
    bundle: unknown,
  ): Either<Diagnostic[], unknown>;
  validateHeaders(
    target: unknown,
    specs: Param[],
    context: number,
    bundle: unknown,
  ): Either<Diagnostic[], unknown>;
  validateBody(
    target: unknown,
    specs: Content[],
    context: number,
    mediaType: string | undefined,
    boundary: string | undefined,
    bundle: unknown,
  ): Either<Diagnostic[], unknown>;
};
const headersModule = prismRequire("./validators/headers.js") as {
  parseMIMEHeader(header: string): [string | undefined, string | undefined];
};
const wildcard = prismRequire("./utils/wildcardMediaTypeMatch.js") as {
  wildcardMediaTypeMatch(a: string, b: string): boolean;
};
const validatorIndex = prismRequire("./index.js") as {
  validateMediaType(
    contents: Content[],
    mediaType: string | undefined,
  ): Either<Diagnostic[], unknown>;
};
const strip = prismRequire("../utils/filterRequiredProperties.js") as {
  stripReadOnlyProperties(schema: Schema): Option<Schema>;
  stripWriteOnlyProperties(schema: Schema): Option<Schema>;
};
const mergeAllOf = prismRequire("@stoplight/json-schema-merge-allof") as (
  schema: Schema,
  options: { deep: boolean; ignoreAdditionalProperties: boolean },
) => Schema;

/** Prism's body schema normalisation (body.js `memoizeSchemaNormalizer`), done once. */
function normalise(schema: Schema | undefined, context: number): Schema | undefined {
  if (schema === undefined) return undefined;
  let merged: Schema;
  try {
    merged = mergeAllOf(schema, { deep: true, ignoreAdditionalProperties: true });
  } catch {
    merged = schema;
  }
  const stripped =
    context === INPUT
      ? strip.stripReadOnlyProperties(merged)
      : strip.stripWriteOnlyProperties(merged);
  return stripped._tag === "Some" ? stripped.value : undefined;
}

const FORM = /^(?:application\/x-www-form-urlencoded|multipart\/form-data)$/i;
const leftOf = <L, R>(e: Either<L, R>): L | undefined => (e._tag === "Left" ? e.left : undefined);
const headerString = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(", ") : v);

/** The precomputed checks of one operation. */
export interface Plan {
  checkRequest(request: PrismRequest): Diagnostic[];
  checkResponse(response: PrismResponse): Diagnostic[];
}

/** Builds the plan of one operation. */
export function planFor(op: FullOperation): Plan {
  const bundle = op.__bundled__;
  const body = op.request?.body;
  const bodyContents = body?.contents ?? [];
  const inputSchemas = new Map(bodyContents.map((c) => [c, normalise(c.schema, INPUT)]));
  const pathSpecs = op.request?.path;
  const querySpecs = op.request?.query;
  const headerSpecs = op.request?.headers;
  // Prism's URI.Template match, as a RegExp built once.
  const names: string[] = [];
  const pathRe = new RegExp(
    `^${op.path
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const m = /^\{([^}]+)\}$/.exec(part);
        if (m) {
          names.push(m[1] as string);
          return "([^/]*)";
        }
        return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
      })
      .join("")}$`,
  );
  const responses = op.responses.map((r) => ({
    ...r,
    schemas: new Map((r.contents ?? []).map((c) => [c, normalise(c.schema, OUTPUT)])),
  }));
  const byStatus = new Map<number, (typeof responses)[number] | null>();
  const responseFor = (status: number) => {
    let found = byStatus.get(status);
    if (found === undefined) {
      found = findResponse(responses, status) ?? null;
      if (byStatus.size < 1000) byStatus.set(status, found);
    }
    return found;
  };
  const mediaTypeCache = new Map<string, string | undefined>();
  const mediaTypeOf = (header: string) => {
    let mt = mediaTypeCache.get(header);
    if (mt === undefined && !mediaTypeCache.has(header)) {
      mt = headersModule.parseMIMEHeader(header)[1];
      if (mediaTypeCache.size < 100) mediaTypeCache.set(header, mt);
    }
    return mt;
  };

  return {
    checkRequest(request) {
      const out: Diagnostic[] = [];
      if (op.request === undefined) return out;
      const headers = request.headers;
      // validateInputBody: required, then the media type when a body was sent, then the schema.
      if (body?.required && !request.body) {
        out.push({ code: "required", message: "Body parameter is required", severity: 0 });
      } else {
        const ct = headerString(headers["content-type"]);
        const mediaType = ct ? mediaTypeOf(ct) : undefined;
        const length = Number.parseInt(headerString(headers["content-length"]) ?? "", 10) || 0;
        let refused = false;
        if (length !== 0) {
          const supported =
            body !== undefined &&
            (mediaType === undefined ||
              body.contents === undefined ||
              body.contents.some(
                (c) => !c.mediaType || wildcard.wildcardMediaTypeMatch(mediaType, c.mediaType),
              ));
          if (!supported) {
            refused = true;
            const message =
              body !== undefined && bodyContents.length > 0
                ? `Supported content types: ${bodyContents.map((c) => c.mediaType).join(",")}`
                : "No supported content types, but request included a non-empty body";
            out.push({ message, code: 415, severity: 0 });
          }
        }
        if (!refused && body !== undefined && request.body !== undefined && request.body !== null) {
          if (mediaType !== undefined && FORM.test(mediaType)) {
            // Form bodies are deserialised first: leave that rare path to Prism entirely.
            const r = validators.validateBody(
              request.body,
              bodyContents,
              INPUT,
              mediaType,
              headersModule.parseMIMEHeader(ct ?? "")[0],
              bundle,
            );
            out.push(...(leftOf(r) ?? []));
          } else {
            // findContentByMediaTypeOrFirst: the matching content, else the first.
            const content =
              (mediaType === undefined
                ? undefined
                : bodyContents.find((c) =>
                    wildcard.wildcardMediaTypeMatch(mediaType, c.mediaType),
                  )) ?? bodyContents[0];
            const schema = content === undefined ? undefined : inputSchemas.get(content);
            if (schema !== undefined) {
              const r = utils.validateAgainstSchema(
                request.body,
                schema,
                false,
                INPUT,
                "body",
                bundle,
              );
              if (r._tag === "Some") out.push(...r.value);
            }
          }
        }
      }
      if (headerSpecs !== undefined)
        out.push(
          ...(leftOf(validators.validateHeaders(headers, headerSpecs, INPUT, bundle)) ?? []),
        );
      if (querySpecs !== undefined)
        out.push(
          ...(leftOf(validators.validateQuery(request.url.query, querySpecs, INPUT, bundle)) ?? []),
        );
      if (pathSpecs !== undefined) {
        const match = pathRe.exec(request.url.path);
        const params: Record<string, string> = {};
        try {
          names.forEach((name, i) => {
            params[name] = decodeURIComponent(match?.[i + 1] ?? "");
          });
        } catch (error) {
          const message = `Request path is not a valid URI (${error instanceof Error ? error.message : "?"})`;
          return [...out, { path: ["path"], code: "uri", message, severity: 0 }];
        }
        out.push(...(leftOf(validators.validatePath(params, pathSpecs, INPUT, bundle)) ?? []));
      }
      return out;
    },

    checkResponse(response) {
      const found = responseFor(response.statusCode);
      if (found === null) {
        const inRange = response.statusCode >= 200 && response.statusCode < 300;
        return [
          {
            message: `Unable to match the returned status code with those defined in the document: ${responses.map((r) => r.code).join(",")}`,
            severity: inRange ? 0 : 1,
          },
        ];
      }
      const out: Diagnostic[] = [];
      const contents = found.contents ?? [];
      const ct = response.headers["content-type"];
      if (contents.length > 0 && !contents.some((c) => c.mediaType === ct)) {
        out.push(...(leftOf(validatorIndex.validateMediaType(contents, ct)) ?? []));
      }
      const content =
        (ct === undefined
          ? undefined
          : contents.find(
              (c) => c.mediaType === ct || wildcard.wildcardMediaTypeMatch(ct, c.mediaType),
            )) ?? contents[0];
      const schema = content === undefined ? undefined : found.schemas.get(content);
      if (schema !== undefined) {
        const r = utils.validateAgainstSchema(response.body, schema, false, OUTPUT, "body", bundle);
        if (r._tag === "Some") out.push(...r.value);
      }
      if (found.headers !== undefined && found.headers.length > 0) {
        out.push(
          ...(leftOf(validators.validateHeaders(response.headers, found.headers, OUTPUT, bundle)) ??
            []),
        );
      }
      return out;
    },
  };
}
