// The compiled engine (src/validation/, validators compiled at build time for the MSW handlers)
// must decide and word everything exactly as Prism's engine does (`loadPrismEngine(path,
// "prism")`: Prism's own router, validateSecurity, validateInput and validateOutput). This compares
// full diagnostic lists (or the error thrown) on the random requests and responses
// test/prism-plans.test.ts uses, on malformed input meant to reach Prism's rarer branches (forms,
// unparseable media types, bad escapes, missing lengths), on routing and security decisions, and
// on a kitchen-sink document compiled on the fly for what the mock's documents do not use.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { specPath } from "@kling-multi-image/spec";
import { specExamples } from "@kling-multi-image/test-support";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { render } from "../scripts/compile-validators.mjs";
import type {
  EngineRequest,
  EngineResponse,
  Operation,
  ValidationEngine,
} from "../src/core/engine.js";
import { seededRandom } from "../src/core/simulator/random.js";
import { loadPrismEngine } from "../src/prism/engine.js";
import {
  apiEngine,
  type CompiledDocument,
  compiledEngines,
  controlEngine,
  createCompiledEngine,
} from "../src/validation/index.js";
import {
  mutate,
  pick,
  plan,
  type Rng,
  randomJson,
  randomString,
  responseFromExamples,
  toEngineRequest,
} from "./support/fuzz-gen.js";

const controlApiPath = fileURLToPath(new URL("../control-api.yaml", import.meta.url));

/** What a call gives, or the message it throws (Prism throws on some malformed responses). */
function outcome<T>(f: () => T): T | { threw: string } {
  try {
    return f();
  } catch (error) {
    return { threw: error instanceof Error ? error.message : String(error) };
  }
}

const routeKey = (r: ReturnType<ValidationEngine["route"]>) =>
  "operation" in r ? { operation: r.operation.id } : r;

/** The same operation in the other engine (they are different objects). */
function twin(engine: ValidationEngine, op: Operation): Operation {
  const found = engine.operations.find((o) => o.id === op.id);
  if (found === undefined) throw new Error(`no operation ${op.id}`);
  return found;
}

interface Pair {
  prism: ValidationEngine;
  /** Prism's engine on a second copy of the document, for bodies Prism reads as forms. */
  prismForms: ValidationEngine;
  compiled: ValidationEngine;
}

/**
 * Whether Prism may validate this body as a form. Prism caches a compiled schema per schema
 * object without telling coercing and non-coercing validators apart, so once a form body has
 * been validated (with coercion), later JSON bodies of the same content are validated with
 * coercion too, and coerced in place: an order-dependent quirk the compiled engine does not
 * reproduce (it validates as Prism does on a fresh process). Form cases therefore go to a Prism
 * engine of their own, which never sees a JSON body.
 */
const maybeForm = (headers: Record<string, unknown>) =>
  Object.entries(headers).some(
    ([k, v]) =>
      k.toLowerCase() === "content-type" && /form-urlencoded|multipart\/form-data/i.test(String(v)),
  );

/**
 * Routes a request with both engines and, when it routes, compares security and request checks.
 * Returns the (Prism) diagnostics, or undefined when the request did not route.
 */
function compareRequest(pair: Pair, request: EngineRequest) {
  const { compiled } = pair;
  const prism = maybeForm(request.headers) ? pair.prismForms : pair.prism;
  const routed = prism.route(request.method, request.url.path);
  expect(routeKey(compiled.route(request.method, request.url.path))).toStrictEqual(
    routeKey(routed),
  );
  if (!("operation" in routed)) return undefined;
  const op = routed.operation;
  const mine = twin(compiled, op);
  expect(outcome(() => compiled.checkSecurity(mine, request))).toStrictEqual(
    outcome(() => prism.checkSecurity(op, request)),
  );
  const expected = outcome(() => prism.checkRequest(op, structuredClone(request)));
  expect(outcome(() => compiled.checkRequest(mine, structuredClone(request)))).toStrictEqual(
    expected,
  );
  return expected;
}

function compareResponse(pair: Pair, op: Operation, response: EngineResponse) {
  const prism = maybeForm(response.headers) ? pair.prismForms : pair.prism;
  const theirs = twin(prism, op);
  const expected = outcome(() => prism.checkResponse(theirs, structuredClone(response)));
  const received = outcome(() =>
    pair.compiled.checkResponse(twin(pair.compiled, op), structuredClone(response)),
  );
  expect(received).toStrictEqual(expected);
  return expected;
}

/** Another spelling of a path: Prism's engine loads the document again (new schema objects). */
const again = (path: string) => `${dirname(path)}/./${basename(path)}`;

const apiPair = async (): Promise<Pair> => ({
  prism: await loadPrismEngine(specPath, "prism"),
  prismForms: await loadPrismEngine(again(specPath), "prism"),
  compiled: apiEngine,
});
const controlPair = async (): Promise<Pair> => ({
  prism: await loadPrismEngine(controlApiPath, "prism"),
  prismForms: await loadPrismEngine(again(controlApiPath), "prism"),
  compiled: controlEngine,
});

/**
 * Not an API: a document that reaches the corners of Prism's validator the mock's documents do
 * not (security schemes, parameter styles, deprecated parameters, form and multipart bodies with
 * encodings, readOnly/writeOnly, allOf, date-time, wildcard response codes and media types).
 */
const KITCHEN_SINK = `openapi: 3.1.0
info:
  title: Kitchen sink
  version: 1.0.0
security:
  - bearer: []
paths:
  /things:
    get:
      operationId: listThings
      security:
        - apiKeyHeader: []
          apiKeyQuery: []
        - basic: []
        - {}
      parameters:
        - name: tags
          in: query
          schema: { type: array, items: { type: string, minLength: 2 }, maxItems: 3 }
        - name: ids
          in: query
          explode: false
          schema: { type: array, items: { type: integer } }
        - name: pipes
          in: query
          style: pipeDelimited
          schema: { type: array, items: { type: string, enum: [a, b] } }
        - name: filter
          in: query
          style: deepObject
          explode: true
          schema:
            type: object
            properties:
              color: { type: string, enum: [red, blue] }
              size: { type: integer, minimum: 1 }
              codes: { type: array, items: { type: string } }
        - name: since
          in: query
          schema: { type: string, format: date-time }
        - name: old
          in: query
          deprecated: true
          schema: { type: string }
        - name: X-Request-Id
          in: header
          required: true
          schema: { type: string, pattern: "^[a-f0-9-]+$" }
        - name: X-Old
          in: header
          deprecated: true
          schema: { type: integer }
        - name: X-List
          in: header
          schema: { type: array, items: { type: number } }
      responses:
        "2XX":
          description: ok
          headers:
            X-Rate:
              schema: { type: integer, maximum: 100 }
              required: true
            X-Old:
              deprecated: true
              schema: { type: string }
          content:
            application/json:
              schema:
                type: array
                items: { $ref: "#/components/schemas/Thing" }
            text/csv:
              schema: { type: string }
        "200":
          description: exact
          content:
            application/json; charset=utf-8:
              schema: { type: array }
        default:
          description: anything else
          content:
            application/problem+json:
              schema: { $ref: "#/components/schemas/Problem" }
            application/x-www-form-urlencoded:
              schema: { $ref: "#/components/schemas/Problem" }
    post:
      operationId: createThing
      security:
        - oauth: []
        - openId: []
          cookieKey: []
        - digest: []
        - weird: []
        - mtls: []
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/NewThing" }
          application/x-www-form-urlencoded:
            schema: { $ref: "#/components/schemas/NewThing" }
            encoding:
              tags: { style: form, explode: false }
              parts: { style: form, explode: true }
              name: { allowReserved: false, style: form }
          multipart/form-data:
            schema: { $ref: "#/components/schemas/NewThing" }
            encoding:
              tags: { style: pipeDelimited }
              parts: { style: form, explode: false }
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Thing" }
        4XX:
          description: client error
          content:
            "*/*":
              schema: { $ref: "#/components/schemas/Problem" }
  /things/{id}:
    parameters:
      - name: id
        in: path
        required: true
        schema: { type: integer, minimum: 1 }
    get:
      operationId: getThing
      security: []
      responses:
        "200":
          description: ok
          content:
            application/*:
              schema: { $ref: "#/components/schemas/Thing" }
    delete:
      operationId: deleteThing
      responses:
        "204":
          description: gone
  /things/{id}/labels/{label}:
    put:
      operationId: label
      parameters:
        - name: id
          in: path
          required: true
          style: label
          schema: { type: array, items: { type: integer } }
        - name: label
          in: path
          required: true
          style: matrix
          explode: true
          schema: { type: string, maxLength: 5 }
      requestBody:
        content:
          text/plain:
            schema: { type: string, maxLength: 10 }
      responses:
        "200":
          description: ok
  /things/special:
    get:
      operationId: special
      responses:
        "200":
          description: ok
components:
  securitySchemes:
    bearer: { type: http, scheme: bearer }
    basic: { type: http, scheme: basic }
    digest: { type: http, scheme: digest }
    weird: { type: http, scheme: Bearer }
    apiKeyHeader: { type: apiKey, in: header, name: X-Api-Key }
    apiKeyQuery: { type: apiKey, in: query, name: key }
    cookieKey: { type: apiKey, in: cookie, name: sid }
    oauth:
      type: oauth2
      flows: { clientCredentials: { tokenUrl: "https://x.test/token", scopes: {} } }
    openId: { type: openIdConnect, openIdConnectUrl: "https://x.test/.well-known" }
    mtls: { type: mutualTLS }
  schemas:
    Thing:
      allOf:
        - type: object
          required: [id, name]
          properties:
            id: { type: integer, readOnly: true }
            name: { type: string, minLength: 1 }
        - type: object
          properties:
            secret: { type: string, writeOnly: true }
            created: { type: string, format: date-time }
            tags: { type: array, items: { type: string }, uniqueItems: true }
    NewThing:
      type: object
      required: [name]
      additionalProperties: false
      properties:
        id: { type: integer, readOnly: true }
        name: { type: string, minLength: 2, maxLength: 8 }
        secret: { type: string, writeOnly: true }
        count: { type: integer, minimum: 0 }
        ok: { type: boolean }
        when: { type: string, format: date-time }
        tags: { type: array, items: { type: string } }
        parts:
          type: array
          items:
            type: object
            required: [n]
            properties: { n: { type: integer } }
      unevaluatedProperties: false
    Problem:
      type: object
      required: [title]
      properties:
        title: { type: string }
        status: { type: integer, minimum: 100, maximum: 599 }
`;

/** Compiles the kitchen sink into a temporary directory and loads both engines on it. */
async function kitchenSinkPair(): Promise<Pair> {
  const dir = mkdtempSync(join(tmpdir(), "compiled-engine-"));
  try {
    const spec = join(dir, "kitchen-sink.yaml");
    writeFileSync(spec, KITCHEN_SINK);
    const module = join(dir, "kitchen-sink.ts");
    writeFileSync(module, await render({ spec }, { absoluteImports: true }));
    const { document } = (await import(module)) as { document: CompiledDocument };
    return {
      prism: await loadPrismEngine(spec, "prism"),
      prismForms: await loadPrismEngine(again(spec), "prism"),
      compiled: createCompiledEngine(document),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

function kitchenSinkRequest(rng: Rng): EngineRequest {
  const id = () => pick(rng, ["1", "0", "abc", "%zz", "1,2", "", "99", "%31"]);
  const [method, path] = pick(rng, [
    ["GET", "/things"],
    ["GET", "/things"],
    ["POST", "/things"],
    ["POST", "/things"],
    ["POST", "/things"],
    ["GET", `/things/${id()}`],
    ["DELETE", `/things/${id()}`],
    [
      "PUT",
      `/things/${pick(rng, [".1,2", ".1", ".", ".a", "1", ".1.2"])}/labels/${pick(rng, [";label=abc", ";label=toolong", "x", ";x=1", ";label="])}`,
    ],
    ["GET", "/things/special"],
    ["PATCH", "/things"],
    ["GET", `/${randomString(rng, 10)}`],
  ] as const);
  const query: Record<string, string | string[]> = {};
  const maybe = (name: string, values: (string | string[])[]) => {
    if (rng() < 0.3) query[name] = pick(rng, values);
  };
  maybe("tags", ["ab", "a", ["ab", "cd"], ["ab", "c", "de", "fg"], ""]);
  maybe("ids", ["1,2", "a", "3", ["1", "2,x"]]);
  maybe("pipes", ["a|b", "c", ["a|b", "b"], ""]);
  maybe("filter[color]", ["red", "green"]);
  maybe("filter[size]", ["0", "2", "x"]);
  maybe("filter[codes][0]", ["a"]);
  maybe("since", [
    "2024-01-01T00:00:00Z",
    "2024-01-01 00:00:00+0100",
    "2024-02-30T00:00:00Z",
    "2024-01-01T00:00:00",
    "x",
  ]);
  maybe("old", ["1", ""]);
  maybe("key", ["k", ""]);
  const headers: Record<string, string | string[]> = {};
  const header = (name: string, values: (string | string[])[]) => {
    if (rng() < 0.5) headers[name] = pick(rng, values);
  };
  header("x-request-id", ["abc-123", "XYZ", ""]);
  header(pick(rng, ["x-old", "X-Old"]), ["5", "five"]);
  header("x-list", ["1,2", "a", "1.5"]);
  header("x-api-key", ["k", ""]);
  header("authorization", [
    "Bearer t",
    "Bearer",
    `Basic ${b64("u:p")}`,
    `Basic ${b64("up")}`,
    `basic ${b64("a:b")}`,
    `Basic ${b64("u:p").replace(/=/g, "")}!`,
    "Basic",
    'Digest username="u", realm="r", nonce="n", uri="/", response="x"',
    'Digest username="u"',
    "Digest",
  ]);
  header("cookie", ["sid=1", "sid=", "other=1"]);
  let body: unknown;
  const forms: [string, () => unknown][] = [
    [
      "application/json",
      () =>
        pick(rng, [
          { name: "abc" },
          { name: "a", count: -1 },
          { name: "abcdef", tags: ["x"], parts: [{ n: 1 }], when: "2024-01-01T00:00:00Z" },
          { id: 1, name: "ab" },
          { name: "ab", secret: "s", extra: 1 },
          randomJson(rng),
        ]),
    ],
    [
      "application/x-www-form-urlencoded",
      () =>
        pick(rng, [
          "name=abc&count=2",
          "name=a+b&tags=x,y&parts=%7B%22n%22%3A1%7D,%7B%22n%22%3A2%7D",
          "name=ab&parts=%7B%22n%22%3A1",
          "name=a/b",
          "count=x&ok=true&when=2024-01-01T00%3A00%3A00Z",
          "name=%E0%A4%A",
          "",
          "name=ab&extra=1",
        ]),
    ],
    [
      "multipart/form-data; boundary=XX",
      () =>
        pick(rng, [
          '--XX\r\nContent-Disposition: form-data; name="name"\r\n\r\nabc\r\n--XX\r\nContent-Disposition: form-data; name="tags"\r\n\r\na|b\r\n--XX--\r\n',
          '--XX\r\nContent-Disposition: form-data; name="count"\r\n\r\nx\r\n--XX--\r\n',
          '--XX\r\nContent-Disposition: form-data; name="parts"\r\n\r\n{"n":1},{"n":"x"}\r\n--XX--\r\n',
          '--XX\r\nContent-Disposition: form-data; name="name"; filename="f.txt"\r\nContent-Type: text/plain\r\n\r\nabc\r\n--XX--\r\n',
          '--XX\r\nContent-Disposition: form-data; name="name"; filename=f\r\n\r\nabc\r\n--XX--\r\n',
          "no parts at all",
        ]),
    ],
    ["multipart/form-data", () => "name=abc"],
    ["text/plain", () => pick(rng, ["short", "far too long a text", 5])],
    ["application/xml", () => "<a/>"],
  ];
  const form = pick(rng, forms);
  if (method !== "GET" && rng() < 0.9) body = form[1]();
  if (rng() < 0.9) headers["content-type"] = form[0];
  if (body !== undefined && rng() < 0.5)
    headers["content-length"] = String(JSON.stringify(body).length);
  return { method: method.toLowerCase(), url: { path, query }, headers, body };
}

function kitchenSinkResponse(rng: Rng): EngineResponse {
  const thing = () =>
    pick(rng, [
      { id: 1, name: "n" },
      { name: "n", secret: "s" },
      { id: "x", name: "" },
      { id: 1, name: "n", created: "2024-01-01T00:00:00Z", tags: ["a", "a"] },
      { id: 1, name: "n", created: "yesterday" },
    ]);
  const headers: Record<string, string> = {};
  if (rng() < 0.9) {
    headers["content-type"] = pick(rng, [
      "application/json",
      "application/json; charset=utf-8",
      "application/json; charset=latin1",
      "text/csv",
      "application/problem+json",
      "application/x-www-form-urlencoded",
      "text/plain",
      "application/vnd.x+json",
      "*/*",
    ]);
  }
  if (rng() < 0.6) headers["x-rate"] = pick(rng, ["5", "500", "x"]);
  if (rng() < 0.2) headers["x-old"] = "1";
  const body = pick(rng, [
    [thing(), thing()],
    thing(),
    { title: "t", status: 404 },
    { status: 42 },
    "title=t&status=x",
    "status=500",
    "",
    randomJson(rng),
  ]);
  return { statusCode: pick(rng, [200, 201, 204, 250, 299, 400, 404, 500, 302]), headers, body };
}

const isError = (d: unknown) =>
  Array.isArray(d) && d.some((x: { severity: number }) => x.severity === 0);

const ODD_CONTENT_TYPES = [
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=utf-8",
  "multipart/form-data; boundary=x",
  "multipart/form-data",
  "application/json;;",
  "application/json; charset",
  'application/json; charset="utf-8"',
  "APPLICATION/JSON",
  " application/json ",
  "application/*",
  "*/*",
  "invalid",
  "text/plain",
  "application/problem+json",
  "",
];

const ODD_BODIES = [
  "a=1&b=2",
  "model=kling-v1-6&prompt=x&image_list=%5B%5D",
  "model=%E0%A4%A&prompt=a+b",
  '--x\r\nContent-Disposition: form-data; name="model"\r\n\r\nkling-v1-6\r\n--x--\r\n',
  '--x\r\nContent-Disposition: form-data; name="ms"\r\n\r\n5\r\n--x\r\nContent-Disposition: form-data; name="status"; filename="a"\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--x--\r\n',
  "--x\r\nContent-Disposition: broken\r\n\r\nv\r\n--x--\r\n",
  "ms=5",
  "status=failed&reason=x%2Cy",
  "",
];

/** A random request, then bent: odd media types and bodies, missing lengths, odd header names. */
function oddRequest(rng: Rng, base: EngineRequest): EngineRequest {
  const headers: Record<string, string | string[] | undefined> = { ...base.headers };
  let body = base.body;
  if (rng() < 0.4) headers["content-type"] = pick(rng, ODD_CONTENT_TYPES);
  if (rng() < 0.4) body = pick(rng, ODD_BODIES);
  if (rng() < 0.4) delete headers["content-length"];
  else if (rng() < 0.3) headers["content-length"] = pick(rng, ["0", "12", "abc", "-1"]);
  if (rng() < 0.1) {
    headers["Content-Type"] = headers["content-type"];
    delete headers["content-type"];
  }
  if (rng() < 0.05) headers.authorization = ["Bearer a", "Bearer b"];
  let path = base.url.path;
  if (rng() < 0.15)
    path = `${path.replace(/\/[^/]*$/, "")}/${pick(rng, ["a,b", "%zz", "a%2Cb", ",", "%", "x%E0%A4%A"])}`;
  const query: Record<string, string | string[]> = { ...base.url.query };
  if (rng() < 0.2) query.limit = pick(rng, [["1", "2"], "0", "5", "", "1001", "x"]);
  if (rng() < 0.2) query.task_id = pick(rng, [["a", "b"], "", "t"]);
  return { ...base, url: { path, query }, headers, body };
}

describe("the compiled engine equals Prism's", () => {
  it("on 3,000 random requests to the Kling API (routing, security, request checks)", async () => {
    const pair = await apiPair();
    const random = seededRandom(7);
    const rng = () => random.next();
    let compared = 0;
    let withErrors = 0;
    for (let i = 0; i < 3_000; i++) {
      const request = toEngineRequest(
        plan(rng, ["abc", "CjMkb2eFcrsAAAAAAKL4bg", "x".repeat(140)]),
      );
      const expected = compareRequest(pair, request);
      if (expected === undefined) continue;
      compared++;
      if (isError(expected)) withErrors++;
    }
    expect(compared).toBeGreaterThan(1_000);
    expect(withErrors).toBeGreaterThan(300);
  });

  it("on 3,000 malformed requests (forms, odd media types, lengths, escapes, arrays)", async () => {
    const pairs = [await apiPair(), await controlPair()];
    const random = seededRandom(19);
    const rng = () => random.next();
    const controlPaths = [
      "/__mock/clock/advance",
      "/__mock/config",
      "/__mock/tasks",
      "/__mock/tasks/t1/state",
      "/__mock/callbacks",
      "/__mock/videos/a.mp4",
    ];
    let compared = 0;
    let uri = 0;
    let forms = 0;
    for (let i = 0; i < 3_000; i++) {
      const api = rng() < 0.6;
      const base = api
        ? toEngineRequest(plan(rng, ["abc", "CjMkb2eFcrsAAAAAAKL4bg"]))
        : toEngineRequest({
            method: pick(rng, ["GET", "POST", "PATCH"]),
            path: pick(rng, controlPaths),
            headers: { "content-type": "application/json" },
            body: JSON.stringify(
              pick(rng, [{ ms: 5 }, { status: "failed" }, { scenario: null }, randomJson(rng)]),
            ),
          });
      const request = oddRequest(rng, base);
      const expected = compareRequest(pairs[api ? 0 : 1] as Pair, request);
      if (expected === undefined) continue;
      compared++;
      const list = Array.isArray(expected) ? expected : [];
      if (list.some((d) => d.code === "uri")) uri++;
      if (list.some((d) => d.code === "422" || d.message.startsWith("Request body property")))
        forms++;
    }
    expect(compared).toBeGreaterThan(1_000);
    expect(uri).toBeGreaterThan(20);
    expect(forms).toBeGreaterThan(20);
  });

  it("on 3,000 responses derived from the spec's examples", async () => {
    const pair = await apiPair();
    const examples = Object.values(specExamples());
    const random = seededRandom(11);
    const rng = () => random.next();
    let withErrors = 0;
    let threw = 0;
    for (let i = 0; i < 3_000; i++) {
      const operation = pick(rng, pair.prism.operations);
      const response = responseFromExamples(rng, examples, { contentTypes: ODD_CONTENT_TYPES });
      const expected = compareResponse(pair, operation, response);
      if (isError(expected)) withErrors++;
      if (!Array.isArray(expected)) threw++;
    }
    expect(withErrors).toBeGreaterThan(500);
    expect(threw).toBeGreaterThan(0);
  });

  it("on the control API's requests and responses", async () => {
    const pair = await controlPair();
    const random = seededRandom(3);
    const rng = () => random.next();
    const paths = [
      "/__mock/clock/advance",
      "/__mock/config",
      "/__mock/tasks?limit=5",
      "/__mock/tasks?limit=abc",
      "/__mock/tasks/x/state",
      "/__mock/callbacks?task_id=",
      "/__mock/videos/x.mp4",
      "/__mock/videos/..mp4",
      "/__mock/health",
      "/__mock/reset",
    ];
    let compared = 0;
    for (let i = 0; i < 1_000; i++) {
      const body =
        rng() < 0.2
          ? undefined
          : JSON.stringify(
              pick(rng, [
                { ms: 5 },
                { ms: -1 },
                { status: "failed" },
                { status: "failed", reason: "" },
                { scenario: "fail" },
                { scenario: null, seed: 1.5 },
                {},
                randomJson(rng),
              ]),
            );
      const request = toEngineRequest({
        method: pick(rng, ["GET", "POST", "PATCH"]),
        path: pick(rng, paths),
        headers: { "content-type": pick(rng, ["application/json", "text/plain"]) },
        ...(body === undefined ? {} : { body }),
      });
      if (compareRequest(pair, request) !== undefined) compared++;
    }
    expect(compared).toBeGreaterThan(300);
    for (let i = 0; i < 1_000; i++) {
      const operation = pick(rng, pair.prism.operations);
      const statusCode = pick(rng, [200, 200, 206, 400, 404, 409, 416, 500, 201]);
      const headers: Record<string, string> = {
        "content-type": pick(rng, ["application/json", "video/mp4", "text/plain", "video/*"]),
      };
      const body = pick(rng, [
        { status: "ok", clock: "virtual", now: 1, tasks: 0, uptime_ms: 5 },
        { tasks: [] },
        { now: 1, pending_timers: -1 },
        { error: { message: "m", code: "c" } },
        { error: {} },
        { ok: true },
        { deliveries: [{ id: "d" }] },
        "bytes",
        randomJson(rng),
        mutate(rng, {
          create_shape: "observed",
          scenario: "",
          failure_rate: 0,
          seed: 1,
          concurrency_limit: 0,
          timing: "fast",
        }),
      ]);
      compareResponse(pair, operation, { statusCode, headers, body });
    }
  });

  it("on routing decisions", async () => {
    for (const [pair, paths] of [
      [
        await apiPair(),
        [
          "/kling/v1/videos/multi-image2video",
          "/kling/v1/videos/multi-image2video/",
          "/kling/v1/videos/multi-image2video/abc",
          "/kling/v1/videos/multi-image2video/a/b",
          "/kling/v1/videos/multi-image2video/%E0%A4%A",
          "/kling/v1/videos/multi-image2video/a%2Fb",
          "/kling/v1/videos/multi%2Dimage2video",
          "/kling/v1/videos/MULTI-IMAGE2VIDEO",
          "/kling/v1/videos/multi-image2video//",
          "/v1/videos/multi-image2video",
          "/",
          "",
          "kling/v1/videos/multi-image2video",
          "//kling/v1/videos/multi-image2video",
        ],
      ],
      [
        await controlPair(),
        [
          "/__mock/health",
          "/__mock/tasks",
          "/__mock/tasks/",
          "/__mock/tasks/abc/state",
          "/__mock/tasks//state",
          "/__mock/config",
          "/__mock/videos/a.mp4",
          "/__mock/videos/",
          "/__mock/clock/advance",
          "/__mock/clock",
          "/__mock",
        ],
      ],
    ] as const) {
      for (const path of paths) {
        for (const method of ["GET", "get", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"]) {
          expect(routeKey(pair.compiled.route(method, path)), `${method} ${path}`).toStrictEqual(
            routeKey(pair.prism.route(method.toLowerCase(), path)),
          );
        }
      }
    }
  });

  it("on security", async () => {
    const pairs = [await apiPair(), await controlPair()];
    const random = seededRandom(5);
    const rng = () => random.next();
    for (const pair of pairs) {
      for (const op of pair.prism.operations) {
        for (const authorization of [
          undefined,
          "",
          "Bearer",
          "Bearer ",
          "Bearer k",
          "bearer k",
          "Bearer\tk",
          "Basic abc",
          "Bearer  ",
          ` Bearer k`,
          `Bearer ${randomString(rng, 30)}`,
        ]) {
          const request: EngineRequest = {
            method: op.method,
            url: { path: op.path, query: {} },
            headers: authorization === undefined ? {} : { authorization },
          };
          expect(pair.compiled.checkSecurity(twin(pair.compiled, op), request)).toStrictEqual(
            pair.prism.checkSecurity(op, request),
          );
        }
      }
    }
  });

  it("on a document that reaches Prism's rarer branches (3,000 requests, 3,000 responses)", async () => {
    const pair = await kitchenSinkPair();
    const random = seededRandom(23);
    const rng = () => random.next();
    let compared = 0;
    for (let i = 0; i < 3_000; i++) {
      if (compareRequest(pair, kitchenSinkRequest(rng)) !== undefined) compared++;
    }
    expect(compared).toBeGreaterThan(2_000);
    for (let i = 0; i < 3_000; i++) {
      compareResponse(pair, pick(rng, pair.prism.operations), kitchenSinkResponse(rng));
    }
  });

  it("is what compiledEngines() hands the core", () => {
    const engines = compiledEngines();
    expect(engines.api).toBe(apiEngine);
    expect(engines.control).toBe(controlEngine);
    expect(apiEngine.operations.map((o) => o.iid)).toStrictEqual([
      "createMultiImageVideoTask",
      "getMultiImageVideoTask",
    ]);
  });
});
