/**
 * The five response checks, applied to every response: not_a_server_error,
 * status_code_conformance, content_type_conformance, response_headers_conformance and
 * response_schema_conformance. Each asks the spec what it documents for the operation and status,
 * and the independent oracle whether the body and headers match.
 */
import {
  excerpt,
  mediaType,
  parseJson,
  type RecordedRequest,
  type RecordedResponse,
} from "../http.js";
import { describeErrors, pointer } from "../oracle.js";
import type { Session } from "../session.js";
import type { OperationId } from "../spec.js";
import type { Failure } from "../types.js";

/** The response part of a failure. */
export function responseSummary(response: RecordedResponse): NonNullable<Failure["response"]> {
  const summary: NonNullable<Failure["response"]> = {
    status: response.status,
    body: excerpt(response.body),
  };
  const contentType = response.headers["content-type"];
  if (contentType !== undefined) summary.contentType = contentType;
  return summary;
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
  session: Session,
  operation: OperationId,
  request: RecordedRequest,
  response: RecordedResponse,
): Promise<Failure[]> {
  const failures: Failure[] = [];
  const op = session.spec.operation(operation);
  const label = `${op.method.toUpperCase()} ${op.path}`;
  const fail = (check: Failure["check"], message: string) =>
    failures.push({ check, message, request, response: responseSummary(response) });

  session.count("not_a_server_error");
  if (response.status >= 500) {
    fail("not_a_server_error", `${label} answered ${response.status}, a server error`);
  }

  session.count("status_code_conformance");
  const documented = session.spec.response(operation, response.status);
  if (!documented) {
    const known = [...op.responses.keys()].join(", ");
    fail(
      "status_code_conformance",
      `${label} answered ${response.status}, which the spec does not document (documented: ${known})`,
    );
    // Nothing more can be checked against an undocumented status.
    return failures;
  }

  session.count("content_type_conformance");
  const contentType = response.headers["content-type"];
  const media = mediaType(contentType);
  let schema: string[] | undefined;
  if (documented.content.size > 0) {
    const allowed = [...documented.content.keys()];
    if (!media || !documented.content.has(media)) {
      fail(
        "content_type_conformance",
        `${label} ${response.status} has Content-Type ${contentType === undefined ? "(none)" : JSON.stringify(contentType)}; the spec documents ${allowed.join(", ")}`,
      );
    } else {
      schema = documented.content.get(media);
    }
  } else if (response.body.length > 0 && media !== undefined) {
    fail(
      "content_type_conformance",
      `${label} ${response.status} has a ${media} body, but the spec documents no content for it`,
    );
  }

  session.count("response_headers_conformance");
  for (const header of documented.headers) {
    const raw = response.headers[header.name.toLowerCase()];
    if (raw === undefined) {
      if (header.required) {
        fail(
          "response_headers_conformance",
          `${label} ${response.status} lacks the required ${header.name} header`,
        );
      }
      continue;
    }
    const value = headerValue(schemaAt(session.spec.doc, header.schema), raw);
    const verdict = await session.oracle.check(header.schema, value);
    if (!verdict.valid) {
      fail(
        "response_headers_conformance",
        `${label} ${response.status} header ${header.name}: ${JSON.stringify(raw)} does not match #${pointer(header.schema)} (${describeErrors(verdict.errors)})`,
      );
    }
  }

  if (schema) {
    session.count("response_schema_conformance");
    const parsed = parseJson(response.body);
    if (!parsed.ok) {
      fail(
        "response_schema_conformance",
        `${label} ${response.status} says ${media} but its body is not JSON (${parsed.error})`,
      );
    } else {
      const verdict = await session.oracle.check(schema, parsed.value);
      if (!verdict.valid) {
        fail(
          "response_schema_conformance",
          `${label} ${response.status} body does not match #${pointer(schema)}: ${describeErrors(verdict.errors)}`,
        );
      }
    }
  }
  return failures;
}
