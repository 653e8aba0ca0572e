// `fidelity: "gateway"` against both adapters: one test per `x-gateway-departure` of the spec, each
// asserting the status, headers and body of the departure's named example (read from the spec, not
// copied), and the same requests in the default `documented` mode still answering as the docs say.
// Every answer of the Kling API is also checked against the spec by the harness's Hyperjump oracle.
import { loadSpec, specExample } from "@kling-multi-image/spec";
import { specExamples } from "@kling-multi-image/test-support";
import { describe, expect, it } from "vitest";
import { type Answer, CREATE, call, seedBody, startVirtual, submit } from "../support/harness.js";

// biome-ignore lint/suspicious/noExplicitAny: the spec's examples are read as plain JSON
const example = (name: string) => specExample(name) as any;
const gateway = () => startVirtual({ fidelity: "gateway" });
const documented = () => startVirtual();

interface Departure {
  id: string;
  source: string;
  status?: number;
  example?: string;
  code?: { repository: string; path: string; function: string; commit: string }[];
  rules?: { at: string; when: string }[];
}

/** Every `x-gateway-departure` of the spec, in document order. */
function specDepartures(): Departure[] {
  const found: Departure[] = [];
  const visit = (node: unknown) => {
    if (node === null || typeof node !== "object") return;
    for (const [key, child] of Object.entries(node)) {
      if (key === "x-gateway-departure") found.push(...(child as Departure[]));
      else visit(child);
    }
  };
  visit(loadSpec());
  return found;
}
const departure = (id: string) => specDepartures().find((d) => d.id === id) as Departure;

/** The ids this file tests, one `describe` each. */
const TESTED = [
  "unpriceable-body-panics",
  "model-name-preferred",
  "aspect-ratio-default",
  "create-response-shape",
  "fail-reason-video-url",
  "fail-reason-kling-message",
  "data-at-not-start",
  "kling-refusal-code",
  "unparseable-body",
  "rate-limit-rewritten",
];

describe("the spec's departures", () => {
  it("each has gateway-code evidence with a cited commit, its example in the spec, and a test here", () => {
    const all = specDepartures();
    expect(all.map((d) => d.id).sort()).toEqual([...TESTED].sort());
    const examples = specExamples();
    for (const d of all) {
      expect(d.source, d.id).toBe("gateway-code");
      expect(d.code?.length, d.id).toBeGreaterThan(0);
      for (const c of d.code ?? []) expect(c.commit, d.id).toMatch(/^[0-9a-f]{40}$/);
      if (d.example !== undefined) expect(examples[d.example], d.id).toBeDefined();
    }
    // Every departure names the example that shows it.
    expect(all.filter((d) => d.example === undefined).map((d) => d.id)).toEqual([]);
  });
});

describe("unpriceable-body-panics: 500 new_api_panic where the docs say 400", () => {
  const images = (n: number) => Array.from({ length: n }, () => ({ image: "https://e.com/a.jpg" }));
  // One body per rule of the departure, keyed by the rule's pointer.
  const byRule: Record<string, Record<string, unknown>> = {
    "#/components/schemas/CreateTaskRequest/required": { ...seedBody, image_list: undefined },
    "#/components/schemas/CreateTaskRequest/properties/image_list/type": {
      ...seedBody,
      image_list: null,
    },
    "#/components/schemas/CreateTaskRequest/properties/image_list/minItems": {
      ...seedBody,
      image_list: [],
    },
    "#/components/schemas/CreateTaskRequest/properties/image_list/maxItems": {
      ...seedBody,
      image_list: images(5),
    },
    "#/components/schemas/ImageInput/type": { ...seedBody, image_list: ["https://e.com/a.jpg"] },
    "#/components/schemas/ImageInput/properties/image/type": {
      ...seedBody,
      image_list: [{ image: 7 }],
    },
    "#/components/schemas/CreateTaskRequest/properties/duration/type": { ...seedBody, duration: 5 },
    "#/components/schemas/CreateTaskRequest/properties/negative_prompt/type": {
      ...seedBody,
      negative_prompt: ["blur"],
    },
    "#/components/schemas/CreateTaskRequest/properties/mode/type": { ...seedBody, mode: 1 },
    "#/components/schemas/CreateTaskRequest/properties/aspect_ratio/type": {
      ...seedBody,
      aspect_ratio: 1,
    },
    "#/components/schemas/CreateTaskRequest/properties/callback_url/type": {
      ...seedBody,
      callback_url: { url: "http://127.0.0.1/" },
    },
    "#/components/schemas/CreateTaskRequest/properties/external_task_id/type": {
      ...seedBody,
      external_task_id: 42,
    },
    "#/components/schemas/CreateTaskRequest/properties/model_name/type": {
      ...seedBody,
      model_name: 16,
    },
    "#/components/schemas/CreateTaskRequest/properties/model/type": {
      ...seedBody,
      model: 16,
      model_name: "kling-v1-6",
    },
  };

  it("has a body here for every rule the spec lists", () => {
    const rules = departure("unpriceable-body-panics").rules ?? [];
    expect(rules.length).toBeGreaterThan(0);
    expect(Object.keys(byRule).sort()).toEqual(rules.map((r) => r.at).sort());
  });

  it.each(Object.entries(byRule))(
    "%s: the example's 500, no task, no Retry-After",
    async (_rule, body) => {
      const mock = await gateway();
      const r = await call(mock.url, "POST", CREATE, { body });
      expect(r.status).toBe(departure("unpriceable-body-panics").status);
      expect(r.body).toEqual(example("GatewayPanicOnUnpriceableBody"));
      expect(r.body.error).not.toHaveProperty("code");
      expect(r.headers.get("retry-after")).toBeNull();
      expect(r.headers.get("content-type")).toMatch(/^application\/json/);
      expect((await call(mock.url, "GET", "/__mock/health")).body.tasks).toBe(0);

      const docs = await documented();
      const d = await call(docs.url, "POST", CREATE, { body });
      expect(d.status).toBe(400);
    },
  );

  it("the example's three bodies (five images, an empty list, a numeric duration), then documented", async () => {
    const gw = await gateway();
    const docs = await documented();
    for (const body of [
      { ...seedBody, image_list: images(5) },
      { ...seedBody, image_list: [] },
      { ...seedBody, duration: 10 },
      // Pricing comes before Kling, so a value only Kling refuses does not save the body.
      { ...seedBody, image_list: images(6), mode: "ultra" },
      // A panic comes before any scenario (pricing precedes quota and the request to Kling).
      { ...seedBody, image_list: [] },
    ]) {
      const headers = { "x-mock-scenario": "rate-limit" };
      expect(await call(gw.url, "POST", CREATE, { body, headers })).toMatchObject({
        status: 500,
        body: example("GatewayPanicOnUnpriceableBody"),
      });
      const d = await call(docs.url, "POST", CREATE, { body });
      expect(d.status).toBe(400);
      expect(d.body).toMatchObject({ code: "invalid_request", data: null });
    }
  });

  it("what the gateway checks first still wins: the key, the model, the prompt, the duration range", async () => {
    const mock = await gateway();
    const five = { ...seedBody, image_list: images(5) };
    expect((await call(mock.url, "POST", CREATE, { key: null, body: five })).status).toBe(401);
    expect(
      (await call(mock.url, "POST", CREATE, { body: { ...five, model: "kling-v9" } })).status,
    ).toBe(503);
    // No model the gateway can read (a number, and no model_name): Distribute's 400.
    const noModel = await call(mock.url, "POST", CREATE, { body: { ...five, model: 16 } });
    expect(noModel).toMatchObject({
      status: 400,
      body: { error: { message: "model is required", code: "invalid_request" } },
    });
    for (const prompt of ["", "   ", undefined]) {
      const r = await call(mock.url, "POST", CREATE, { body: { ...five, prompt } });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe("invalid_request");
      expect(r.body.message).toMatch(/prompt/);
    }
    for (const duration of [-1, 601]) {
      const r = await call(mock.url, "POST", CREATE, { body: { ...seedBody, duration } });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe("invalid_request");
    }
    // ValidateTaskDuration reads a string too: one that is no number, or out of range, is refused
    // before the five images could crash the pricing; a numeric one in range is not its business.
    for (const [duration, status] of [
      ["abc", 400],
      ["601", 400],
      ["-1", 400],
      ["7", 500],
    ] as const) {
      const r = await call(mock.url, "POST", CREATE, { body: { ...five, duration } });
      expect(r.status, duration).toBe(status);
    }
  });

  it("a null is skipped by Go's decoder: only a null image_list (as good as missing) panics", async () => {
    const mock = await gateway();
    const nulls: [Record<string, unknown>, number][] = [
      [{ ...seedBody, image_list: null }, 500],
      [{ ...seedBody, image_list: [null] }, 400],
      [{ ...seedBody, image_list: [{ image: null }] }, 400],
      [{ ...seedBody, mode: null }, 400],
      [{ ...seedBody, model_name: null }, 400],
      // A null model is as good as none: model_name names the model (model-name-preferred).
      [{ ...seedBody, model: null, model_name: "kling-v1-6" }, 200],
    ];
    for (const [body, status] of nulls) {
      expect((await call(mock.url, "POST", CREATE, { body })).status, JSON.stringify(body)).toBe(
        status,
      );
    }
  });

  it("a body that breaks only rules off the list is still the documented 400", async () => {
    const mock = await gateway();
    for (const body of [
      { ...seedBody, mode: "ultra" },
      { ...seedBody, duration: "7" },
      { ...seedBody, image_list: [{ image: "data:image/png;base64,AAAA" }] },
      { ...seedBody, image_list: [{ url: "https://e.com/a.jpg" }] },
    ]) {
      const r = await call(mock.url, "POST", CREATE, { body });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: "invalid_request", data: null });
    }
  });
});

describe("rate-limit-rewritten: every 429 is one message, with no Retry-After", () => {
  const rewritten = (r: Answer) => {
    expect(r.status).toBe(departure("rate-limit-rewritten").status);
    expect(r.body).toEqual(example("GatewayRateLimitRewritten"));
    expect(r.headers.get("retry-after")).toBeNull();
  };

  it("the rate-limit and concurrency scenarios, on the submit and the query", async () => {
    const gw = await gateway();
    const docs = await documented();
    for (const scenario of ["rate-limit", "concurrency"]) {
      const headers = { "x-mock-scenario": scenario };
      rewritten(await call(gw.url, "POST", CREATE, { body: seedBody, headers }));
      rewritten(await call(gw.url, "GET", `${CREATE}/any`, { headers }));
      const d = await call(docs.url, "POST", CREATE, { body: seedBody, headers });
      expect(d.status).toBe(429);
      expect(d.headers.get("retry-after")).toBe("5");
      expect(d.body.code).toBe("fail_to_fetch_task");
      expect(JSON.parse(d.body.message).code).toBe(scenario === "rate-limit" ? 1302 : 1303);
    }
  });

  it("the server-wide scenario and the concurrency limit", async () => {
    rewritten(
      await call(
        (await startVirtual({ fidelity: "gateway", scenario: "rate-limit" })).url,
        "POST",
        CREATE,
        {
          body: seedBody,
        },
      ),
    );
    const gw = await startVirtual({ fidelity: "gateway", concurrencyLimit: 1 });
    await submit(gw.url);
    rewritten(await call(gw.url, "POST", CREATE, { body: seedBody }));
    const docs = await startVirtual({ concurrencyLimit: 1 });
    await submit(docs.url);
    const d = await call(docs.url, "POST", CREATE, { body: seedBody });
    expect(d.status).toBe(429);
    expect(d.headers.get("retry-after")).toBe("5");
    expect(JSON.parse(d.body.message).code).toBe(1303);
  });
});

describe("kling-refusal-code: Kling's refusals are fail_to_fetch_task with Kling's raw body", () => {
  const refusal = (r: Answer, klingCode: number) => {
    const ex = example("GatewayUpstreamRefusal");
    expect(r.status).toBe(departure("kling-refusal-code").status);
    expect(r.body).toEqual({ ...ex, message: expect.any(String) });
    const kling = JSON.parse(r.body.message);
    expect(Object.keys(kling)).toEqual(Object.keys(JSON.parse(ex.message)));
    expect(kling.code).toBe(klingCode);
    return kling;
  };

  it("content policy (1301), as the example", async () => {
    const gw = await gateway();
    const headers = { "x-mock-scenario": "content-policy" };
    const kling = refusal(await call(gw.url, "POST", CREATE, { body: seedBody, headers }), 1301);
    expect(kling.message).toBe(JSON.parse(example("GatewayUpstreamRefusal").message).message);
    const d = await call((await documented()).url, "POST", CREATE, { body: seedBody, headers });
    expect(d.status).toBe(400);
    expect(d.body.code).toBe(example("ErrorContentPolicy").code);
  });

  it("a duplicate external_task_id (1201)", async () => {
    const gw = await gateway();
    const docs = await documented();
    const body = { ...seedBody, external_task_id: "dup-1" };
    await submit(gw.url, "test-key", body);
    refusal(await call(gw.url, "POST", CREATE, { body }), 1201);
    await submit(docs.url, "test-key", body);
    const d = await call(docs.url, "POST", CREATE, { body });
    expect(d.status).toBe(400);
    expect(d.body.code).toBe(example("ErrorDuplicateExternalTaskId").code);
  });
});

describe("unparseable-body: Distribute's 'Invalid request, 无效的请求, …'", () => {
  /** The example's message as a pattern: its error part and request id replaced. */
  const pattern = (error: string) => {
    const message: string = example("GatewayInvalidJson").error.message;
    const [, prefix, , id] = /^(.*, )(.+) \(request id: ([^)]+)\)$/.exec(message) as string[];
    const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(
      `^${literal(prefix as string)}${error} \\(request id: [0-9a-f]{${(id as string).length}}\\)$`,
    );
  };

  it("an empty body reads as the example, with a fresh request id", async () => {
    const gw = await gateway();
    const r = await call(gw.url, "POST", CREATE, { body: "" });
    const ex = example("GatewayInvalidJson");
    expect(r.status).toBe(departure("unparseable-body").status);
    expect(r.body).toEqual({ error: { ...ex.error, message: expect.any(String) } });
    expect(r.body.error.message).toMatch(pattern("unexpected end of JSON input"));
    expect(r.body.error.message).not.toBe(ex.error.message);
    const d = await call((await documented()).url, "POST", CREATE, { body: "" });
    expect(d.body).toEqual(example("ErrorInvalidJson"));
  });

  it("truncated JSON, broken JSON and JSON that is not an object", async () => {
    const gw = await gateway();
    const docs = await documented();
    for (const [text, error] of [
      ['{"model":', "unexpected end of JSON input"],
      ["{not json", ".+"],
      ["[1,2]", ".+"],
    ] as const) {
      const r = await call(gw.url, "POST", CREATE, { body: text });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("");
      expect(r.body.error.type).toBe(example("GatewayInvalidJson").error.type);
      expect(r.body.error.message).toMatch(pattern(error));
      const d = await call(docs.url, "POST", CREATE, { body: text });
      expect(d.body.error).toMatchObject({
        message: expect.stringMatching(/^invalid request body: /),
        code: "invalid_request",
      });
    }
  });
});

describe("fail-reason-kling-message: a failed task's fail_reason is Kling's top-level message", () => {
  it("fail_reason is the example's; task_status_msg keeps the reason", async () => {
    const ex = example("GatewayFailedReasonIsKlingMessage").data;
    for (const fidelity of ["gateway", "documented"] as const) {
      const mock = await startVirtual({ fidelity });
      const drawn = await submit(mock.url, "test-key", {}, { "x-mock-scenario": "fail" });
      const forced = await submit(mock.url);
      await call(mock.url, "POST", `/__mock/tasks/${forced}/state`, {
        body: { status: "failed", reason: "content rejected" },
      });
      await mock.clock.advance(10_000);
      for (const [id, reason] of [
        [drawn, undefined],
        [forced, "content rejected"],
      ] as const) {
        const r = await call(mock.url, "GET", `${CREATE}/${id}`);
        expect(r.body.data.status).toBe(ex.status);
        const msg = r.body.data.data.data.task_status_msg;
        if (reason !== undefined) expect(msg).toBe(reason);
        expect(msg).not.toBe("");
        expect(r.body.data.fail_reason).toBe(fidelity === "gateway" ? ex.fail_reason : msg);
      }
    }
  });
});

describe("data-at-not-start: data at NOT_START is Kling's create answer", () => {
  it("as the example, with the create answer's request id on every read", async () => {
    const ex = example("GatewayNotStartedWithCreateResponse").data;
    const gw = await startVirtual({ fidelity: "gateway", createShape: "documented" });
    const created = await call(gw.url, "POST", CREATE, {
      body: { ...seedBody, external_task_id: "ext-7" },
    });
    const id = created.body.data.task_id;
    const first = await call(gw.url, "GET", `${CREATE}/${id}`);
    expect(first.body.data.status).toBe(ex.status);
    const data = first.body.data.data;
    expect(Object.keys(data)).toEqual(Object.keys(ex.data));
    expect(Object.keys(data.data)).toEqual(Object.keys(ex.data.data));
    expect(data).toEqual(created.body);
    expect(data).toMatchObject({
      code: ex.data.code,
      message: ex.data.message,
      data: {
        task_id: id,
        task_status: ex.data.data.task_status,
        task_info: { external_task_id: "ext-7" },
      },
    });
    expect((await call(gw.url, "GET", `${CREATE}/${id}`)).body.data.data).toEqual(data);
    // After the first refresh, Kling's latest query answer, as in both modes.
    await gw.clock.advance(1_000);
    expect((await call(gw.url, "GET", `${CREATE}/${id}`)).body.data.data.data.task_status).toBe(
      "processing",
    );

    const docs = await documented();
    const d = await call(docs.url, "GET", `${CREATE}/${await submit(docs.url)}`);
    expect(d.body.data.status).toBe("NOT_START");
    expect(d.body.data.data).toBeNull();
  });
});

describe("aspect-ratio-default: a missing aspect_ratio is the gateway's default", () => {
  it("1:1 in gateway mode, 16:9 in documented mode; a given ratio is kept", async () => {
    const observed = departure("aspect-ratio-default") as Departure & { observed: string };
    const schema = loadSpec().components.schemas as Record<
      string,
      { properties: Record<string, { default: string }> }
    >;
    const documentedDefault = schema.CreateTaskRequest?.properties.aspect_ratio?.default;
    for (const [mock, expected] of [
      [await gateway(), observed.observed],
      [await documented(), documentedDefault],
    ] as const) {
      // The departure's named example: a body without aspect_ratio.
      const named = example(departure("aspect-ratio-default").example as string);
      expect(named).not.toHaveProperty("aspect_ratio");
      const created = (await call(mock.url, "POST", CREATE, { body: named })).body;
      // The documented create shape nests the id; the gateway's observed one does not.
      const id = created.data?.task_id ?? created.task_id;
      const given = await submit(mock.url, "test-key", { aspect_ratio: "9:16" });
      const tasks = (await call(mock.url, "GET", "/__mock/tasks")).body.tasks;
      const ratio = (task: string) =>
        tasks.find((t: { task_id: string }) => t.task_id === task).aspect_ratio;
      expect(ratio(id)).toBe(expected);
      expect(ratio(given)).toBe("9:16");
    }
    expect(observed.observed).toBe("1:1");
  });
});

describe("create-response-shape: the observed create answer", () => {
  it("gateway mode answers the example's shape, status queued; createShape still wins", async () => {
    const ex = example("CreateObserved");
    const r = await call((await gateway()).url, "POST", CREATE, { body: seedBody });
    expect(r.status).toBe(departure("create-response-shape").status);
    expect(Object.keys(r.body)).toEqual(Object.keys(ex));
    expect(r.body).toMatchObject({
      object: ex.object,
      status: ex.status,
      progress: ex.progress,
      model: seedBody.model,
    });
    expect(r.body.id).toBe(r.body.task_id);

    const explicit = await startVirtual({ fidelity: "gateway", createShape: "documented" });
    const e = await call(explicit.url, "POST", CREATE, { body: seedBody });
    expect(e.body).toMatchObject({ code: 0, data: { task_status: "submitted" } });

    // Documented mode: the documented shape by default, and the observed one (status queued too).
    const d = await call((await documented()).url, "POST", CREATE, { body: seedBody });
    expect(d.body).toMatchObject({
      code: 0,
      message: "SUCCEED",
      data: { task_status: "submitted" },
    });
    const o = await startVirtual({ createShape: "observed" });
    expect((await call(o.url, "POST", CREATE, { body: seedBody })).body.status).toBe(ex.status);
  });
});

describe("departures that hold in both modes", () => {
  it("model-name-preferred: model_name picks the channel over model (and stands alone in gateway mode)", async () => {
    const named = example(departure("model-name-preferred").example as string);
    expect(named.model_name).toEqual(expect.any(String));
    for (const fidelity of ["gateway", "documented"] as const) {
      const mock = await startVirtual({ fidelity, createShape: "observed" });
      const accepted = await call(mock.url, "POST", CREATE, { body: named });
      expect(accepted.status).toBe(200);
      expect(accepted.body.model).toBe(named.model_name);
      const r = await call(mock.url, "POST", CREATE, {
        body: { ...seedBody, model: "kling-v9", model_name: "kling-v1-6" },
      });
      expect(r.status).toBe(200);
      expect(r.body.model).toBe("kling-v1-6");
      // Without `model` at all: the gateway's code needs none beside model_name; the docs do.
      const { model: _model, ...onlyModelName } = named;
      const alone = await call(mock.url, "POST", CREATE, { body: onlyModelName });
      expect(alone.status).toBe(fidelity === "gateway" ? 200 : 400);
      const unknown = await call(mock.url, "POST", CREATE, {
        body: { ...seedBody, model_name: "kling-v9" },
      });
      expect(unknown.status).toBe(503);
      expect(unknown.body.error.code).toBe("model_not_found");
    }
  });

  it("fail-reason-video-url: on SUCCESS fail_reason is the video's URL", async () => {
    const ex = example("QuerySucceed").data;
    expect(ex.fail_reason).toBe(ex.data.data.task_result.videos[0].url);
    for (const fidelity of ["gateway", "documented"] as const) {
      const mock = await startVirtual({ fidelity });
      const id = await submit(mock.url);
      await mock.clock.advance(10_000);
      const r = await call(mock.url, "GET", `${CREATE}/${id}`);
      expect(r.body.data.status).toBe(ex.status);
      expect(r.body.data.fail_reason).toBe(r.body.data.data.data.task_result.videos[0].url);
      expect(r.body.data.fail_reason).toMatch(new RegExp(`/__mock/videos/${id}\\.mp4$`));
    }
  });
});

describe("the fidelity in the control API", () => {
  it("GET /__mock/config shows it; PATCH switches it (and the create shape with it); reset restores it", async () => {
    const mock = await documented();
    const config = async () => (await call(mock.url, "GET", "/__mock/config")).body;
    expect(await config()).toMatchObject({ fidelity: "documented", create_shape: "documented" });
    const patched = await call(mock.url, "PATCH", "/__mock/config", {
      body: { fidelity: "gateway" },
    });
    expect(patched.body).toMatchObject({ fidelity: "gateway", create_shape: "observed" });
    const r = await call(mock.url, "POST", CREATE, { body: { ...seedBody, image_list: [] } });
    expect(r.body).toEqual(example("GatewayPanicOnUnpriceableBody"));
    expect(
      (
        await call(mock.url, "PATCH", "/__mock/config", {
          body: { fidelity: "gateway", create_shape: "documented" },
        })
      ).body,
    ).toMatchObject({ fidelity: "gateway", create_shape: "documented" });
    expect(
      (await call(mock.url, "PATCH", "/__mock/config", { body: { fidelity: "exact" } })).status,
    ).toBe(400);
    await call(mock.url, "POST", "/__mock/reset");
    expect(await config()).toMatchObject({ fidelity: "documented", create_shape: "documented" });

    const gw = await gateway();
    expect((await call(gw.url, "GET", "/__mock/config")).body).toMatchObject({
      fidelity: "gateway",
      create_shape: "observed",
    });
  });

  it("refuses an unknown fidelity at start-up", async () => {
    await expect(startVirtual({ fidelity: "exact" as unknown as "gateway" })).rejects.toThrow(
      /fidelity/,
    );
  });
});
