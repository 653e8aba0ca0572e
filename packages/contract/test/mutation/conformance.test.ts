// The five response checks on hand-made responses, against the literal document of support.ts.
import { describe, expect, it } from "vitest";
import { conformance } from "../../src/checks/conformance.js";
import { responseSummary } from "../../src/checks/outcome.js";
import type { RecordedResponse } from "../../src/http.js";
import { BASE, CREATE, makeSession, stubOracle } from "./support.js";

const POST = `POST ${CREATE}`;
const GET = `GET ${CREATE}/{task_id}`;
const CREATED_JSON = "#/components/responses/Created/content/application~1json/schema";

const res = (
  status: number,
  headers: Record<string, string> = {},
  body = "",
): RecordedResponse => ({ status, headers, body, durationMs: 1 });
const json = (status: number, value: unknown, headers: Record<string, string> = {}) =>
  res(status, { "content-type": "application/json", ...headers }, JSON.stringify(value));

function check(response: RecordedResponse, operation = "createMultiImageVideoTask" as const) {
  const { oracle, calls } = stubOracle();
  const { session } = makeSession({}, oracle);
  const request = { method: "POST", url: `${BASE}${CREATE}`, headers: {} };
  return conformance(session, operation, request, response).then((failures) => ({
    failures,
    calls,
    cases: Object.fromEntries(session.cases),
    request,
    messages: failures.map((f) => `${f.check}: ${f.message}`),
  }));
}

describe("conformance", () => {
  it("passes a documented JSON answer, counting each of the five checks once", async () => {
    const r = await check(json(200, { ok: true }));
    expect(r.failures).toEqual([]);
    expect(r.cases).toEqual({
      not_a_server_error: 1,
      status_code_conformance: 1,
      content_type_conformance: 1,
      response_headers_conformance: 1,
      response_schema_conformance: 1,
    });
    expect(r.calls).toEqual([
      { at: "components/responses/Created/content/application/json/schema", value: { ok: true } },
    ]);
  });

  it("names the schema and the broken rule of a body that does not match", async () => {
    const response = json(200, { invalid: 1 });
    const r = await check(response);
    expect(r.failures).toEqual([
      {
        check: "response_schema_conformance",
        message: `${POST} 200 body does not match ${CREATED_JSON}: #/invalid fails #/stub/not`,
        request: r.request,
        response: { status: 200, contentType: "application/json", body: '{"invalid":1}' },
      },
    ]);
  });

  it("says when a body that claims JSON is not JSON", async () => {
    const r = await check(res(200, { "content-type": "Application/JSON; charset=utf-8" }, "nope"));
    expect(r.messages).toEqual([
      expect.stringMatching(
        /^response_schema_conformance: POST \/kling\/v1\/videos\/multi-image2video 200 says application\/json but its body is not JSON \(.*JSON.*\)$/,
      ),
    ]);
    expect(r.calls).toEqual([]);
  });

  it("validates against the schema of the media type answered", async () => {
    const r = await check(res(200, { "content-type": "TEXT/EVENT-STREAM" }, '{"a":1}'));
    expect(r.failures).toEqual([]);
    expect(r.calls).toEqual([
      { at: "components/responses/Created/content/Text/Event-Stream/schema", value: { a: 1 } },
    ]);
  });

  it("refuses a missing or undocumented Content-Type, listing the documented ones", async () => {
    const none = await check(res(200, {}, '{"a":1}'));
    expect(none.messages).toEqual([
      `content_type_conformance: ${POST} 200 has Content-Type (none); the spec documents application/json, text/event-stream`,
    ]);
    expect(none.cases.response_schema_conformance).toBeUndefined();
    const html = await check(res(200, { "content-type": "text/html" }, "<p>"));
    expect(html.messages).toEqual([
      `content_type_conformance: ${POST} 200 has Content-Type "text/html"; the spec documents application/json, text/event-stream`,
    ]);
    expect(html.failures[0]?.response).toEqual({
      status: 200,
      contentType: "text/html",
      body: "<p>",
    });
  });

  it("refuses a typed body where the spec documents no content, and only then", async () => {
    const typed = await check(res(204, { "content-type": "text/plain" }, "x"));
    expect(typed.messages).toEqual([
      `content_type_conformance: ${POST} 204 has a text/plain body, but the spec documents no content for it`,
    ]);
    expect((await check(res(204, { "content-type": "text/plain" }, ""))).failures).toEqual([]);
    expect((await check(res(204, {}, "x"))).failures).toEqual([]);
  });

  it("checks no body where the media type has no schema", async () => {
    const r = await check(res(202, { "content-type": "text/plain" }, "ok"));
    expect(r.failures).toEqual([]);
    expect(r.calls).toEqual([]);
    expect(r.cases.response_schema_conformance).toBeUndefined();
    expect(r.cases.content_type_conformance).toBe(1);
  });

  it("lists the documented statuses for one that is not, and checks nothing more", async () => {
    const r = await check(res(302, { "content-type": "text/html" }, "moved"));
    expect(r.messages).toEqual([
      `status_code_conformance: ${POST} answered 302, which the spec does not document (documented: 200, 202, 204, 429, 500, 503, 4XX)`,
    ]);
    expect(r.cases).toEqual({ not_a_server_error: 1, status_code_conformance: 1 });
    const get = await check(res(302), "getMultiImageVideoTask" as never);
    expect(get.messages).toEqual([
      `status_code_conformance: ${GET} answered 302, which the spec does not document (documented: 200, 429, 503, 4XX)`,
    ]);
  });

  it("takes any 5xx as a server error, documented or not, and nothing below", async () => {
    expect((await check(json(500, {}))).messages).toEqual([
      `not_a_server_error: ${POST} answered 500, a server error`,
    ]);
    expect((await check(res(599))).messages).toEqual([
      `not_a_server_error: ${POST} answered 599, a server error`,
      `status_code_conformance: ${POST} answered 599, which the spec does not document (documented: 200, 202, 204, 429, 500, 503, 4XX)`,
    ]);
    expect((await check(json(499, {}))).failures).toEqual([]);
    expect((await check(json(404, {}), "getMultiImageVideoTask" as never)).failures).toEqual([]);
  });

  describe("headers", () => {
    it("passes documented headers with valid values, reading numbers as numbers", async () => {
      const r = await check(
        json(429, {}, { "retry-after": " 7 ", "x-count": "-2.5", "x-trace": "123" }),
      );
      expect(r.failures).toEqual([]);
      expect(r.calls.map((c) => [c.at.split("/").slice(-2).join("/"), c.value])).toEqual([
        ["RetryAfter/schema", 7],
        ["X-Trace/schema", "123"],
        ["X-Count/schema", -2.5],
        ["json/schema", {}],
      ]);
    });

    it("reads multi-digit numbers, and keeps the text where the schema is missing or null", async () => {
      const r = await check(
        json(429, {}, { "retry-after": "12", "x-count": "-2.25", "x-plain": "7", "x-null": "8" }),
      );
      expect(r.failures).toEqual([]);
      expect(r.calls.map((c) => [c.at.split("/").slice(-2).join("/"), c.value])).toEqual([
        ["RetryAfter/schema", 12],
        ["X-Count/schema", -2.25],
        ["X-Plain/schema", "7"],
        ["X-Null/schema", "8"],
        ["json/schema", {}],
      ]);
    });

    it("names a required header that is missing, and not an optional one", async () => {
      const r = await check(json(429, {}));
      expect(r.messages).toEqual([
        `response_headers_conformance: ${POST} 429 lacks the required Retry-After header`,
        `response_headers_conformance: ${POST} 429 lacks the required X-Count header`,
      ]);
    });

    it.each([
      ["soon", "soon"],
      ["-1", -1],
      ["1.5", 1.5],
      ["1.", "1."],
      ["7s", "7s"],
      ["x7", "x7"],
    ])("refuses Retry-After %j, quoting it and the schema", async (raw, value) => {
      const r = await check(json(429, {}, { "retry-after": raw, "x-count": "1" }));
      expect(r.messages).toEqual([
        `response_headers_conformance: ${POST} 429 header Retry-After: ${JSON.stringify(raw)} does not match #/components/headers/RetryAfter/schema (# fails #/components/headers/RetryAfter/schema/type)`,
      ]);
      expect(r.calls[0]?.value).toBe(value);
    });

    it("keeps the text of a header whose schema is not a number", async () => {
      const r = await check(json(429, {}, { "retry-after": "3", "x-count": "12a" }));
      expect(r.messages).toEqual([
        `response_headers_conformance: ${POST} 429 header X-Count: "12a" does not match #/components/responses/Limited/headers/X-Count/schema (# fails #/count)`,
      ]);
    });
  });
});

describe("responseSummary", () => {
  it("keeps status, content type and an excerpt of the body", () => {
    expect(responseSummary(res(200, { "content-type": "text/plain" }, "hi"))).toEqual({
      status: 200,
      contentType: "text/plain",
      body: "hi",
    });
    const plain = responseSummary(res(500, {}, "x".repeat(301)));
    expect(plain).toEqual({ status: 500, body: `${"x".repeat(300)}… (301 chars)` });
    expect("contentType" in plain).toBe(false);
  });
});
