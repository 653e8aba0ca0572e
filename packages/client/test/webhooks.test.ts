import { describe, expect, it } from "vitest";
import { signCallback, verifyCallback, WebhookVerificationError } from "../src/webhooks.js";

// Standard Webhooks' published test vector (standard-webhooks/standard-webhooks libraries).
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

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
});
