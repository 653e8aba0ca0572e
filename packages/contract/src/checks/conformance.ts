/**
 * The five response checks, applied to every response: not_a_server_error,
 * status_code_conformance, content_type_conformance, response_headers_conformance and
 * response_schema_conformance. Each asks the spec what it documents for the operation and status,
 * and the independent oracle whether the body and headers match. The session runs them on every
 * exchange, so this module takes what it needs of a run as {@link ResponseJudge} rather than the
 * session itself.
 */
import { mediaType, parseJson, type RecordedRequest, type RecordedResponse } from "../http.js";
import { describeErrors, type Oracle, pointer } from "../oracle.js";
import type { OperationId, SpecModel } from "../spec.js";
import { declareCheck } from "./metadata.js";
import { type Finding, responseSummary } from "./outcome.js";

/** `not_a_server_error`: any 5xx, or no answer at all, to any request. */
export const notAServerErrorCheck = declareCheck({
  name: "not_a_server_error",
  billable: false,
  stage: "response",
});

/** `status_code_conformance`: a status the spec does not document for the operation. */
export const statusCodeConformanceCheck = declareCheck({
  name: "status_code_conformance",
  billable: false,
  stage: "response",
});

/** `content_type_conformance`: a `Content-Type` the spec does not document for that status. */
export const contentTypeConformanceCheck = declareCheck({
  name: "content_type_conformance",
  billable: false,
  stage: "response",
});

/** `response_headers_conformance`: a documented header invalid, or a required one missing. */
export const responseHeadersConformanceCheck = declareCheck({
  name: "response_headers_conformance",
  billable: false,
  stage: "response",
});

/** `response_schema_conformance`: a body that does not match the schema documented for it. */
export const responseSchemaConformanceCheck = declareCheck({
  name: "response_schema_conformance",
  billable: false,
  stage: "response",
});

/** The name of one of the five response checks. */
export type ResponseCheckName =
  | typeof notAServerErrorCheck.name
  | typeof statusCodeConformanceCheck.name
  | typeof contentTypeConformanceCheck.name
  | typeof responseHeadersConformanceCheck.name
  | typeof responseSchemaConformanceCheck.name;

/** What the response checks need of a run: the spec, the oracle and a tally of cases per check. */
export interface ResponseJudge {
  readonly spec: SpecModel;
  readonly oracle: Pick<Oracle, "check">;
  count(check: ResponseCheckName): void;
}

/**
 * Header values are strings on the wire; a header whose schema is an integer or number is compared
 * as a number when the text is one, as OpenAPI's `simple` style implies.
 */
function headerValue(schema: unknown, raw: string): unknown {
  const type =
    typeof schema === "object" && schema !== null ? (schema as { type?: unknown }).type : undefined;
  if ((type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(raw.trim()))
    return Number(raw);
  return raw;
}

function schemaAt(doc: unknown, segments: readonly string[]): unknown {
  let node = doc;
  for (const s of segments)
    node =
      typeof node === "object" && node !== null ? (node as Record<string, unknown>)[s] : undefined;
  return node;
}

/** Applies the five response checks to one response. */
export async function conformance(
  judge: ResponseJudge,
  operation: OperationId,
  request: RecordedRequest,
  response: RecordedResponse,
): Promise<Finding<ResponseCheckName>[]> {
  const failures: Finding<ResponseCheckName>[] = [];
  const op = judge.spec.operation(operation);
  const label = `${op.method.toUpperCase()} ${op.path}`;
  const fail = (check: ResponseCheckName, message: string) =>
    failures.push({ check, message, request, response: responseSummary(response) });

  judge.count(notAServerErrorCheck.name);
  if (response.status >= 500) {
    fail(notAServerErrorCheck.name, `${label} answered ${response.status}, a server error`);
  }

  judge.count(statusCodeConformanceCheck.name);
  const documented = judge.spec.response(operation, response.status);
  if (!documented) {
    const known = [...op.responses.keys()].join(", ");
    fail(
      statusCodeConformanceCheck.name,
      `${label} answered ${response.status}, which the spec does not document (documented: ${known})`,
    );
    // Nothing more can be checked against an undocumented status.
    return failures;
  }

  judge.count(contentTypeConformanceCheck.name);
  const contentType = response.headers["content-type"];
  const media = mediaType(contentType);
  let schema: string[] | undefined;
  if (documented.content.size > 0) {
    const allowed = [...documented.content.keys()];
    if (!media || !documented.content.has(media)) {
      fail(
        contentTypeConformanceCheck.name,
        `${label} ${response.status} has Content-Type ${contentType === undefined ? "(none)" : JSON.stringify(contentType)}; the spec documents ${allowed.join(", ")}`,
      );
    } else {
      schema = documented.content.get(media);
    }
  } else if (response.body.length > 0 && media !== undefined) {
    fail(
      contentTypeConformanceCheck.name,
      `${label} ${response.status} has a ${media} body, but the spec documents no content for it`,
    );
  }

  judge.count(responseHeadersConformanceCheck.name);
  for (const header of documented.headers) {
    const raw = response.headers[header.name.toLowerCase()];
    if (raw === undefined) {
      if (header.required) {
        fail(
          responseHeadersConformanceCheck.name,
          `${label} ${response.status} lacks the required ${header.name} header`,
        );
      }
      continue;
    }
    const value = headerValue(schemaAt(judge.spec.doc, header.schema), raw);
    const verdict = await judge.oracle.check(header.schema, value);
    if (!verdict.valid) {
      fail(
        responseHeadersConformanceCheck.name,
        `${label} ${response.status} header ${header.name}: ${JSON.stringify(raw)} does not match #${pointer(header.schema)} (${describeErrors(verdict.errors)})`,
      );
    }
  }

  if (schema) {
    judge.count(responseSchemaConformanceCheck.name);
    const parsed = parseJson(response.body);
    if (!parsed.ok) {
      fail(
        responseSchemaConformanceCheck.name,
        `${label} ${response.status} says ${media} but its body is not JSON (${parsed.error})`,
      );
    } else {
      const verdict = await judge.oracle.check(schema, parsed.value);
      if (!verdict.valid) {
        fail(
          responseSchemaConformanceCheck.name,
          `${label} ${response.status} body does not match #${pointer(schema)}: ${describeErrors(verdict.errors)}`,
        );
      }
    }
  }
  return failures;
}
