/**
 * The compiled validation engine: Prism's routing, security, request and response checks over a
 * document compiled at build time (`scripts/compile-validators.mjs` -> `src/generated/validators`).
 * No `node:` imports, no YAML, no Ajv compilation at run time: it runs in a browser (MSW) under a
 * strict CSP. Every decision and every diagnostic (path, code, message, severity; the `tags` of
 * security diagnostics) is the one Prism's engine gives (`loadPrismEngine(path, "prism")`:
 * Prism's router, `validateSecurity`, `validateInput`, `validateOutput`), including where Prism
 * throws: `checkRequest` then reports Prism's engine's "Request path is not a valid URI (...)" with
 * the same message, and `checkResponse` throws the same error. `test/compiled-engine.test.ts`
 * proves it on thousands of random and malformed requests and responses.
 *
 * One Prism behaviour is deliberately not reproduced: Prism caches a compiled schema per schema
 * object whichever the coercion, so after it has validated a form body (with coercion) it goes on
 * validating JSON bodies of the same content with coercion, coercing them in place. This engine
 * always validates as Prism does on first use (JSON bodies without coercion, forms with it).
 */
import type {
  Diagnostic,
  EngineRequest,
  EngineResponse,
  Operation,
  ValidationEngine,
} from "../core/engine.js";
import { findResponse } from "../core/find-response.js";
import { INPUT, OUTPUT, SEVERITY_ERROR } from "./ajv.js";
import { validateBody } from "./body.js";
import { parseContentType, parseMimeHeader, wildcardMediaTypeMatch } from "./media-types.js";
import { validateParams } from "./params.js";
import { createRouter } from "./router.js";
import { validateSecurity } from "./security.js";
import type {
  CompiledContent,
  CompiledDocument,
  CompiledOperation,
  CompiledPathTemplate,
} from "./types.js";

/** `caseless(headers).get(name)`: the last header whose name matches, case-insensitively. */
function headerValue(headers: Record<string, unknown> | undefined, name: string): unknown {
  let result: unknown;
  if (headers)
    for (const key of Object.keys(headers)) if (key.toLowerCase() === name) result = headers[key];
  return result;
}

/** `uri-template-lite`'s `URI.Template(template).match(path)`, precompiled. */
function templateMatcher(template: CompiledPathTemplate) {
  const re = new RegExp(template.source);
  return (path: string): Record<string, unknown> | null => {
    const match = re.exec(path);
    if (!match) return null;
    const out: Record<string, unknown> = {};
    for (const v of template.variables) {
      const values = (match[v.group] || "").split(v.separator).map((s) => decodeURIComponent(s));
      out[v.name] = v.list ? values : values.length > 1 ? values : values[0];
    }
    return out;
  };
}

/** Prism's `validateMediaType` for a response. Throws, as Prism does, on an unparseable type. */
function validateMediaType(contents: readonly CompiledContent[], mediaType: unknown): Diagnostic[] {
  if (mediaType !== undefined && mediaType !== null) {
    const received = parseContentType(mediaType);
    const found = contents.some((c) => {
      const declared = parseContentType(c.mediaType);
      return (
        wildcardMediaTypeMatch(received.type, declared.type) &&
        Object.keys(declared.parameters).every(
          (k) => k in received.parameters && received.parameters[k] === declared.parameters[k],
        )
      );
    });
    if (found) return [];
  }
  return [
    {
      message: `The received media type "${mediaType || ""}" does not match the one${contents.length > 1 ? "s" : ""} specified in the current response: ${contents.map((c) => c.mediaType).join(", ")}`,
      severity: SEVERITY_ERROR,
    },
  ];
}

function isSupported(
  mediaType: string | undefined,
  contents: readonly CompiledContent[] | undefined,
) {
  if (mediaType === undefined || contents === undefined) return true;
  return contents.some((c) => !c.mediaType || wildcardMediaTypeMatch(mediaType, c.mediaType));
}

/** Prism's `validateInputBody`. */
function checkBody(op: CompiledOperation, request: EngineRequest): Diagnostic[] {
  const spec = op.request?.body;
  const body = request.body;
  if (spec?.required && !body) {
    return [{ code: "required", message: "Body parameter is required", severity: SEVERITY_ERROR }];
  }
  const headers = (request.headers || {}) as Record<string, unknown>;
  const contentType = headerValue(headers, "content-type");
  const [boundary, mediaType] = contentType ? parseMimeHeader(contentType) : [undefined, undefined];
  // biome-ignore lint/correctness/useParseIntRadix: Prism's parseInt, which also reads "0x1f"
  const length = Number.parseInt(String(headerValue(headers, "content-length"))) || 0;
  if (length !== 0 && !(spec !== undefined && isSupported(mediaType, spec.contents))) {
    const declared = spec?.contents ?? [];
    const message =
      declared.length > 0
        ? `Supported content types: ${declared.map((c) => c.mediaType).join(",")}`
        : "No supported content types, but request included a non-empty body";
    return [{ message, code: 415, severity: SEVERITY_ERROR }];
  }
  if (spec === undefined || body === undefined || body === null) return [];
  return validateBody(body, spec.contents ?? [], INPUT, mediaType, boundary);
}

/** Builds the engine of one compiled document. */
export function createCompiledEngine(compiled: CompiledDocument): ValidationEngine {
  const operations = compiled.operations;
  const known = new Set<Operation>(operations);
  const route = createRouter(operations);
  const templates = new Map<CompiledOperation, ReturnType<typeof templateMatcher>>();
  for (const op of operations) {
    const template = op.request?.pathTemplate;
    if (template !== undefined) templates.set(op, templateMatcher(template));
  }
  /** The compiled operation: ours, or the one with the same id (e.g. routed by another engine). */
  const compiledOf = (operation: Operation): CompiledOperation => {
    if (known.has(operation)) return operation as CompiledOperation;
    const found = operations.find(
      (op) =>
        op.id === operation.id && op.method === operation.method && op.path === operation.path,
    );
    if (found === undefined) {
      throw new Error(
        `Unknown operation ${operation.method} ${operation.path} (${compiled.source})`,
      );
    }
    return found;
  };

  const requestDiagnostics = (op: CompiledOperation, request: EngineRequest): Diagnostic[] => {
    const spec = op.request;
    if (spec === undefined) return [];
    const body = checkBody(op, request);
    const headers = validateParams(
      (request.headers || {}) as Record<string, unknown>,
      spec.headers,
      INPUT,
      "header",
    );
    const query = validateParams(request.url.query || {}, spec.query, INPUT, "query");
    const matcher = templates.get(op);
    const path =
      matcher === undefined
        ? []
        : validateParams(matcher(request.url.path), spec.path, INPUT, "path");
    return [...body, ...headers, ...query, ...path];
  };

  return {
    operations,
    route,
    checkSecurity(operation, request) {
      return validateSecurity(compiledOf(operation).security, request);
    },
    checkRequest(operation, request) {
      const op = compiledOf(operation);
      try {
        return requestDiagnostics(op, request);
      } catch (error) {
        // Where Prism's validateInput throws (a bad %-escape in a path parameter, an unparseable
        // Content-Type), its engine reports this.
        const message = `Request path is not a valid URI (${error instanceof Error ? error.message : "?"})`;
        return [{ path: ["path"], code: "uri", message, severity: SEVERITY_ERROR }];
      }
    },
    checkResponse(operation, response: EngineResponse) {
      const op = compiledOf(operation);
      const found = findResponse(op.responses, response.statusCode);
      if (found === undefined) {
        const inRange = response.statusCode >= 200 && response.statusCode < 300;
        return [
          {
            message: `Unable to match the returned status code with those defined in the document: ${op.responses.map((r) => r.code).join(",")}`,
            severity: inRange ? SEVERITY_ERROR : 1,
          },
        ];
      }
      const headers = (response.headers || {}) as Record<string, unknown>;
      const mediaType = headerValue(headers, "content-type");
      return [
        ...(found.contents.length > 0 ? validateMediaType(found.contents, mediaType) : []),
        ...validateBody(
          response.body,
          found.contents,
          OUTPUT,
          mediaType as string | undefined,
          undefined,
        ),
        ...validateParams(headers, found.headers, OUTPUT, "header"),
      ];
    },
  };
}
