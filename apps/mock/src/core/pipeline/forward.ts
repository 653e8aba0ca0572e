/**
 * Proxy mode's forwarder: every API request goes to an upstream (the real gateway, a staging copy)
 * and its answer comes back unchanged, while both sides of the exchange are validated against the
 * spec. What breaks it is kept as a violation (`GET /__mock/proxy/violations`), each problem
 * naming the field and the rule, so a live server can be measured against the contract. The key
 * is passed through to the upstream and never kept: recorded exchanges carry it redacted.
 */
import type { EngineRequest, ValidationEngine } from "../engine.js";
import { describe, errorsOf } from "../errors/diagnostics.js";
import { gatewayError } from "../errors/envelopes.js";
import type { LogSink } from "../log.js";
import type { MockReply, MockRequest } from "../request.js";

/** One exchange that broke the spec. */
export interface ProxyViolation {
  method: string;
  path: string;
  /** The upstream's status, 0 when it could not be reached. */
  status: number;
  problems: string[];
  /** Wall-clock ms when the exchange ended. */
  at: number;
}

/** One exchange as recorded (`--record`): the key redacted, bodies as text. */
export interface RecordedExchange {
  request: {
    method: string;
    path: string;
    query: Record<string, string | string[]>;
    headers: Record<string, string>;
    body: string;
  };
  response: { status: number; headers: Record<string, string>; body: string };
  problems: string[];
}

/** What the forwarder needs. */
export interface ForwardStage {
  /** The upstream's base URL (no trailing slash). */
  upstream: string;
  engine: ValidationEngine;
  maxBodyBytes: number;
  log: LogSink;
  /** Violations, newest last, at most `VIOLATION_LIMIT`. */
  violations: ProxyViolation[];
  /** Called with every exchange (the server's `--record` writes them to files). */
  onExchange?: ((exchange: RecordedExchange) => void) | undefined;
  fetch?: typeof fetch;
}

const VIOLATION_LIMIT = 1_000;
/** Hop-by-hop and framing headers: the forwarder's own connections set them. */
const HOP = new Set([
  "host",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "upgrade",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  // fetch decodes compressed answers: passing the encoding on would mislabel the bytes.
  "content-encoding",
]);
/** Headers whose values are secrets: kept out of records. */
const SECRET = new Set(["authorization", "x-api-key", "cookie", "set-cookie"]);

function headerRecord(
  headers: Record<string, string | string[] | undefined>,
  redact: boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP.has(name)) continue;
    out[name] =
      redact && SECRET.has(name) ? "<redacted>" : Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text === "" ? undefined : text;
  }
}

/** Forwards one request to the upstream and returns its answer unchanged. */
export async function forwardApi(stage: ForwardStage, req: MockRequest): Promise<MockReply> {
  const body =
    req.method === "GET" || req.method === "HEAD"
      ? { kind: "ok" as const, text: "" }
      : await req.readBody(stage.maxBodyBytes);
  if (body.kind !== "ok") {
    return {
      kind: "json",
      ...gatewayError(
        413,
        "proxy: request body too large or incomplete",
        "read_request_body_failed",
      ),
    };
  }
  const problems: string[] = [];
  const routed = stage.engine.route(req.method, req.path);
  const operation = "operation" in routed ? routed.operation : undefined;
  if (operation === undefined) {
    problems.push(`request: ${req.method} ${req.path} is not an operation of the spec`);
  } else {
    const engineRequest: EngineRequest = {
      method: req.method.toLowerCase(),
      url: { path: req.path, query: req.query },
      headers: req.headers,
      ...(body.text === "" ? {} : { body: parseJson(body.text) }),
    };
    for (const d of errorsOf(stage.engine.checkRequest(operation, engineRequest))) {
      problems.push(`request: ${describe(d)}`);
    }
  }

  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query)) {
    for (const one of Array.isArray(v) ? v : [v]) search.append(k, one);
  }
  const target = `${stage.upstream}${req.path}${search.size > 0 ? `?${search}` : ""}`;
  const forwarded = headerRecord(req.headers, false);
  let response: Response;
  try {
    response = await (stage.fetch ?? fetch)(target, {
      method: req.method,
      headers: forwarded,
      ...(body.text === "" ? {} : { body: body.text }),
      redirect: "manual",
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    remember(stage, {
      method: req.method,
      path: req.path,
      status: 0,
      problems: [`upstream unreachable: ${reason}`],
      at: Date.now(),
    });
    return {
      kind: "json",
      ...gatewayError(502, `proxy: upstream unreachable (${reason})`, "upstream_unreachable"),
    };
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!HOP.has(name)) headers[name] = value;
  });
  if (operation !== undefined) {
    const checked = stage.engine.checkResponse(operation, {
      statusCode: response.status,
      headers,
      body: parseJson(text),
    });
    for (const d of checked) {
      // Prism grades an undocumented non-2xx status a warning (it still mocks the rest); against
      // a live server it is exactly what the contract is for, so it counts here.
      const undocumented = /Unable to match the returned status code/.exec(d.message);
      if (undocumented) {
        const documented = d.message.split(": ").at(-1) ?? "";
        problems.push(
          `status ${response.status} is not documented for this operation (documented: ${documented})`,
        );
      } else if (d.severity === 0) {
        problems.push(describeResponse(d));
      }
    }
  }
  if (problems.length > 0) {
    remember(stage, {
      method: req.method,
      path: req.path,
      status: response.status,
      problems,
      at: Date.now(),
    });
  }
  stage.onExchange?.({
    request: {
      method: req.method,
      path: req.path,
      query: req.query,
      headers: headerRecord(req.headers, true),
      body: body.text,
    },
    response: { status: response.status, headers: headerRecord(headers, true), body: text },
    problems,
  });
  return {
    kind: "bytes",
    status: response.status,
    headers,
    body: req.method === "HEAD" ? undefined : bytes,
  };
}

/** A response diagnostic as a problem: the field (without the `body` prefix) and the rule. */
function describeResponse(d: Parameters<typeof describe>[0]): string {
  const where = d.path?.[0];
  if (where === "body") return describe(d);
  if (where === "header" || where === "headers") return `header ${describe(d)}`;
  return describe(d);
}

function remember(stage: ForwardStage, violation: ProxyViolation): void {
  stage.violations.push(violation);
  if (stage.violations.length > VIOLATION_LIMIT)
    stage.violations.splice(0, stage.violations.length - VIOLATION_LIMIT);
  stage.log(
    `kling-mock proxy: ${violation.method} ${violation.path} -> ${violation.status}: ${violation.problems.join("; ")}`,
  );
}
