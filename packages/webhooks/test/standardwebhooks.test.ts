// Cross-checks against the official `standardwebhooks` package (the reference implementation of
// https://www.standardwebhooks.com/): what it signs verifies here, what is signed here verifies
// there, and the two agree on the edges of the timestamp tolerance and on key rotation.

import { STANDARD_WEBHOOKS_VECTOR as VECTOR } from "@kling-multi-image/test-support";
import { WebhookVerificationError as TheirError, Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signWebhook, verifyWebhook, WebhookVerificationError } from "../src/index.js";

const NOW = 1_764_021_600;

/** A `whsec_` secret of `length` bytes derived from `seed` (deterministic, no Buffer). */
function secretOf(seed: number, length = 24): string {
  const bytes = Uint8Array.from({ length }, (_, i) => (seed * 131 + i * 197 + 7) % 256);
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

const BODIES = [
  '{"task_id":"t","task_status":"succeed"}',
  "",
  "plain text, not JSON",
  '{"prompt":"café, 東京, 🎬 and a \\"quote\\""}',
  "x".repeat(10_000),
];

afterEach(() => {
  vi.useRealTimers();
});

describe("against the standardwebhooks package", () => {
  it("both give the published test vector", async () => {
    const theirs = new Webhook(VECTOR.secret).sign(
      VECTOR.id,
      new Date(VECTOR.timestamp * 1000),
      VECTOR.body,
    );
    expect(theirs).toBe(VECTOR.signature);
    const ours = await signWebhook({
      secret: VECTOR.secret,
      id: VECTOR.id,
      timestamp: VECTOR.timestamp,
      body: VECTOR.body,
    });
    expect(ours).toEqual({
      "webhook-id": VECTOR.id,
      "webhook-timestamp": String(VECTOR.timestamp),
      "webhook-signature": VECTOR.signature,
    });
  });

  it.each(BODIES.map((body, i) => [i, body] as const))(
    "their signature verifies with ours (body %i)",
    async (i, body) => {
      const secret = secretOf(i, 16 + i * 8);
      const id = `msg_${i}`;
      const signature = new Webhook(secret).sign(id, new Date(NOW * 1000), body);
      const headers = {
        "webhook-id": id,
        "webhook-timestamp": String(NOW),
        "webhook-signature": signature,
      };
      await expect(verifyWebhook({ secret, headers, body, now: NOW * 1000 })).resolves.toEqual({
        id,
        timestamp: NOW,
      });
      // Signed as UTF-8 bytes: the same body given as bytes verifies too.
      const bytes = new TextEncoder().encode(body);
      await expect(
        verifyWebhook({ secret, headers, body: bytes, now: NOW * 1000 }),
      ).resolves.toBeTruthy();
    },
  );

  it.each(BODIES.map((body, i) => [i, body] as const))(
    "our signature verifies with theirs (body %i)",
    async (i, body) => {
      vi.useFakeTimers({ now: NOW * 1000, toFake: ["Date"] });
      const secret = secretOf(i + 100, 16 + i * 8);
      const headers = await signWebhook({ secret, id: `msg_${i}`, timestamp: NOW, body });
      const wh = new Webhook(secret);
      // `verify` returns the parsed JSON, or undefined for an empty body; it throws on a mismatch.
      expect(() => wh.verify(body, { ...headers }, { jsonParse: false })).not.toThrow();
      // And theirs refuses ours once the body changes, so the check above is not vacuous.
      expect(() => wh.verify(`${body} `, { ...headers }, { jsonParse: false })).toThrow(TheirError);
    },
  );

  it("both drop the fraction of a timestamp when signing", async () => {
    const secret = secretOf(5);
    const body = BODIES[0] ?? "";
    const at = NOW + 0.9;
    const ours = await signWebhook({ secret, id: "msg_f", timestamp: at, body });
    expect(ours["webhook-timestamp"]).toBe(String(NOW));
    expect(ours["webhook-signature"]).toBe(
      new Webhook(secret).sign("msg_f", new Date(at * 1000), body),
    );
  });

  it("both ignore a good MAC under a version other than v1", async () => {
    vi.useFakeTimers({ now: NOW * 1000, toFake: ["Date"] });
    const secret = secretOf(6);
    const body = BODIES[0] ?? "";
    const signed = await signWebhook({ secret, id: "msg_v", timestamp: NOW, body });
    const headers = {
      ...signed,
      "webhook-signature": signed["webhook-signature"].replace("v1,", "v2,"),
    };
    expect(() => new Webhook(secret).verify(body, headers)).toThrow(TheirError);
    await expect(verifyWebhook({ secret, headers, body })).rejects.toThrow(
      WebhookVerificationError,
    );
  });

  it("both accept a timestamp 300 s away, and both refuse one 301 s away", async () => {
    const secret = secretOf(7);
    const body = BODIES[0] ?? "";
    vi.useFakeTimers({ now: NOW * 1000, toFake: ["Date"] });
    for (const offset of [-301, -300, 0, 300, 301]) {
      const headers = await signWebhook({ secret, id: "msg_t", timestamp: NOW + offset, body });
      const theirs = (() => {
        try {
          new Webhook(secret).verify(body, { ...headers });
          return "ok";
        } catch (error) {
          return error instanceof TheirError ? "refused" : error;
        }
      })();
      const ours = await verifyWebhook({ secret, headers, body }).then(
        () => "ok",
        (error: unknown) => (error instanceof WebhookVerificationError ? "refused" : error),
      );
      expect({ offset, ours }).toEqual({ offset, ours: theirs });
      expect(ours).toBe(Math.abs(offset) <= 300 ? "ok" : "refused");
    }
  });

  it("both accept a rotation header whatever the position of the good signature", async () => {
    vi.useFakeTimers({ now: NOW * 1000, toFake: ["Date"] });
    const [oldSecret, newSecret] = [secretOf(1), secretOf(2)];
    const body = BODIES[0] ?? "";
    const signed = await signWebhook({ secret: newSecret, id: "msg_r", timestamp: NOW, body });
    const other = new Webhook(oldSecret).sign("msg_r", new Date(NOW * 1000), body);
    for (const signature of [
      `${other} ${signed["webhook-signature"]}`,
      `${signed["webhook-signature"]} ${other}`,
    ]) {
      const headers = { ...signed, "webhook-signature": signature };
      for (const secret of [oldSecret, newSecret]) {
        expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
        await expect(verifyWebhook({ secret, headers, body })).resolves.toBeTruthy();
      }
      const stranger = secretOf(3);
      expect(() => new Webhook(stranger).verify(body, headers)).toThrow(TheirError);
      await expect(verifyWebhook({ secret: stranger, headers, body })).rejects.toThrow(
        WebhookVerificationError,
      );
    }
  });
});
