/**
 * The Kling API's pipeline, in the gateway's order: route, body size, authentication (Prism's
 * bearer check, then the allowed keys), the scenario header, JSON, the model, request validation
 * against the spec, then the simulator's answer, checked against the spec on the way out.
 */
import type { EngineRequest, Operation, ValidationEngine } from "../engine.js";
import {
  type Diagnostic,
  errorsOf,
  isMissingModel,
  missingModelReply,
  replyForInvalidRequest,
} from "../errors/diagnostics.js";
import { errors } from "../errors/envelopes.js";
import { isUnpriceable, panicReply, unparseableReply } from "../errors/gateway.js";
import { isJsonType, type JsonReply, type MockReply, type MockRequest } from "../request.js";
import { mergeScenarios, parseScenario, type Scenario } from "../simulator/scenarios.js";
import { type CreateBody, Simulator } from "../simulator/simulator.js";
import { checkedReply, type LogSink } from "./check.js";

/** What the API stage needs. */
export interface ApiStage {
  engine: ValidationEngine;
  simulator: Simulator;
  /** Accepted keys; undefined accepts any non-empty key (each its own tenant). */
  keys: ReadonlySet<string> | undefined;
  maxBodyBytes: number;
  log: LogSink;
  /** The clock's time in ms (request ids of gateway-mode answers carry it). */
  now: () => number;
  /** @internal Rewrites a reply before it is checked (the mock's own tests). */
  replyHook: ((reply: JsonReply) => JsonReply) | undefined;
}

/** Answers one API request (`key` is the caller's bearer key, already read). */
export async function answerApi(
  stage: ApiStage,
  req: MockRequest,
  key: string | undefined,
): Promise<MockReply> {
  const { engine, simulator } = stage;
  const routed = engine.route(req.method, req.path);
  if (!("operation" in routed)) {
    req.discardBody();
    // The gateway answers unknown routes and wrong methods alike (its router's NoRoute).
    return { kind: "json", ...errors.notFound(req.method, req.path) };
  }
  const operation = routed.operation;
  const label = `${req.method} ${operation.path}`;
  const check = (reply: JsonReply) => checkedReply(engine, operation, reply, label, stage.log);
  const body =
    req.method === "GET" || req.method === "HEAD"
      ? { kind: "ok" as const, text: "" }
      : await req.readBody(stage.maxBodyBytes);
  if (body.kind === "too_large") {
    // Close the connection: the rest of an oversized upload is not worth reading.
    const reply = check(errors.tooLarge());
    return { kind: "json", ...reply, unreadBody: true };
  }
  if (body.kind === "busy") {
    // The rest of the upload is not read: close the connection after the answer.
    const reply = check(errors.uploadsBusy(stage.simulator.settings.retryAfterSeconds));
    return { kind: "json", ...reply, unreadBody: true };
  }
  if (body.kind === "aborted") {
    return { kind: "json", ...errors.invalidJson("request body was not received completely") };
  }

  const engineRequest: EngineRequest = {
    method: req.method.toLowerCase(),
    url: { path: req.path, query: req.query },
    headers: gatewayAuthorization(req.headers),
  };
  // 1. Authentication first, as the gateway's middleware does: the bearer check, then the keys.
  if (errorsOf(engine.checkSecurity(operation, engineRequest)).length > 0 || key === undefined) {
    return {
      kind: "json",
      ...check(req.headers.authorization ? errors.invalidKey() : errors.missingKey()),
    };
  }
  if (stage.keys !== undefined && !stage.keys.has(key)) {
    return { kind: "json", ...check(errors.invalidKey()) };
  }

  // 2. The scenario header (an unknown one is the caller's mistake, said plainly).
  let scenario: Scenario = simulator.settings.scenario;
  const header = req.headers["x-mock-scenario"];
  if (typeof header === "string" && header.trim() !== "") {
    const parsed = parseScenario(header);
    if (typeof parsed === "string") {
      return { kind: "json", ...check(errors.invalidRequest(parsed)) };
    }
    scenario = mergeScenarios(scenario, parsed);
  }

  let reply: JsonReply;
  if (operation.iid === "createMultiImageVideoTask") {
    reply = await createReply(stage, req, operation, engineRequest, body.text, key, scenario);
  } else {
    const invalid = replyForInvalidRequest(
      engine.checkRequest(operation, engineRequest),
      operation.iid ?? "",
    );
    reply = invalid ?? (await simulator.query(key, taskIdOf(req.path), scenario));
  }
  if (stage.replyHook) reply = { ...reply, ...stage.replyHook(reply) };
  return {
    kind: "json",
    ...check(reply),
    ...(scenario.slowMs === undefined ? {} : { delayMs: scenario.slowMs }),
    ...(scenario.disconnect === true ? { disconnect: true } : {}),
  };
}

/**
 * The gateway's TokenAuth takes the scheme as `Bearer ` or `bearer ` (and nothing else, not
 * `BEARER `); Prism's bearer check only the first. The lower-case form is shown to Prism as the
 * gateway reads it.
 */
function gatewayAuthorization(headers: MockRequest["headers"]): MockRequest["headers"] {
  const auth = headers.authorization;
  if (typeof auth !== "string" || !auth.startsWith("bearer ")) return headers;
  return { ...headers, authorization: `Bearer ${auth.slice("bearer ".length)}` };
}

function taskIdOf(path: string): string {
  try {
    return decodeURIComponent(path.slice(path.lastIndexOf("/") + 1));
  } catch {
    return "";
  }
}

async function createReply(
  stage: ApiStage,
  req: MockRequest,
  operation: Operation,
  engineRequest: EngineRequest,
  text: string,
  key: string,
  scenario: Scenario,
): Promise<JsonReply> {
  const gateway = stage.simulator.settings.fidelity === "gateway";
  // 3. The body: JSON, and nothing else. In gateway mode a body that is not a JSON object gets
  // Distribute's answer (departure unparseable-body).
  const notJson = (detail: string) =>
    gateway ? unparseableReply(detail, stage.now()) : errors.invalidJson(detail);
  const contentType = req.headers["content-type"];
  if (!isJsonType(contentType)) {
    return errors.invalidJson(
      `Content-Type must be application/json, got ${String(contentType).slice(0, 60)}`,
    );
  }
  if (text.trim() === "") return notJson("unexpected end of JSON input");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return notJson(error instanceof Error ? error.message.slice(0, 200) : "not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return notJson("the body must be a JSON object");
  }
  // 4. The model, before the rest (the gateway's distributor picks a channel first).
  const model = Simulator.modelOf(body as Record<string, unknown>);
  if (model !== undefined && model !== "" && !stage.simulator.knowsModel(model)) {
    return errors.modelNotFound(model.slice(0, 100));
  }
  // The gateway's code reads no model from a body without a non-empty string model_name or model.
  if (gateway && (model === undefined || model === "")) return missingModelReply();
  // 5. Request validation against the spec, translated to the gateway's envelope. The engine only
  // checks the media type of a declared non-empty body; a missing header means JSON.
  const headers =
    contentType === undefined
      ? { ...req.headers, "content-type": "application/json" }
      : req.headers;
  const checked = stage.engine.checkRequest(operation, { ...engineRequest, headers, body });
  // The gateway's code takes the model from model_name when it is a string (model-name-preferred):
  // a missing `model` beside one is no fault there, nor a null one (Go's decoder skips a null).
  const fields = body as Record<string, unknown>;
  const modelAbsent = (d: Diagnostic) =>
    isMissingModel(d) ||
    (fields.model === null && d.code === "type" && d.path?.join("/") === "body/model");
  const diagnostics =
    gateway && typeof fields.model_name === "string"
      ? checked.filter((d) => !modelAbsent(d))
      : checked;
  // In gateway mode a body the gateway cannot price crashes it (unpriceable-body-panics), before
  // quota, Kling or any scenario.
  if (gateway && isUnpriceable(diagnostics, body)) return panicReply();
  const invalid = replyForInvalidRequest(diagnostics, operation.iid ?? "");
  if (invalid) return invalid;
  return stage.simulator.create(key, body as CreateBody, scenario);
}
