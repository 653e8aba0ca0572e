// lifecycle and ensure_resource_availability against a scripted gateway: the submit, every poll on
// virtual time, each way a task's statuses can go wrong, and the video check.
import { afterEach, describe, expect, it, vi } from "vitest";
import { SEED_BODY } from "../../src/checks/auth.js";
import {
  GATEWAY_OF_KLING,
  GATEWAY_RANK,
  KLING_RANK,
  lifecycle,
  passTime,
  taskIdOf,
} from "../../src/checks/lifecycle.js";
import {
  type Answer,
  BASE,
  CREATE,
  fakeGateway,
  makeSession,
  onFakeTime,
  query,
} from "./support.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

const SEED = { ...SEED_BODY };
const TASK_URL = `${BASE}${CREATE}/t-1`;
const VIDEO = "http://cdn.test/v/t-1.mp4";
const CREATED: Answer = { status: 200, json: { code: 0, data: { task_id: "t-1" } } };
const MP4: Answer = { status: 206, headers: { "content-type": "video/mp4" }, text: "x" };

const NOT_START = query("NOT_START", "0%");
const SUBMITTED = query("SUBMITTED", "10%", "submitted");
const RUNNING = query("IN_PROGRESS", "30%", "processing");
const SUCCESS = query("SUCCESS", "100%", "succeed", VIDEO);
const FAILURE = query("FAILURE", "100%", "failed");

/** A gateway that accepts the submit, answers the polls in order (the last repeats), and the video. */
function gateway(polls: Answer[], options: { create?: Answer; video?: Answer } = {}) {
  let poll = 0;
  return fakeGateway((req) => {
    if (req.method === "POST") return options.create ?? CREATED;
    if (req.url === TASK_URL) return polls[Math.min(poll++, polls.length - 1)] as Answer;
    if (req.url === VIDEO) return options.video ?? MP4;
    return new Error(`unexpected ${req.method} ${req.url}`);
  });
}

/** The failures as `check: message`; every outcome here skips nothing. */
const messages = (out: { failures: { check: string; message: string }[]; skipped: string[] }) => {
  expect(out.skipped).toEqual([]);
  return out.failures.map((f) => `${f.check}: ${f.message}`);
};

describe("the tables", () => {
  it("rank the statuses and map Kling's to the gateway's", () => {
    expect(GATEWAY_RANK).toEqual({
      NOT_START: 0,
      SUBMITTED: 1,
      QUEUED: 1,
      IN_PROGRESS: 2,
      SUCCESS: 3,
      FAILURE: 3,
    });
    expect(KLING_RANK).toEqual({ submitted: 1, processing: 2, succeed: 3, failed: 3 });
    expect(GATEWAY_OF_KLING).toEqual({
      submitted: "SUBMITTED",
      processing: "IN_PROGRESS",
      succeed: "SUCCESS",
      failed: "FAILURE",
    });
  });
});

describe("taskIdOf", () => {
  it.each([
    [{ data: { task_id: "a" } }, "a"],
    [{ task_id: "b" }, "b"],
    [{ data: { task_id: "" }, task_id: "c" }, "c"],
    [{ data: { task_id: 5 }, task_id: "d" }, "d"],
    [{ data: [{ task_id: "x" }], task_id: "e" }, "e"],
    [{ data: { task_id: "f" }, task_id: "g" }, "f"],
    [{ task_id: "" }, undefined],
    [{ task_id: 7 }, undefined],
    [{ data: null }, undefined],
    [[{ task_id: "h" }], undefined],
    [null, undefined],
    ["t-1", undefined],
  ])("%j → %j", (body, id) => {
    expect(taskIdOf(body)).toBe(id);
  });
});

describe("passTime", () => {
  it("advances a virtual clock, or sleeps", async () => {
    const { session, advanced } = makeSession();
    await passTime(session, 1_234);
    expect(advanced).toEqual([1_234]);
    const real = makeSession({ advance: undefined }).session;
    expect((await onFakeTime(() => passTime(real, 60))).ms).toBe(60);
  });
});

describe("lifecycle", () => {
  it("follows a task to SUCCESS, polls twice more, and fetches the first byte of the video", async () => {
    const { seen } = gateway([NOT_START, SUBMITTED, RUNNING, SUCCESS]);
    const { session, advanced } = makeSession();
    const out = await lifecycle(session, "http://127.0.0.1:9/hook");
    expect(out).toEqual({
      failures: [],
      skipped: [],
      taskId: "t-1",
      finalKlingStatus: "succeed",
      history: [
        { poll: 0, status: "NOT_START", progress: "0%" },
        { poll: 1, status: "SUBMITTED", progress: "10%", klingStatus: "submitted" },
        { poll: 2, status: "IN_PROGRESS", progress: "30%", klingStatus: "processing" },
        { poll: 3, status: "SUCCESS", progress: "100%", klingStatus: "succeed", videoUrl: VIDEO },
        { poll: 4, status: "SUCCESS", progress: "100%", klingStatus: "succeed", videoUrl: VIDEO },
        { poll: 5, status: "SUCCESS", progress: "100%", klingStatus: "succeed", videoUrl: VIDEO },
      ],
    });
    expect(advanced).toEqual([1_000, 1_000, 1_000, 1_000, 1_000]);
    expect(seen[0]).toEqual({
      method: "POST",
      url: `${BASE}${CREATE}`,
      headers: {
        Authorization: "Bearer sk-test",
        Accept: "application/json",
        "Content-Type": "application/json",
      },
      body: JSON.stringify({
        ...SEED,
        external_task_id: `contract-lifecycle-${session.runId}-1`,
        callback_url: "http://127.0.0.1:9/hook",
      }),
    });
    expect(seen.slice(1, 7).map((r) => [r.method, r.url, r.headers])).toEqual(
      Array(6).fill([
        "GET",
        TASK_URL,
        { Authorization: "Bearer sk-test", Accept: "application/json" },
      ]),
    );
    expect(seen[7]).toEqual({
      method: "GET",
      url: VIDEO,
      headers: { Range: "bytes=0-0" },
      body: undefined,
    });
    expect(seen).toHaveLength(8);
    expect(session.cases.get("lifecycle")).toBe(1);
    expect(session.cases.get("ensure_resource_availability")).toBe(1);
  });

  it("sends no callback_url for an empty one", async () => {
    const { seen } = gateway([SUCCESS]);
    await lifecycle(makeSession().session, "");
    expect("callback_url" in JSON.parse(seen[0]?.body ?? "{}")).toBe(false);
  });

  it("keeps Kling's own word for the final status when the gateway's does not map it", async () => {
    gateway([query("SUCCESS", "100%", "done", VIDEO)]);
    const out = await lifecycle(makeSession().session);
    expect(out.failures).toEqual([]);
    expect(out.finalKlingStatus).toBe("done");
  });

  it("submits without a callback_url when given none, and stops two polls after a failure", async () => {
    const { seen } = gateway([FAILURE]);
    const { session } = makeSession({ imageUrls: ["https://img.test/a.png"] });
    const out = await lifecycle(session);
    expect(out.failures).toEqual([]);
    expect(out.finalKlingStatus).toBe("failed");
    expect(out.history.map((o) => o.poll)).toEqual([0, 1, 2]);
    expect(JSON.parse(seen[0]?.body ?? "{}")).toEqual({
      ...SEED,
      image_list: [{ image: "https://img.test/a.png" }],
      external_task_id: `contract-lifecycle-${session.runId}-1`,
    });
    expect(seen).toHaveLength(4); // no video for a failure
  });

  it("takes the final status from the gateway's when Kling's is absent", async () => {
    gateway([query("SUCCESS", "100%")]);
    const ok = await lifecycle(makeSession().session);
    expect(ok.finalKlingStatus).toBe("succeed");
    expect(messages(ok)).toEqual([
      "lifecycle: task t-1 succeeded without data.data.data.task_result.videos[0].url",
    ]);
    gateway([query("FAILURE", "100%")]);
    const failed = await lifecycle(makeSession().session);
    expect(failed.finalKlingStatus).toBe("failed");
    expect(failed.failures).toEqual([]);
  });

  it("records a missing progress as empty", async () => {
    gateway([{ status: 200, json: { data: { status: "NOT_START" } } }, SUCCESS]);
    const out = await lifecycle(makeSession().session);
    expect(out.failures).toEqual([]);
    expect(out.history[0]).toEqual({ poll: 0, status: "NOT_START", progress: "" });
  });

  it("reads the task id from the observed create shape too", async () => {
    gateway([SUCCESS], {
      create: { status: 200, json: { id: "t-1", task_id: "t-1", object: "video" } },
    });
    expect((await lifecycle(makeSession().session)).failures).toEqual([]);
  });

  describe("a submit that gives nothing to follow", () => {
    it("fails a refused submit", async () => {
      const refused = { status: 400, json: { code: "invalid_request", message: "no", data: null } };
      const { seen } = gateway([], { create: refused });
      const { session } = makeSession();
      const out = await lifecycle(session);
      expect(out).toEqual({
        failures: [
          {
            check: "lifecycle",
            message: "the seed body was answered 400; no task to follow",
            request: expect.objectContaining({ method: "POST", url: `${BASE}${CREATE}` }),
            response: {
              status: 400,
              contentType: "application/json",
              body: '{"code":"invalid_request","message":"no","data":null}',
            },
          },
        ],
        skipped: [],
        history: [],
      });
      expect(seen).toHaveLength(1);
    });

    it("fails a refused submit even when it names a task", async () => {
      gateway([SUCCESS], {
        create: { status: 400, json: { code: "x", message: "no", data: { task_id: "t-1" } } },
      });
      expect(messages(await lifecycle(makeSession().session))).toEqual([
        "lifecycle: the seed body was answered 400; no task to follow",
      ]);
    });

    it("fails an accepted submit without a task id", async () => {
      gateway([], { create: { status: 200, json: { code: 0, data: {} } } });
      expect(messages(await lifecycle(makeSession().session))).toEqual([
        "lifecycle: the submit was accepted but neither data.task_id nor task_id holds a task id",
      ]);
      gateway([], {
        create: { status: 200, headers: { "content-type": "application/json" }, text: "{" },
      });
      expect(messages(await lifecycle(makeSession().session))).toContain(
        "lifecycle: the submit was accepted but neither data.task_id nor task_id holds a task id",
      );
    });

    it("does not judge a 429 or 503 submit, and stops", async () => {
      const limited = {
        status: 429,
        headers: { "content-type": "application/json", "retry-after": "1", "x-count": "1" },
        text: "{}",
      };
      const { seen } = gateway([], { create: limited });
      const { session } = makeSession();
      expect(await lifecycle(session)).toEqual({ failures: [], skipped: [], history: [] });
      expect(seen).toHaveLength(1);
      expect(session.inconclusive.get("lifecycle")).toBe(1);
    });

    it("stops without an answer", async () => {
      gateway([], { create: new TypeError("fetch failed") });
      const out = await lifecycle(makeSession().session);
      expect(out.skipped).toEqual([]);
      expect(out.failures.map((f) => f.check)).toEqual(["not_a_server_error"]);
      expect(out.history).toEqual([]);
      expect("taskId" in out).toBe(false);
    });
  });

  describe("polls", () => {
    it("fails a task that cannot be found just after its submit", async () => {
      gateway([{ status: 400, json: { code: "task_not_exist", data: null } }]);
      const out = await lifecycle(makeSession().session);
      expect(messages(out)).toEqual([
        "ensure_resource_availability: task t-1, just accepted, was answered 400 when queried",
      ]);
      expect(out.taskId).toBe("t-1");
      expect(out.failures[0]?.request).toEqual({
        method: "GET",
        url: TASK_URL,
        headers: { Authorization: "Bearer sk-test", Accept: "application/json" },
      });
    });

    it("fails a later answer that is not 200, with the history so far", async () => {
      gateway([NOT_START, SUBMITTED, { status: 404, json: { code: "gone" } }]);
      expect(messages(await lifecycle(makeSession().session))).toEqual([
        "lifecycle: task t-1 was answered 404 at poll 2 after NOT_START 0% → SUBMITTED/submitted 10%",
      ]);
    });

    it("waits out a 429 or 503 (as told, on virtual time not at all) and polls again", async () => {
      const limited = (status: number, retry: string): Answer => ({
        status,
        headers: { "content-type": "application/json", "retry-after": retry, "x-count": "1" },
        text: "{}",
      });
      gateway([limited(429, "2"), limited(503, "2"), SUCCESS]);
      const { session, advanced } = makeSession();
      const { value: out, ms } = await onFakeTime(() => lifecycle(session));
      expect(ms).toBe(0);
      // The 503 is a server error for the response checks; lifecycle holds nothing against it.
      expect(out.failures.map((f) => f.check)).toEqual(["not_a_server_error"]);
      expect(out.history.map((o) => o.poll)).toEqual([2, 3, 4]);
      expect(advanced).toEqual([1_000, 1_000, 1_000, 1_000]);
      expect(session.cases.get("ensure_resource_availability")).toBe(1);
    });

    it("on real time, waits the Retry-After (capped), or the interval without one", async () => {
      const limited = (retry?: string): Answer => ({
        status: 429,
        headers: {
          "content-type": "application/json",
          "x-count": "1",
          ...(retry === undefined ? {} : { "retry-after": retry }),
        },
        text: "{}",
      });
      gateway([limited("0.25"), limited(), SUCCESS]);
      const { session } = makeSession({
        advance: undefined,
        pollIntervalMs: 100,
        lifecycleTimeoutMs: 1_000,
      });
      const { value: out, ms } = await onFakeTime(() => lifecycle(session));
      // 250 ms waited out; 100 ms to the next poll and 100 ms waited out; three more polls.
      expect(ms).toBe(750);
      expect(out.history.map((o) => o.poll)).toEqual([2, 3, 4]);
      // The response checks hold a fractional or missing Retry-After against the server; lifecycle does not.
      expect(out.failures.map((f) => f.check)).toEqual([
        "response_headers_conformance",
        "response_headers_conformance",
      ]);

      gateway([limited("3600"), SUCCESS]);
      const capped = makeSession({
        advance: undefined,
        pollIntervalMs: 100,
        lifecycleTimeoutMs: 1_000,
      });
      expect((await onFakeTime(() => lifecycle(capped.session))).ms).toBe(30_300);
    });

    it("stops waiting out a 429 at the last poll and fails it", async () => {
      const limited: Answer = {
        status: 429,
        headers: { "content-type": "application/json", "retry-after": "0", "x-count": "1" },
        text: "{}",
      };
      gateway([NOT_START, limited]);
      const out = await lifecycle(makeSession().session);
      expect(messages(out)).toEqual([
        "lifecycle: task t-1 was answered 429 at poll 3 after NOT_START 0%",
      ]);
    });

    it("fails an answer with no status to follow", async () => {
      gateway([NOT_START, { status: 200, json: { data: { status: 3 } } }]);
      expect(messages(await lifecycle(makeSession().session))).toEqual([
        "lifecycle: poll 1 of task t-1 has no data.status to follow",
      ]);
      gateway([{ status: 200, headers: { "content-type": "application/json" }, text: "{" }]);
      expect(messages(await lifecycle(makeSession().session))).toContain(
        "lifecycle: poll 0 of task t-1 has no data.status to follow",
      );
      for (const json of [{ data: [] }, null, 5, [{ data: { status: "SUCCESS" } }]]) {
        gateway([{ status: 200, json }]);
        expect(messages(await lifecycle(makeSession().session))).toEqual([
          "lifecycle: poll 0 of task t-1 has no data.status to follow",
        ]);
      }
    });

    it("fails a status Kling never produces", async () => {
      gateway([NOT_START, query("UNKNOWN", "0%")]);
      expect(messages(await lifecycle(makeSession().session))).toEqual([
        "lifecycle: task t-1 reached status UNKNOWN, which Kling never produces (NOT_START 0% → UNKNOWN 0%)",
      ]);
    });

    it("fails a gateway status that disagrees with Kling's", async () => {
      gateway([query("SUCCESS", "100%", "processing")]);
      expect(messages(await lifecycle(makeSession().session))).toEqual([
        "lifecycle: task t-1 says status SUCCESS but Kling's nested task_status is processing, which the gateway maps to IN_PROGRESS",
      ]);
      gateway([query("NOT_START", "0%", "processing")]);
      expect(messages(await lifecycle(makeSession().session))).toEqual([
        "lifecycle: task t-1 says status NOT_START but Kling's nested task_status is processing, which the gateway maps to IN_PROGRESS",
      ]);
      gateway([query("IN_PROGRESS", "30%", "submitted")]);
      expect(messages(await lifecycle(makeSession().session))).toEqual([
        "lifecycle: task t-1 says status IN_PROGRESS but Kling's nested task_status is submitted, which the gateway maps to SUBMITTED",
      ]);
    });

    it("takes NOT_START over Kling's create answer (submitted) as the first state", async () => {
      gateway([query("NOT_START", "0%", "submitted"), SUBMITTED, SUCCESS]);
      const out = await lifecycle(makeSession().session);
      expect(messages(out)).toEqual([]);
      expect(out.history[0]).toEqual({
        poll: 0,
        status: "NOT_START",
        progress: "0%",
        klingStatus: "submitted",
      });
    });

    it.each([
      [[RUNNING, SUBMITTED], "IN_PROGRESS/processing 30% → SUBMITTED/submitted 10%"],
      [
        [RUNNING, query("IN_PROGRESS", "20%", "processing")],
        "IN_PROGRESS/processing 30% → IN_PROGRESS/processing 20%",
      ],
      [
        [RUNNING, query("IN_PROGRESS", "30%", "queued")],
        "IN_PROGRESS/processing 30% → IN_PROGRESS/queued 30%",
      ],
      [[SUBMITTED, NOT_START], "SUBMITTED/submitted 10% → NOT_START 0%"],
      [[query("IN_PROGRESS", "30%"), query("SUBMITTED", "40%")], "IN_PROGRESS 30% → SUBMITTED 40%"],
    ])("fails a status that moves backwards: %#", async (polls, went) => {
      gateway([NOT_START, ...polls]);
      const out = await lifecycle(makeSession().session);
      expect(messages(out)).toEqual([
        `lifecycle: task t-1 moved backwards at poll 2: ${went} (history NOT_START 0% → ${went})`,
      ]);
      expect(out.taskId).toBe("t-1");
    });

    it.each([
      [[query("IN_PROGRESS", "30%"), query("IN_PROGRESS", "29.5%")]],
      [[query("IN_PROGRESS", "30%"), query("IN_PROGRESS", "20%x")]],
      [[query("IN_PROGRESS", "30%"), query("IN_PROGRESS", "")]],
      [[query("IN_PROGRESS", "30%"), query("IN_PROGRESS", "30%", "processing")]],
      [[query("QUEUED", "5%"), query("SUBMITTED", "10%")]],
      [[query("SUBMITTED", "10%", "submitted"), query("QUEUED", "10%")]],
      [[query("IN_PROGRESS", "31%", "mystery"), query("IN_PROGRESS", "31%", "submitted2")]],
    ])(
      "does not take an unreadable progress, or a status of equal rank, as backwards: %#",
      async (polls) => {
        gateway([...polls, SUCCESS]);
        expect((await lifecycle(makeSession().session)).failures).toEqual([]);
      },
    );

    it.each([
      [[SUCCESS, RUNNING], "SUCCESS/succeed 100% → IN_PROGRESS/processing 30%"],
      [[SUCCESS, FAILURE], "SUCCESS/succeed 100% → FAILURE/failed 100%"],
      [[query("FAILURE", "100%"), FAILURE], "FAILURE 100% → FAILURE/failed 100%"],
      [[query("SUCCESS", "100%"), query("FAILURE", "100%")], "SUCCESS 100% → FAILURE 100%"],
    ])("fails a task that leaves its terminal status: %#", async (polls, went) => {
      gateway([NOT_START, ...polls]);
      expect(messages(await lifecycle(makeSession().session))).toEqual([
        `lifecycle: task t-1 left its terminal status at poll 2: ${went} (history NOT_START 0% → ${went})`,
      ]);
    });

    it("fails a task that does not finish within the bound, on virtual or real time", async () => {
      gateway([NOT_START, RUNNING]);
      const { session, advanced } = makeSession();
      expect(messages(await lifecycle(session))).toEqual([
        "lifecycle: task t-1 did not reach SUCCESS or FAILURE within 3000 ms (3000 ms of virtual time, 3 polls): NOT_START 0% → IN_PROGRESS/processing 30% → IN_PROGRESS/processing 30% → IN_PROGRESS/processing 30%",
      ]);
      expect(advanced).toEqual([1_000, 1_000, 1_000]);

      gateway([RUNNING]);
      const real = makeSession({ advance: undefined, pollIntervalMs: 20, lifecycleTimeoutMs: 30 });
      const slow = await onFakeTime(() => lifecycle(real.session));
      expect(slow.ms).toBe(40);
      expect(messages(slow.value)).toEqual([
        "lifecycle: task t-1 did not reach SUCCESS or FAILURE within 30 ms (40 ms waited, 2 polls): IN_PROGRESS/processing 30% → IN_PROGRESS/processing 30% → IN_PROGRESS/processing 30%",
      ]);
    });

    it("polls at least once more than nothing when the bound is below the interval", async () => {
      gateway([RUNNING]);
      const { session } = makeSession({ lifecycleTimeoutMs: 0 });
      expect(messages(await lifecycle(session))).toEqual([
        "lifecycle: task t-1 did not reach SUCCESS or FAILURE within 0 ms (1000 ms of virtual time, 1 polls): IN_PROGRESS/processing 30% → IN_PROGRESS/processing 30%",
      ]);
    });

    it("stops when a poll gets no answer", async () => {
      let n = 0;
      fakeGateway((req) => {
        if (req.method === "POST") return CREATED;
        return n++ === 0 ? NOT_START : new TypeError("fetch failed");
      });
      const out = await lifecycle(makeSession().session);
      expect(out.failures.map((f) => f.check)).toEqual(["not_a_server_error"]);
      expect(out.skipped).toEqual([]);
      expect(out.history).toHaveLength(1);
      expect(out.taskId).toBe("t-1");
      expect("finalKlingStatus" in out).toBe(false);
    });
  });

  describe("the video", () => {
    it.each([
      [{ status: 200, headers: { "content-type": "video/MP4; codecs=avc1" }, text: "x" }],
      [{ status: 206, headers: { "content-type": "video/mp4" }, text: "x" }],
    ])("passes %j", async (video) => {
      gateway([SUCCESS], { video });
      expect((await lifecycle(makeSession().session)).failures).toEqual([]);
    });

    it.each([
      [
        { status: 200, headers: { "content-type": "text/html" }, text: "<p>" },
        "200 with Content-Type text/html",
      ],
      [
        { status: 404, headers: { "content-type": "video/mp4" }, text: "" },
        "404 with Content-Type video/mp4",
      ],
      [
        { status: 201, headers: { "content-type": "video/mp4" }, text: "" },
        "201 with Content-Type video/mp4",
      ],
      [{ status: 200, text: "x" }, "200 with Content-Type (none)"],
    ])("fails %j", async (video, what) => {
      gateway([SUCCESS], { video: video as Answer });
      const out = await lifecycle(makeSession().session);
      expect(out.failures).toEqual([
        {
          check: "lifecycle",
          message: `video URL of succeeded task t-1 answered ${what}; expected 200/206 video/mp4`,
          request: { method: "GET", url: VIDEO, headers: { Range: "bytes=0-0" } },
          response: expect.objectContaining({ status: video.status }),
        },
      ]);
    });

    it("fails a video URL that does not answer", async () => {
      gateway([SUCCESS], { video: new TypeError("fetch failed") });
      const out = await lifecycle(makeSession().session);
      expect(out.failures).toEqual([
        {
          check: "lifecycle",
          message: "video URL of task t-1 did not answer: TypeError: fetch failed",
          request: { method: "GET", url: VIDEO, headers: { Range: "bytes=0-0" } },
        },
      ]);
    });
  });
});
