import { STANDARD_WEBHOOKS_VECTOR as VECTOR } from "@kling-multi-image/test-support";
import { describe, expect, it } from "vitest";
import {
  assertCallbackPayload,
  signCallback,
  verifyCallback,
  WebhookVerificationError,
} from "../src/webhooks.js";

const SECRET = "whsec_c2VjcmV0LWtleS1mb3ItdGVzdHMtMTIzNDU2Nzg5MA==";
const OTHER = "whsec_b3RoZXItc2VjcmV0LWtleS1mb3ItdGVzdHMtOTg3Ng==";
const payload = JSON.stringify({
  task_id: "CjMkb2eFcrsAAAAAAKL4bg",
  task_status: "succeed",
  task_status_msg: "",
  created_at: 1764021600000,
  updated_at: 1764021780000,
  task_info: { external_task_id: "my-unique-task-001" },
  task_result: { videos: [{ id: "v", url: "https://cdn/v.mp4", duration: "5.1" }] },
});
const NOW = 1764021800;

async function signed(body = payload, secret = SECRET, ts = NOW) {
  return {
    "webhook-id": "msg_1",
    "webhook-timestamp": String(ts),
    "webhook-signature": await signCallback(secret, "msg_1", ts, body),
  };
}

const reject = (p: Promise<unknown>, message: RegExp) =>
  expect(p).rejects.toSatisfy(
    (e) => e instanceof WebhookVerificationError && message.test(e.message),
  );

describe("verifyCallback", () => {
  it("matches the Standard Webhooks reference signature", async () => {
    expect(await signCallback(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(
      VECTOR.signature,
    );
  });

  it("accepts a valid signature and returns the typed payload", async () => {
    const result = await verifyCallback({
      body: payload,
      headers: await signed(),
      secret: SECRET,
      now: NOW * 1000,
    });
    expect(result.task_status).toBe("succeed");
    expect(result.task_info?.external_task_id).toBe("my-unique-task-001");
  });

  it("accepts bytes and a Headers object", async () => {
    const headers = new Headers(await signed());
    const body = new TextEncoder().encode(payload);
    await expect(
      verifyCallback({ body, headers, secret: SECRET, now: NOW * 1000 }),
    ).resolves.toBeTruthy();
  });

  it("rejects a tampered body", async () => {
    const headers = await signed();
    await reject(
      verifyCallback({
        body: payload.replace("succeed", "failed"),
        headers,
        secret: SECRET,
        now: NOW * 1000,
      }),
      /no matching signature/,
    );
  });

  it("rejects the wrong secret", async () => {
    await reject(
      verifyCallback({ body: payload, headers: await signed(), secret: OTHER, now: NOW * 1000 }),
      /no matching signature/,
    );
  });

  it("rejects a timestamp more than 5 minutes old or ahead, and accepts one at the edge", async () => {
    const headers = await signed();
    await reject(
      verifyCallback({ body: payload, headers, secret: SECRET, now: (NOW + 301) * 1000 }),
      /too old/,
    );
    await reject(
      verifyCallback({ body: payload, headers, secret: SECRET, now: (NOW - 301) * 1000 }),
      /future/,
    );
    await expect(
      verifyCallback({ body: payload, headers, secret: SECRET, now: (NOW + 300) * 1000 }),
    ).resolves.toBeTruthy();
  });

  it("rejects a replayed signature under a new timestamp", async () => {
    const headers = { ...(await signed()), "webhook-timestamp": String(NOW + 10) };
    await reject(
      verifyCallback({ body: payload, headers, secret: SECRET, now: NOW * 1000 }),
      /no matching/,
    );
  });

  it("accepts any of several signatures (sender rotating keys)", async () => {
    const mine = await signed();
    const theirs = await signed(payload, OTHER);
    const headers = {
      ...mine,
      "webhook-signature": `${theirs["webhook-signature"]} v2,abc ${mine["webhook-signature"]}`,
    };
    await expect(
      verifyCallback({ body: payload, headers, secret: SECRET, now: NOW * 1000 }),
    ).resolves.toBeTruthy();
  });

  it("accepts any of several secrets (receiver rotating keys)", async () => {
    await expect(
      verifyCallback({
        body: payload,
        headers: await signed(),
        secret: [OTHER, SECRET],
        now: NOW * 1000,
      }),
    ).resolves.toBeTruthy();
  });

  it("rejects missing and malformed headers", async () => {
    const good = await signed();
    const opts = { body: payload, secret: SECRET, now: NOW * 1000 };
    await reject(verifyCallback({ ...opts, headers: {} }), /missing/);
    await reject(
      verifyCallback({ ...opts, headers: { ...good, "webhook-timestamp": "12abc" } }),
      /malformed webhook-timestamp/,
    );
    await reject(
      verifyCallback({ ...opts, headers: { ...good, "webhook-signature": "v1" } }),
      /malformed webhook-signature/,
    );
    await reject(
      verifyCallback({ ...opts, headers: { ...good, "webhook-signature": "v1,%%%" } }),
      /malformed webhook-signature/,
    );
    await reject(
      verifyCallback({ ...opts, headers: { ...good, "webhook-signature": "v2,AAAA" } }),
      /malformed webhook-signature/,
    );
  });

  it("rejects a secret that is not Base64", async () => {
    await reject(
      verifyCallback({
        body: payload,
        headers: await signed(),
        secret: "whsec_@@@",
        now: NOW * 1000,
      }),
      /secret/,
    );
  });

  it("with secret: null checks only the shape", async () => {
    await expect(
      verifyCallback({ body: payload, headers: {}, secret: null }),
    ).resolves.toMatchObject({
      task_id: "CjMkb2eFcrsAAAAAAKL4bg",
    });
    await reject(verifyCallback({ body: "{", headers: {}, secret: null }), /not JSON/);
    await reject(
      verifyCallback({ body: '{"task_id":"t","task_status":"done"}', headers: {}, secret: null }),
      /task_status/,
    );
    await reject(
      verifyCallback({ body: '{"task_status":"failed"}', headers: {}, secret: null }),
      /task_id/,
    );
    await reject(
      verifyCallback({
        body: '{"task_id":"t","task_status":"succeed","task_result":{"videos":[{"id":"v","url":"u","duration":5}]}}',
        headers: {},
        secret: null,
      }),
      /videos\[0\]/,
    );
    await reject(
      verifyCallback({
        body: '{"task_id":"t","task_status":"failed","created_at":"x"}',
        headers: {},
        secret: null,
      }),
      /created_at/,
    );
  });

  it("refuses to run without a secret, so an unset variable cannot turn verification off", async () => {
    const unset = { body: payload, headers: {}, secret: undefined } as unknown as Parameters<
      typeof verifyCallback
    >[0];
    await reject(verifyCallback(unset), /no webhook secret/);
    await reject(verifyCallback({ body: payload, headers: {}, secret: [] }), /no webhook secret/);
    await reject(verifyCallback({ body: payload, headers: {}, secret: "" }), /no webhook secret/);
  });

  it("reads headers whatever their case", async () => {
    const headers = Object.fromEntries(
      Object.entries(await signed()).map(([k, v]) => [
        k.replace(/(^|-)[a-z]/g, (m) => m.toUpperCase()),
        v,
      ]),
    );
    expect(Object.keys(headers)).toContain("Webhook-Signature");
    await expect(
      verifyCallback({ body: payload, headers, secret: SECRET, now: NOW * 1000 }),
    ).resolves.toMatchObject({
      task_status: "succeed",
    });
  });

  it("verifies byte bodies over the bytes as sent (a BOM included)", async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(payload)]);
    const asSent = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
    const headers = await signed(asSent);
    await expect(
      verifyCallback({ body: bytes, headers, secret: SECRET, now: NOW * 1000 }),
    ).resolves.toMatchObject({
      task_status: "succeed",
    });
  });

  it("still finds the match when another secret in the rotation list is malformed", async () => {
    await expect(
      verifyCallback({
        body: payload,
        headers: await signed(),
        secret: ["whsec_@@@", SECRET],
        now: NOW * 1000,
      }),
    ).resolves.toMatchObject({ task_status: "succeed" });
  });

  it("checks the shape even when the signature is valid", async () => {
    const bad = '{"task_id":"t","task_status":"nope"}';
    await reject(
      verifyCallback({ body: bad, headers: await signed(bad), secret: SECRET, now: NOW * 1000 }),
      /task_status/,
    );
  });

  it.each([
    "x1764021800",
    "1764021800x",
    " 1764021800",
    "1764021800.5",
    "-1764021800",
    "1234567890123",
  ])("refuses the timestamp %j, which would skip the replay window", async (timestamp) => {
    const headers = { ...(await signed()), "webhook-timestamp": timestamp };
    await reject(
      verifyCallback({ body: payload, headers, secret: SECRET, now: NOW * 1000 }),
      /^malformed webhook-timestamp$/,
    );
  });

  it("uses the clock and a tolerance of 300 s unless told", async () => {
    const now = Math.floor(Date.now() / 1000);
    await expect(
      verifyCallback({
        body: payload,
        headers: await signed(payload, SECRET, now),
        secret: SECRET,
      }),
    ).resolves.toMatchObject({ task_status: "succeed" });
    const headers = await signed(payload, SECRET, NOW - 100);
    const opts = { body: payload, headers, secret: SECRET, now: NOW * 1000 };
    await reject(
      verifyCallback({ ...opts, toleranceSeconds: 99 }),
      /^webhook-timestamp is too old$/,
    );
    await expect(verifyCallback({ ...opts, toleranceSeconds: 100 })).resolves.toBeTruthy();
    const ahead = await signed(payload, SECRET, NOW + 100);
    await reject(
      verifyCallback({ ...opts, headers: ahead, toleranceSeconds: 99 }),
      /^webhook-timestamp is in the future$/,
    );
    await expect(
      verifyCallback({ ...opts, headers: ahead, toleranceSeconds: 100 }),
    ).resolves.toBeTruthy();
  });

  it.each(["webhook-id", "webhook-timestamp", "webhook-signature"])(
    "refuses a callback without %s",
    async (name) => {
      const headers: Record<string, string> = await signed();
      delete headers[name];
      await reject(
        verifyCallback({ body: payload, headers, secret: SECRET, now: NOW * 1000 }),
        /^missing webhook-id, -timestamp or -signature$/,
      );
    },
  );

  it("reads a header sent twice (Node gives an array) as its values joined by a space", async () => {
    const mine = await signed();
    const theirs = await signed(payload, OTHER);
    const headers = {
      ...mine,
      "webhook-signature": [theirs["webhook-signature"], mine["webhook-signature"]],
    };
    await expect(
      verifyCallback({ body: payload, headers, secret: SECRET, now: NOW * 1000 }),
    ).resolves.toBeTruthy();
    // a Headers object without the header
    await reject(
      verifyCallback({ body: payload, headers: new Headers(), secret: SECRET }),
      /^missing/,
    );
  });

  it("matches whatever the position of the right signature, and only the whole of it", async () => {
    const mine = (await signed())["webhook-signature"];
    const theirs = (await signed(payload, OTHER))["webhook-signature"];
    const opts = { body: payload, secret: SECRET, now: NOW * 1000 };
    const base = await signed();
    for (const signature of [`${mine} ${theirs}`, `${theirs} ${mine}`, `v1, ${mine}`]) {
      await expect(
        verifyCallback({ ...opts, headers: { ...base, "webhook-signature": signature } }),
      ).resolves.toBeTruthy();
    }
    const bytes = Uint8Array.from(atob(mine.slice(3)), (c) => c.charCodeAt(0));
    const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
    for (const wrong of [
      `v1,${b64(bytes.subarray(0, 16))}`, // a prefix
      `v1,${b64(Uint8Array.from([...bytes, 0]))}`, // one byte more
      `v1,${b64(bytes.map((b, i) => (i === 31 ? b ^ 1 : b)))}`, // the last bit
      `v2,${mine.slice(3)}`, // another version
    ]) {
      await reject(
        verifyCallback({ ...opts, headers: { ...base, "webhook-signature": `v1,AAAA ${wrong}` } }),
        /^no matching signature$/,
      );
    }
  });

  it("accepts a secret without the whsec_ prefix, and refuses one with no key", async () => {
    const headers = await signed();
    const opts = { body: payload, headers, now: NOW * 1000 };
    await expect(verifyCallback({ ...opts, secret: SECRET.slice(6) })).resolves.toBeTruthy();
    for (const secret of ["whsec_", ["whsec_@@@", "whsec_"]]) {
      await reject(
        verifyCallback({ ...opts, secret }),
        /^secret is not valid Base64 \(expected whsec_\.\.\.\)$/,
      );
    }
    await expect(signCallback("whsec_", "id", NOW, payload)).rejects.toThrow(
      new WebhookVerificationError("secret is not valid Base64 (expected whsec_...)"),
    );
    expect(new WebhookVerificationError("m").name).toBe("WebhookVerificationError");
  });
});

describe("assertCallbackPayload", () => {
  const base = { task_id: "t", task_status: "succeed" };
  it.each([
    ["an array", [], "payload is not an object"],
    ["null", null, "payload is not an object"],
    ["a string", "x", "payload is not an object"],
    ["an empty task_id", { ...base, task_id: "" }, "payload.task_id"],
    ["a numeric task_id", { ...base, task_id: 1 }, "payload.task_id"],
    ["no task_status", { task_id: "t" }, "payload.task_status"],
    [
      "a task_status_msg that is not a string",
      { ...base, task_status_msg: 1 },
      "payload.task_status_msg",
    ],
    ["an updated_at that is not a number", { ...base, updated_at: "1" }, "payload.updated_at"],
    ["a task_info that is not an object", { ...base, task_info: "e" }, "payload.task_info"],
    ["a task_info that is an array", { ...base, task_info: [] }, "payload.task_info"],
    ["a null task_info", { ...base, task_info: null }, "payload.task_info"],
    [
      "an external_task_id that is not a string",
      { ...base, task_info: { external_task_id: 1 } },
      "payload.task_info",
    ],
    ["a task_result that is not an object", { ...base, task_result: "r" }, "payload.task_result"],
    ["a task_result that is an array", { ...base, task_result: [] }, "payload.task_result"],
    [
      "videos that are not an array",
      { ...base, task_result: { videos: {} } },
      "payload.task_result.videos",
    ],
    [
      "a video without a url",
      {
        ...base,
        task_result: {
          videos: [
            { id: "v", url: "u", duration: "1" },
            { id: "v", duration: "1" },
          ],
        },
      },
      "payload.task_result.videos[1]",
    ],
    [
      "a video that is not an object",
      { ...base, task_result: { videos: ["u"] } },
      "payload.task_result.videos[0]",
    ],
    [
      "a video with a numeric id",
      { ...base, task_result: { videos: [{ id: 1, url: "u", duration: "1" }] } },
      "payload.task_result.videos[0]",
    ],
  ])("refuses %s", (_what, value, message) => {
    expect(() => assertCallbackPayload(value)).toThrow(new WebhookVerificationError(message));
  });

  it.each([
    ["the least it needs", base],
    [
      "every optional field",
      {
        ...base,
        task_status_msg: "",
        created_at: 1,
        updated_at: 2,
        task_info: {},
        task_result: { videos: [] },
      },
    ],
    ["each status", { ...base, task_status: "failed" }],
    ["submitted", { ...base, task_status: "submitted" }],
    ["processing", { ...base, task_status: "processing" }],
    ["a task_result without videos", { ...base, task_result: {} }],
  ])("accepts %s", (_what, value) => {
    expect(() => assertCallbackPayload(value)).not.toThrow();
  });

  it("prefers the exact lower-case header name to another casing of it", async () => {
    const good = await signed();
    const headers = {
      "Webhook-Signature": "v1,AAAA",
      ...good,
    };
    expect(Object.keys(headers)[0]).toBe("Webhook-Signature");
    await expect(
      verifyCallback({ body: payload, headers, secret: SECRET, now: NOW * 1000 }),
    ).resolves.toBeTruthy();
  });
});
