// The gateway-code layer of the spec: where its facts come from (`info.x-source`,
// `info.x-gateway-code-paths`), the departures recorded as data (`x-gateway-departure`), the named
// examples of what the gateway really answers, and the fields official Kling adds to answers and
// callbacks. The prose behind all of it is spec/sources/gateway-code-findings.md.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadSpec, specExample } from "../src/index.js";
import { checkValue as check } from "../src/oracle.js";

const doc = loadSpec();
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const info = doc.info as Obj;
const examples = (doc.components as Obj).examples as Obj;
const REQUEST = ["components", "schemas", "CreateTaskRequest"];
const KLING_TASK = ["components", "schemas", "KlingTask"];
const QUERY = ["components", "schemas", "TaskQueryResponse"];
const ERROR = ["components", "schemas", "ErrorResponse"];
const seed = specExample("SeedCurlRequest") as Obj;
const findings = readFileSync(
  new URL("../sources/gateway-code-findings.md", import.meta.url),
  "utf8",
);

/** Resolves a `#/a/b` pointer in the document (undefined when a segment is missing). */
function resolvePointer(pointer: string): Json | undefined {
  let node: Json | undefined = doc as unknown as Json;
  for (const raw of pointer.replace(/^#\//, "").split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (!node || typeof node !== "object") return undefined;
    node = (node as Obj)[key];
  }
  return node;
}

interface Departure {
  where: string;
  id: string;
  documented: string;
  observed: string;
  source: string;
  status?: number;
  example?: string;
  code: { repository: string; path: string; function: string; commit: string }[];
  rules?: { at: string; when: string }[];
  note?: string;
}

/** Every `x-gateway-departure` in the document, with where it sits. */
function departures(node: Json, path: string[] = [], out: Departure[] = []): Departure[] {
  if (!node || typeof node !== "object") return out;
  if (Array.isArray(node)) {
    node.forEach((child, i) => {
      departures(child, [...path, String(i)], out);
    });
    return out;
  }
  for (const [key, child] of Object.entries(node)) {
    if (key === "x-gateway-departure") {
      expect(Array.isArray(child), `${path.join("/")}: x-gateway-departure is a list`).toBe(true);
      for (const d of child as Json[])
        out.push({ where: path.join("/"), ...(d as object) } as Departure);
    } else departures(child, [...path, key], out);
  }
  return out;
}

/** Every place a named component example is used: [example name, the pointer that uses it]. */
function exampleUses(node: Json, path: string[] = [], out: [string, string[]][] = []) {
  if (!node || typeof node !== "object") return out;
  if (Array.isArray(node)) {
    node.forEach((child, i) => {
      exampleUses(child, [...path, String(i)], out);
    });
    return out;
  }
  if (typeof node.$ref === "string" && node.$ref.startsWith("#/components/examples/"))
    out.push([node.$ref.slice("#/components/examples/".length), path]);
  for (const [key, child] of Object.entries(node)) exampleUses(child, [...path, key], out);
  return out;
}

const all = departures(doc as unknown as Json);
const uses = exampleUses(doc as unknown as Json);
const codePaths = info["x-gateway-code-paths"] as {
  repository?: string;
  path: string;
  functions: string[];
  commit: string;
}[];

describe("where the gateway-code facts come from", () => {
  it("names the fork that serves this endpoint, not upstream new-api", () => {
    const source = info["x-source"] as Obj;
    expect(source["gateway-code"]).toBe("https://github.com/cuijinyu/new-api");
    expect(String(source["gateway-docs-source"])).toMatch(
      /^https:\/\/github\.com\/cuijinyu\/new-api\/blob\/[0-9a-f]{40}\/vitepress-docs\/kling\/multi-image-video\.md$/,
    );
    expect(String(source["kling-official"])).toMatch(/document-api$/);
    expect(source["kling-official-api"]).toBe("https://api-singapore.klingai.com");
    expect(JSON.stringify(source)).not.toMatch(/QuantumNous/);
    expect(String(info.description)).toMatch(/cuijinyu\/new-api/);
  });

  it("lists every file read, each with the functions cited and the commit read", () => {
    const paths = codePaths.map((p) => p.path);
    for (const required of [
      "router/video-router.go",
      "middleware/kling_adapter.go",
      "relay/channel/task/kling/adaptor.go",
      "relay/channel/task/kling/adaptor_test.go",
      "relay/relay_task.go",
      "controller/relay.go",
      "model/task.go",
    ])
      expect(paths).toContain(required);
    for (const p of codePaths) {
      expect(p.commit, p.path).toMatch(/^[0-9a-f]{40}$/);
      expect(p.functions.length, p.path).toBeGreaterThan(0);
      expect(findings, `the findings cite ${p.path}`).toContain(p.path);
    }
  });
});

describe("x-gateway-departure", () => {
  it("records the departures the code confirms, each once", () => {
    const ids = all.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(
      [
        "aspect-ratio-default",
        "create-response-shape",
        "data-at-not-start",
        "fail-reason-kling-message",
        "fail-reason-video-url",
        "kling-refusal-code",
        "model-name-preferred",
        "rate-limit-rewritten",
        "unparseable-body",
        "unpriceable-body-panics",
      ].sort(),
    );
  });

  it.each(all.map((d) => [d.id, d] as const))("%s is complete data", (_id, d) => {
    expect(d.documented, "documented").toEqual(expect.any(String));
    expect(d.observed, "observed").toEqual(expect.any(String));
    expect(d.source).toBe("gateway-code");
    expect(d.code.length).toBeGreaterThan(0);
    for (const ref of d.code) {
      expect(ref.commit).toMatch(/^[0-9a-f]{40}$/);
      const listed = codePaths.find(
        (p) => p.path === ref.path && (p.repository ?? "cuijinyu/new-api") === ref.repository,
      );
      expect(listed, `${ref.repository} ${ref.path} is in info.x-gateway-code-paths`).toBeDefined();
      const fn = ref.function.split(" ")[0] as string;
      expect(listed?.functions, `${ref.path} lists ${fn}`).toContain(fn);
    }
    expect(findings, "the findings explain it").toContain(d.id);
  });

  it.each(all.filter((d) => d.example).map((d) => [d.id, d] as const))(
    "%s names an example that sits under the answer it describes",
    (_id, d) => {
      expect(examples, d.example).toHaveProperty(d.example as string);
      const places = uses.filter(([name]) => name === d.example).map(([, path]) => path);
      expect(places.length, `${d.example} is used`).toBeGreaterThan(0);
      if (d.status !== undefined) {
        // Under a response of that status, directly or through components/responses.
        const statusKey = String(d.status);
        const responseNames = Object.entries(
          (doc.components as { responses: Record<string, Obj> }).responses,
        )
          .filter(([, r]) => JSON.stringify(r).includes(`"#/components/examples/${d.example}"`))
          .map(([name]) => `#/components/responses/${name}`);
        const operations = Object.values(doc.paths as Record<string, Record<string, Obj>>).flatMap(
          (p) => Object.values(p),
        );
        const answered = operations.some((op) => {
          const r = (op.responses as Obj)[statusKey] as Obj | undefined;
          return (
            r !== undefined &&
            (responseNames.includes(String(r.$ref)) ||
              JSON.stringify(r).includes(`"#/components/examples/${d.example}"`))
          );
        });
        expect(answered, `${d.example} is an example of a ${statusKey} answer`).toBe(true);
      }
    },
  );
});

describe("the gateway's real answers are valid against their schemas", () => {
  const cases: [string, string[]][] = [
    ["GatewayPanicOnUnpriceableBody", ERROR],
    ["GatewayRateLimitRewritten", ERROR],
    ["GatewayUpstreamRefusal", ERROR],
    ["GatewayInvalidJson", ERROR],
    ["GatewayUpstreamTimeout", ERROR],
    ["GatewayNotStartedWithCreateResponse", QUERY],
    ["GatewayFailedReasonIsKlingMessage", QUERY],
    ["GatewaySucceedWithOfficialFields", QUERY],
    ["OfficialCallbackWithDeductions", ["components", "schemas", "CallbackPayload"]],
  ];

  it.each(cases)("%s", async (name, schema) => {
    expect((await check(schema, specExample(name))).errors).toEqual([]);
  });

  it("the panic answer has no code: it is the middleware envelope, not the task relay's", async () => {
    const panic = specExample("GatewayPanicOnUnpriceableBody") as { error: Obj };
    expect(panic.error.type).toBe("new_api_panic");
    expect(panic.error).not.toHaveProperty("code");
    const gatewayError = ["components", "schemas", "GatewayError"];
    const taskError = ["components", "schemas", "TaskError"];
    expect((await check(gatewayError, panic)).valid).toBe(true);
    expect((await check(taskError, panic)).valid).toBe(false);
  });

  it("at NOT_START the gateway's data is Kling's create answer; the failure reason is in task_status_msg", () => {
    const notStarted = specExample("GatewayNotStartedWithCreateResponse") as {
      data: { status: string; data: { data: { task_status: string } } };
    };
    expect(notStarted.data.status).toBe("NOT_START");
    expect(notStarted.data.data.data.task_status).toBe("submitted");
    const failed = specExample("GatewayFailedReasonIsKlingMessage") as {
      data: { status: string; fail_reason: string; data: { data: { task_status_msg: string } } };
    };
    expect(failed.data.status).toBe("FAILURE");
    expect(failed.data.fail_reason).toBe("SUCCEED");
    expect(failed.data.data.data.task_status_msg).not.toBe("");
  });

  it("the rewritten 429 carries no Retry-After in its example and no Kling code in its message", () => {
    const rate = specExample("GatewayRateLimitRewritten") as Obj;
    expect(rate).toEqual({
      code: "fail_to_fetch_task",
      message: "当前分组上游负载已饱和，请稍后再试",
      data: null,
    });
  });
});

describe("the rules on which the gateway answers 500 instead of refusing", () => {
  const panic = all.find((d) => d.id === "unpriceable-body-panics") as Departure;
  const image = (n: number) => ({ image: `https://example.com/${n}.jpg` });
  // One body per listed rule, refused by that rule alone. A rule added to the spec's list without a
  // body here fails the first test, so the list and its proof stay together.
  const bodies: Record<string, Obj> = {
    "#/components/schemas/CreateTaskRequest/required": { model: "kling-v1-6", prompt: "x" },
    "#/components/schemas/CreateTaskRequest/properties/image_list/type": {
      ...seed,
      image_list: null,
    },
    "#/components/schemas/CreateTaskRequest/properties/image_list/minItems": {
      ...seed,
      image_list: [],
    },
    "#/components/schemas/CreateTaskRequest/properties/image_list/maxItems": {
      ...seed,
      image_list: [1, 2, 3, 4, 5].map(image),
    },
    "#/components/schemas/ImageInput/type": { ...seed, image_list: ["https://example.com/1.jpg"] },
    "#/components/schemas/ImageInput/properties/image/type": {
      ...seed,
      image_list: [{ image: 1 }],
    },
    "#/components/schemas/CreateTaskRequest/properties/duration/type": { ...seed, duration: 5 },
    "#/components/schemas/CreateTaskRequest/properties/negative_prompt/type": {
      ...seed,
      negative_prompt: ["blur"],
    },
    "#/components/schemas/CreateTaskRequest/properties/mode/type": { ...seed, mode: 1 },
    "#/components/schemas/CreateTaskRequest/properties/aspect_ratio/type": {
      ...seed,
      aspect_ratio: 1.78,
    },
    "#/components/schemas/CreateTaskRequest/properties/callback_url/type": {
      ...seed,
      callback_url: { url: "https://example.com/cb" },
    },
    "#/components/schemas/CreateTaskRequest/properties/external_task_id/type": {
      ...seed,
      external_task_id: 42,
    },
    "#/components/schemas/CreateTaskRequest/properties/model_name/type": {
      ...seed,
      model_name: true,
    },
    "#/components/schemas/CreateTaskRequest/properties/model/type": {
      ...seed,
      model: 16,
      model_name: "kling-v1-6",
    },
  };

  it("is data the client can check locally: status 500, the panic example, each rule a keyword", () => {
    expect(panic.status).toBe(500);
    expect(panic.example).toBe("GatewayPanicOnUnpriceableBody");
    const pointers = (panic.rules ?? []).map((r) => r.at);
    expect(pointers.sort()).toEqual(Object.keys(bodies).sort());
    for (const pointer of pointers) expect(resolvePointer(pointer), pointer).toBeDefined();
  });

  it.each(Object.entries(bodies))(
    "%s refuses its body, and nothing outside that property does",
    async (pointer, body) => {
      const { valid, errors } = await check(REQUEST, body);
      expect(valid).toBe(false);
      const places = [...new Set(errors.map((e) => e.absoluteKeywordLocation.split("#")[1]))];
      expect(places).toContain(pointer.slice(1));
      // An enum next to the type may fail too (a number is no enum value); nothing else may.
      const owner = pointer.slice(1).replace(/\/[^/]+$/, "/");
      for (const place of places) expect(place?.startsWith(owner), place).toBe(true);
    },
  );
});

describe("answers and callbacks accept the fields official Kling adds, typed", () => {
  const legacy = specExample("CallbackSucceed") as Obj;
  const full = specExample("OfficialCallbackWithDeductions") as Obj;

  it("accepts a callback with and without them", async () => {
    expect((await check(KLING_TASK, legacy)).errors).toEqual([]);
    expect((await check(KLING_TASK, full)).errors).toEqual([]);
    expect(full).toHaveProperty("final_unit_deduction");
    expect(full).toHaveProperty("final_balance_deduction.quota");
    expect(full).toHaveProperty("task_info.parent_video");
    expect(full).toHaveProperty(["task_result", "videos", 0, "watermark_url"]);
  });

  const wrong: [string, Obj, string][] = [
    [
      "a numeric final_unit_deduction",
      { ...full, final_unit_deduction: 5 },
      "#/final_unit_deduction",
    ],
    [
      "a numeric final_balance_deduction.quota",
      { ...full, final_balance_deduction: { quota: 1.4, list_price: "2.00" } },
      "#/final_balance_deduction/quota",
    ],
    [
      "a parent_video that is a string",
      { ...full, task_info: { parent_video: "v1" } },
      "#/task_info/parent_video",
    ],
    [
      "a numeric watermark_url",
      {
        ...full,
        task_result: {
          videos: [{ id: "v", url: "https://x/v.mp4", duration: "5", watermark_url: 1 }],
        },
      },
      "#/task_result/videos/0/watermark_url",
    ],
    [
      "a watermark_info.enabled that is a string",
      { ...full, watermark_info: { enabled: "yes" } },
      "#/watermark_info/enabled",
    ],
  ];

  it.each(wrong)("refuses %s", async (_name, body, location) => {
    const { valid, errors } = await check(KLING_TASK, body);
    expect(valid).toBe(false);
    expect(errors.map((e) => e.instanceLocation)).toContain(location);
  });

  it("the query wrapper carries them in Kling's nested task", async () => {
    const value = specExample("GatewaySucceedWithOfficialFields") as {
      data: { data: { data: Obj } };
    };
    expect(value.data.data.data).toHaveProperty("final_unit_deduction");
    expect(value.data.data.data).toHaveProperty("watermark_info.enabled", true);
    const bad = structuredClone(value);
    bad.data.data.data.final_unit_deduction = 5;
    expect((await check(QUERY, bad)).valid).toBe(false);
  });

  it("webhook-id is an opaque string; official Kling's example is numeric", async () => {
    const params = (doc.components as Obj).parameters as Obj;
    const webhookId = params.WebhookId as { example: string };
    expect(webhookId.example).toMatch(/^[0-9]+$/);
    expect(
      (await check(["components", "parameters", "WebhookId", "schema"], webhookId.example)).valid,
    ).toBe(true);
  });
});
