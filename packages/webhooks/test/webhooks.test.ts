// The package on its own: each reason a webhook is refused, the edges of the tolerance, key
// rotation on both sides, secrets, header shapes, and that the source needs nothing but Web APIs.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  checkWebhook,
  decodeSecret,
  type HeadersLike,
  importSigningKey,
  signWebhook,
  type VerifyWebhookOptions,
  verifyWebhook,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from "../src/index.js";

const SECRET = "whsec_c2VjcmV0LWtleS1mb3ItdGVzdHMtMTIzNDU2Nzg5MA==";
const OTHER = "whsec_b3RoZXItc2VjcmV0LWtleS1mb3ItdGVzdHMtOTg3Ng==";
const BODY = '{"task_id":"t","task_status":"succeed"}';
const NOW = 1_764_021_600;
const BAD_SECRET = "webhook secret must be whsec_ followed by Base64";

const sign = (options: { secret?: string; timestamp?: number; body?: string } = {}) =>
  signWebhook({
    secret: options.secret ?? SECRET,
    id: "msg_1",
    timestamp: options.timestamp ?? NOW,
    body: options.body ?? BODY,
  });

const verify = (headers: HeadersLike, extra: Partial<VerifyWebhookOptions> = {}) =>
  verifyWebhook({ secret: SECRET, headers, body: BODY, now: NOW * 1000, ...extra });

/** Resolves to the reason a verification was refused for (and fails the test if it was not). */
async function reasonOf(promise: Promise<unknown>): Promise<WebhookVerificationReason> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WebhookVerificationError)) {
    throw new Error(`expected a WebhookVerificationError, got ${String(error)}`);
  }
  expect(error).toBeInstanceOf(Error);
  expect(error.name).toBe("WebhookVerificationError");
  expect(error.message).toBe(error.reason);
  return error.reason;
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

describe("decodeSecret", () => {
  it.each([
    ["whsec_AAEC/w==", [0, 1, 2, 255]],
    ["AAEC/w==", [0, 1, 2, 255]],
    ["whsec_+/+/", [251, 255, 191]],
    ["whsec_Zz09", [103, 61, 61]],
    ["whsec_AA==", [0]],
    ["whsec_AAE", [0, 1]],
  ])("%s", (secret, bytes) => {
    const key = decodeSecret(secret);
    expect(key).toBeInstanceOf(Uint8Array);
    expect([...key]).toEqual(bytes);
  });

  it.each([
    "whsec_",
    "",
    "whsec_A",
    "whsec_AA===",
    "whsec_a b",
    "whsec_!AAA",
    "whsec_AAA!",
    "xwhsec_AAEC",
    "whsec_AA-_",
    "whsec_@@@",
  ])("refuses %j with a TypeError", (secret) => {
    expect(() => decodeSecret(secret)).toThrow(new TypeError(BAD_SECRET));
  });
});

describe("importSigningKey", () => {
  it("imports an HMAC-SHA256 key that can only sign and cannot be read back", async () => {
    const key = await importSigningKey(SECRET);
    expect(key.usages).toEqual(["sign"]);
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toMatchObject({ name: "HMAC", hash: { name: "SHA-256" } });
  });

  it("throws at once, not later, for a bad secret; Web Crypto refuses empty bytes", async () => {
    expect(() => importSigningKey("whsec_@@@")).toThrow(new TypeError(BAD_SECRET));
    await expect(importSigningKey(new Uint8Array())).rejects.toMatchObject({ name: "DataError" });
  });
});

describe("signWebhook", () => {
  it("gives the same headers from the secret, its bytes or an imported key", async () => {
    const fromSecret = await sign();
    const fromBytes = await signWebhook({
      secret: decodeSecret(SECRET),
      id: "msg_1",
      timestamp: NOW,
      body: BODY,
    });
    const key = await importSigningKey(SECRET);
    const fromKey = await signWebhook({ key, id: "msg_1", timestamp: NOW, body: BODY });
    expect(fromBytes).toEqual(fromSecret);
    expect(fromKey).toEqual(fromSecret);
    expect(fromSecret["webhook-id"]).toBe("msg_1");
    expect(fromSecret["webhook-timestamp"]).toBe(String(NOW));
    expect(fromSecret["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it("drops the fraction of a timestamp, and signs what it puts in the header", async () => {
    const headers = await sign({ timestamp: NOW + 0.9 });
    expect(headers).toEqual(await sign());
  });

  it("writes the timestamp as whole seconds", async () => {
    await expect(sign({ timestamp: 0 })).resolves.toMatchObject({ "webhook-timestamp": "0" });
    await expect(sign({ timestamp: 1e12 - 1 })).resolves.toMatchObject({
      "webhook-timestamp": "999999999999",
    });
  });

  it("signs bytes as given: a string body and its UTF-8 bytes sign alike", async () => {
    const body = '{"prompt":"café 🎬"}';
    const asText = await sign({ body });
    const asBytes = await signWebhook({
      secret: SECRET,
      id: "msg_1",
      timestamp: NOW,
      body: new TextEncoder().encode(body),
    });
    expect(asBytes).toEqual(asText);
  });

  it("rejects a bad secret with a TypeError", async () => {
    await expect(sign({ secret: "whsec_" })).rejects.toThrow(new TypeError(BAD_SECRET));
  });
});

describe("verifyWebhook", () => {
  it("returns the id and the timestamp of a good webhook", async () => {
    await expect(verify(await sign())).resolves.toEqual({ id: "msg_1", timestamp: NOW });
  });

  it("refuses a tampered body, another secret, and a signature moved to another message", async () => {
    const headers = await sign();
    expect(await reasonOf(verify(headers, { body: `${BODY} ` }))).toBe("no matching signature");
    expect(await reasonOf(verify(headers, { secret: OTHER }))).toBe("no matching signature");
    const moved = { ...headers, "webhook-timestamp": String(NOW + 1) };
    expect(await reasonOf(verify(moved))).toBe("no matching signature");
    const renamed = { ...headers, "webhook-id": "msg_2" };
    expect(await reasonOf(verify(renamed))).toBe("no matching signature");
  });

  it("matches only the whole MAC: not a prefix, one byte more, or one bit off", async () => {
    const good = (await sign())["webhook-signature"];
    const mac = unb64(good.slice(3));
    for (const wrong of [
      b64(mac.subarray(0, 16)),
      b64(mac.subarray(0, 31)),
      b64(Uint8Array.from([...mac, 0])),
      b64(Uint8Array.from([...mac.subarray(0, 31), (mac[31] ?? 0) ^ 1])),
      b64(Uint8Array.from([(mac[0] ?? 0) ^ 128, ...mac.subarray(1)])),
      b64(new Uint8Array(32)),
    ]) {
      const headers = { ...(await sign()), "webhook-signature": `v1,${wrong}` };
      expect(await reasonOf(verify(headers)), wrong).toBe("no matching signature");
    }
  });

  describe("missing headers", () => {
    it.each([
      ["webhook-id"],
      ["webhook-timestamp"],
      ["webhook-signature"],
      ["webhook-id", "webhook-signature"],
      ["webhook-id", "webhook-timestamp", "webhook-signature"],
    ])("refuses a webhook without %s", async (...names) => {
      const headers: Record<string, string> = { ...(await sign()) };
      for (const name of names) delete headers[name];
      expect(await reasonOf(verify(headers))).toBe("missing webhook-id, -timestamp or -signature");
    });

    it("counts an empty header as missing, in a Headers object too", async () => {
      for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
        const headers = { ...(await sign()), [name]: "" };
        expect(await reasonOf(verify(headers)), name).toBe(
          "missing webhook-id, -timestamp or -signature",
        );
      }
      expect(await reasonOf(verify(new Headers()))).toBe(
        "missing webhook-id, -timestamp or -signature",
      );
    });
  });

  it.each([
    "x1764021600",
    "1764021600x",
    " 1764021600",
    "1764021600.5",
    "-1764021600",
    "+1764021600",
    "1e9",
    "0x69",
    "1234567890123",
  ])("refuses the timestamp %j as not Unix seconds", async (timestamp) => {
    // Signed with that very timestamp, so only its form can be what is wrong.
    const headers = {
      ...(await sign()),
      "webhook-timestamp": timestamp,
      "webhook-signature": (await sign())["webhook-signature"],
    };
    expect(await reasonOf(verify(headers))).toBe("malformed webhook-timestamp");
  });

  it("accepts 1 to 12 digits, leading zeros included", async () => {
    const key = await importSigningKey(SECRET);
    for (const timestamp of ["0", "000000000001", "999999999999"]) {
      const headers = await signWebhook({
        key,
        id: "msg_1",
        timestamp: Number(timestamp),
        body: BODY,
      });
      headers["webhook-timestamp"] = timestamp;
      // Far from now, so the form passed when the reason is the tolerance.
      expect(await reasonOf(verify(headers)), timestamp).toMatch(
        /^webhook-timestamp is (too old|in the future)$/,
      );
    }
  });

  describe("the tolerance", () => {
    it("accepts 300 s either way by default, and refuses 301 s", async () => {
      for (const offset of [-300, -1, 0, 1, 300]) {
        await expect(verify(await sign({ timestamp: NOW + offset }))).resolves.toBeTruthy();
      }
      expect(await reasonOf(verify(await sign({ timestamp: NOW - 301 })))).toBe(
        "webhook-timestamp is too old",
      );
      expect(await reasonOf(verify(await sign({ timestamp: NOW + 301 })))).toBe(
        "webhook-timestamp is in the future",
      );
    });

    it("compares whole seconds: the fraction of now is dropped", async () => {
      const old = await sign({ timestamp: NOW - 300 });
      await expect(verify(old, { now: NOW * 1000 + 999 })).resolves.toBeTruthy();
      expect(await reasonOf(verify(old, { now: NOW * 1000 + 1000 }))).toBe(
        "webhook-timestamp is too old",
      );
      const ahead = await sign({ timestamp: NOW + 300 });
      await expect(verify(ahead, { now: NOW * 1000 })).resolves.toBeTruthy();
      expect(await reasonOf(verify(ahead, { now: NOW * 1000 - 1 }))).toBe(
        "webhook-timestamp is in the future",
      );
    });

    it("takes another tolerance, and checks it before the signature", async () => {
      const behind = await sign({ timestamp: NOW - 100 });
      await expect(verify(behind, { toleranceSeconds: 100 })).resolves.toBeTruthy();
      expect(await reasonOf(verify(behind, { toleranceSeconds: 99 }))).toBe(
        "webhook-timestamp is too old",
      );
      const ahead = await sign({ timestamp: NOW + 100 });
      await expect(verify(ahead, { toleranceSeconds: 100 })).resolves.toBeTruthy();
      expect(await reasonOf(verify(ahead, { toleranceSeconds: 99 }))).toBe(
        "webhook-timestamp is in the future",
      );
      await expect(verify(await sign(), { toleranceSeconds: 0 })).resolves.toBeTruthy();
      const stale = { ...(await sign({ timestamp: NOW - 1000 })), "webhook-signature": "v1,AAAA" };
      expect(await reasonOf(verify(stale))).toBe("webhook-timestamp is too old");
    });

    it("refuses every webhook when the tolerance or the time is not a number", async () => {
      // Number(process.env.UNSET) is NaN: it must close the check, not open it to any age.
      const ancient = await sign({ timestamp: 1 });
      expect(await reasonOf(verify(ancient, { toleranceSeconds: Number.NaN }))).toBe(
        "webhook-timestamp is too old",
      );
      expect(await reasonOf(verify(await sign(), { toleranceSeconds: Number.NaN }))).toBe(
        "webhook-timestamp is too old",
      );
      expect(await reasonOf(verify(ancient, { now: Number.NaN }))).toBe(
        "webhook-timestamp is too old",
      );
    });

    it("uses the clock when no time is given", async () => {
      const now = Math.floor(Date.now() / 1000);
      const headers = await sign({ timestamp: now });
      await expect(verifyWebhook({ secret: SECRET, headers, body: BODY })).resolves.toEqual({
        id: "msg_1",
        timestamp: now,
      });
      const old = await sign({ timestamp: now - 400 });
      expect(await reasonOf(verifyWebhook({ secret: SECRET, headers: old, body: BODY }))).toBe(
        "webhook-timestamp is too old",
      );
    });
  });

  it.each(["v1", "v1,", "v1,%%%", "v1,A\tA", "v2,AAAA", "v1a,AAAA", "V1,AAAA", "AAAA", " "])(
    "refuses %j as having no v1 signature",
    async (signature) => {
      const headers = { ...(await sign()), "webhook-signature": signature };
      expect(await reasonOf(verify(headers))).toBe("malformed webhook-signature");
    },
  );

  describe("key rotation", () => {
    it("accepts the good signature among several, wherever it stands", async () => {
      const mine = (await sign())["webhook-signature"];
      const theirs = (await sign({ secret: OTHER }))["webhook-signature"];
      for (const signature of [
        `${mine} ${theirs}`,
        `${theirs} ${mine}`,
        `v2,AAAA ${mine}`,
        `v1,%%% ${mine}`,
        `v1, ${mine}`,
        `${theirs} v1,AAAA ${mine}`,
      ]) {
        const headers = { ...(await sign()), "webhook-signature": signature };
        await expect(verify(headers), signature).resolves.toBeTruthy();
      }
      const headers = { ...(await sign()), "webhook-signature": `v1,AAAA ${theirs}` };
      expect(await reasonOf(verify(headers))).toBe("no matching signature");
    });

    it("accepts a signature made with any of several secrets", async () => {
      const headers = await sign();
      await expect(verify(headers, { secret: [OTHER, SECRET] })).resolves.toBeTruthy();
      await expect(verify(headers, { secret: [SECRET, OTHER] })).resolves.toBeTruthy();
      await expect(verify(headers, { secret: [decodeSecret(SECRET)] })).resolves.toBeTruthy();
      expect(await reasonOf(verify(headers, { secret: [OTHER] }))).toBe("no matching signature");
      expect(await reasonOf(verify(headers, { secret: [] }))).toBe("no matching signature");
    });
  });

  describe("secrets", () => {
    it("accepts one without the whsec_ prefix, and one as bytes", async () => {
      const headers = await sign();
      await expect(verify(headers, { secret: SECRET.slice(6) })).resolves.toBeTruthy();
      await expect(verify(headers, { secret: decodeSecret(SECRET) })).resolves.toBeTruthy();
    });

    it("refuses a bad one with a TypeError, before looking at the headers", async () => {
      const headers = await sign();
      for (const secret of ["whsec_@@@", "whsec_", [SECRET, "whsec_A"]]) {
        await expect(verify(headers, { secret })).rejects.toThrow(new TypeError(BAD_SECRET));
        await expect(verify({}, { secret })).rejects.toThrow(new TypeError(BAD_SECRET));
      }
    });
  });

  describe("headers", () => {
    it("reads a Headers object", async () => {
      await expect(verify(new Headers(await sign()))).resolves.toBeTruthy();
    });

    it("reads another implementation of Headers (a polyfill's, another realm's)", async () => {
      const inner = new Headers(await sign());
      const foreign = { get: (name: string) => inner.get(name) } as unknown as Headers;
      await expect(verify(foreign)).resolves.toBeTruthy();
    });

    it("reads names whatever their case, preferring the exact lower-case one", async () => {
      const good = await sign();
      const shouted = Object.fromEntries(
        Object.entries(good).map(([k, v]) => [k.toUpperCase(), v]),
      );
      await expect(verify(shouted)).resolves.toBeTruthy();
      const both = { "Webhook-Signature": "v1,AAAA", ...good };
      expect(Object.keys(both)[0]).toBe("Webhook-Signature");
      await expect(verify(both)).resolves.toBeTruthy();
    });

    it("reads a header sent twice (Node gives an array) as its values joined by a space", async () => {
      const mine = await sign();
      const theirs = await sign({ secret: OTHER });
      const headers = {
        ...mine,
        "webhook-signature": [theirs["webhook-signature"], mine["webhook-signature"]],
      };
      await expect(verify(headers)).resolves.toBeTruthy();
      const neither = { ...mine, "webhook-signature": [theirs["webhook-signature"], "v1,AAAA"] };
      expect(await reasonOf(verify(neither))).toBe("no matching signature");
    });
  });

  it("verifies a byte body over the bytes as sent (a BOM included)", async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(BODY)]);
    const asSent = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
    const headers = await sign({ body: asSent });
    await expect(verify(headers, { body: bytes })).resolves.toBeTruthy();
    expect(await reasonOf(verify(headers, { body: bytes.subarray(3) }))).toBe(
      "no matching signature",
    );
  });

  it("makes the reason its message, and checkWebhook returns the same reasons", async () => {
    expect(await checkWebhook({ secret: SECRET, headers: {}, body: BODY })).toBe(
      "missing webhook-id, -timestamp or -signature",
    );
    const good = await sign({});
    expect(
      await checkWebhook({ secret: SECRET, headers: good, body: BODY, now: NOW * 1000 }),
    ).toBeUndefined();
    const error = new WebhookVerificationError("webhook-timestamp is in the future");
    expect(error).toMatchObject({
      name: "WebhookVerificationError",
      reason: "webhook-timestamp is in the future",
      message: "webhook-timestamp is in the future",
    });
  });
});

describe("the source", () => {
  it("uses Web APIs only: no node: modules and no Buffer", () => {
    const source = readFileSync(new URL("../src/index.ts", import.meta.url), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    expect(source).toContain("crypto.subtle");
    expect(source).not.toMatch(/\bfrom\s+["'](node:|crypto["'])/);
    expect(source).not.toMatch(/\bimport\s*\(/);
    expect(source).not.toMatch(/\bBuffer\b/);
    expect(source).not.toMatch(/\brequire\s*\(/);
  });
});
