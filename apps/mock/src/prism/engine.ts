/**
 * Prism's engine, embedded. The mock loads the spec with Prism's own loader
 * (`getHttpOperationsFromSpec`, the same http-spec conversion `prism mock` uses) and calls Prism's
 * router and validators directly for every exchange, in process. It does not go through
 * `createInstance(...).request()`: that pipeline needs a synchronous mocker, allocates a logger
 * child per request and re-validates through fp-ts layers, while the stateful simulator is
 * asynchronous (callbacks, latency) and must decide the answer itself. Calling the components
 * keeps exactly Prism's routing, security and schema checks (the same Ajv instances and the same
 * compiled-validator cache) with none of the per-request overhead.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { parse } from "yaml";
import type {
  Diagnostic,
  EngineRequest,
  EngineResponse,
  Operation,
  RouteResult,
  ValidationEngine,
} from "../core/engine.js";
import { type FullOperation, type Plan, planFor } from "./plans.js";

const require = createRequire(import.meta.url);

/** Prism's request shape, as the core's engine interface names it. */
export type PrismRequest = EngineRequest;
/** Prism's response shape, as the core's engine interface names it. */
export type PrismResponse = EngineResponse;
/** An engine backed by Prism. */
export type PrismEngine = ValidationEngine;
export type { Operation, RouteResult };

type Either<L, R> = { _tag: "Left"; left: L } | { _tag: "Right"; right: R };
interface RouteError {
  status?: number;
  detail?: string;
}
type Validator = (args: { resource: Operation; element: unknown }) => Either<Diagnostic[], unknown>;

// Deep imports: the package root also loads the stock mocker (json-schema-faker, faker), which
// the mock never uses; skipping it halves start-up time and saves ~50 MB.
const prismHttp = require("@stoplight/prism-http/dist/utils/operations.js") as {
  getHttpOperationsFromSpec(spec: string | object): Promise<Operation[]>;
};
const prismValidator = require("@stoplight/prism-http/dist/validator/index.js") as {
  validateSecurity: Validator;
  validateInput: Validator;
  validateOutput: Validator;
};
const prismRouter = require("@stoplight/prism-http/dist/router/index.js") as {
  default: (args: { resources: Operation[]; input: PrismRequest }) => Either<RouteError, Operation>;
};

const left = <L, R>(e: Either<L, R>): L | undefined => (e._tag === "Left" ? e.left : undefined);

const loaded = new Map<string, Promise<Operation[]>>();

const DIALECT_2020_12 = "https://json-schema.org/draft/2020-12/schema";

/**
 * Reads an OpenAPI 3.1 document for Prism. Prism's http-spec treats a document without
 * `jsonSchemaDialect` like OAS 3.0 (3.0 keyword conversions, draft-07 Ajv); declaring the 3.1
 * default dialect makes Prism validate with its 2020-12 Ajv, as the document means.
 */
async function readForPrism(specPath: string): Promise<object> {
  const doc = parse(await readFile(specPath, "utf8")) as Record<string, unknown>;
  if (
    typeof doc.openapi === "string" &&
    doc.openapi.startsWith("3.1") &&
    doc.jsonSchemaDialect === undefined
  ) {
    doc.jsonSchemaDialect = DIALECT_2020_12;
  }
  return doc;
}

/** How requests and responses are checked. */
export type EngineMode =
  /** Prism's `validateInput`/`validateOutput` as they are (the reference). */
  | "prism"
  /** The same checks with per-operation work done once at start-up (see `plans.ts`); the default. */
  | "planned";

/**
 * Loads a document with Prism and returns its engine. Operations are loaded once per path and
 * shared: servers started one per test file then reuse Prism's compiled validators too.
 */
export async function loadPrismEngine(
  specPath: string,
  mode: EngineMode = "planned",
): Promise<PrismEngine> {
  let pending = loaded.get(specPath);
  if (pending === undefined) {
    pending = readForPrism(specPath).then((doc) => prismHttp.getHttpOperationsFromSpec(doc));
    loaded.set(specPath, pending);
    pending.catch(() => loaded.delete(specPath));
  }
  const operations = await pending;
  const plans = new Map<Operation, Plan>();
  const planOf = (operation: Operation) => {
    let plan = plans.get(operation);
    if (plan === undefined) {
      plan = planFor(operation as FullOperation);
      plans.set(operation, plan);
    }
    return plan;
  };
  if (mode === "planned") for (const op of operations) planOf(op);
  return {
    operations,
    route(method, path) {
      const input: PrismRequest = {
        method: method.toLowerCase(),
        url: { path, query: {} },
        headers: {},
      };
      let routed: Either<RouteError, Operation>;
      try {
        routed = prismRouter.default({ resources: operations, input });
      } catch {
        // A path Prism cannot parse matches no operation.
        return { status: 404, detail: "unparseable path" };
      }
      if (routed._tag === "Right") return { operation: routed.right };
      const status = routed.left.status === 405 ? 405 : 404;
      return { status, detail: routed.left.detail ?? "no route" };
    },
    checkSecurity(operation, request) {
      return left(prismValidator.validateSecurity({ resource: operation, element: request })) ?? [];
    },
    checkRequest(operation, request) {
      if (mode === "planned") return planOf(operation).checkRequest(request);
      try {
        return left(prismValidator.validateInput({ resource: operation, element: request })) ?? [];
      } catch (error) {
        // Prism throws on some malformed input (e.g. a bad %-escape in a path parameter).
        const message = `Request path is not a valid URI (${error instanceof Error ? error.message : "?"})`;
        return [{ path: ["path"], code: "uri", message, severity: 0 }];
      }
    },
    checkResponse(operation, response) {
      if (mode === "planned") return planOf(operation).checkResponse(response);
      return left(prismValidator.validateOutput({ resource: operation, element: response })) ?? [];
    },
  };
}
