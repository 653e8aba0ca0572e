// The mock end to end with the lead's modules: callbacks received by a real local receiver, and
// the video of a succeeded task served by the mock itself with Range.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startReceiver } from "@kling-multi-image/test-support";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { CREATE, call, startVirtual, submit } from "../support/harness.js";

const receivers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

const secret = `whsec_${Buffer.from("a mock webhook secret, 32 bytes!").toString("base64")}`;

describe("callbacks", () => {
  it("posts submitted, processing, succeed in order as the virtual clock advances, signed", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const mock = await startVirtual({ webhookSecret: secret });
    const id = await submit(mock.url, "k", {
      callback_url: receiver.url,
      external_task_id: "cb-1",
    });
    await mock.clock.advance(0);
    await expect.poll(() => receiver.received.length).toBe(1);
    await mock.clock.advance(1_000);
    await expect.poll(() => receiver.received.length).toBe(2);
    await mock.clock.advance(2_500);
    await expect.poll(() => receiver.received.length).toBe(3);

    const wh = new Webhook(secret);
    const bodies = receiver.received.map((r) => {
      const headers = {
        "webhook-id": String(r.headers["webhook-id"]),
        "webhook-timestamp": String(r.headers["webhook-timestamp"]),
        "webhook-signature": String(r.headers["webhook-signature"]),
      };
      // Signed at real time, so a receiver's freshness check passes even on a virtual clock.
      expect(wh.verify(r.body, headers)).toBeTruthy();
      return JSON.parse(r.body);
    });
    expect(bodies.map((b) => b.task_status)).toEqual(["submitted", "processing", "succeed"]);
    expect(bodies[2]).toMatchObject({ task_id: id, task_info: { external_task_id: "cb-1" } });
    expect(bodies[2].task_result.videos[0].url).toBe(`${mock.url}/__mock/videos/${id}.mp4`);
    expect(bodies[0].task_result.videos).toEqual([]);

    // The receiver has the body before the mock has read its answer: poll the log.
    const outcomes = async () =>
      (
        await call(mock.url, "GET", `/__mock/callbacks?task_id=${id}`, { key: "k" })
      ).body.deliveries.map((d: { task_status: string; outcome: string }) => [
        d.task_status,
        d.outcome,
      ]);
    await expect.poll(outcomes).toEqual([
      ["submitted", "delivered"],
      ["processing", "delivered"],
      ["succeed", "delivered"],
    ]);
    // Another key does not see these deliveries; no key sees all.
    expect(
      (await call(mock.url, "GET", "/__mock/callbacks", { key: "other" })).body.deliveries,
    ).toEqual([]);
    expect(
      (await call(mock.url, "GET", "/__mock/callbacks", { key: null })).body.deliveries,
    ).toHaveLength(3);
  });

  it("signatures are HMAC-SHA256 of id.timestamp.body with the decoded secret, as the spec says", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const mock = await startVirtual({ webhookSecret: secret });
    await submit(mock.url, "k", { callback_url: receiver.url });
    await mock.clock.advance(0);
    await expect.poll(() => receiver.received.length).toBe(1);
    const r = receiver.received[0];
    const ts = Number(r?.headers["webhook-timestamp"]);
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(300);
    const { createHmac } = await import("node:crypto");
    const key = Buffer.from(secret.slice("whsec_".length), "base64");
    const expected = createHmac("sha256", key)
      .update(`${r?.headers["webhook-id"]}.${ts}.${r?.body}`)
      .digest("base64");
    expect(String(r?.headers["webhook-signature"]).split(" ")).toContain(`v1,${expected}`);
  });

  it("retries after a receiver failure, and forced states still arrive in order", async () => {
    const receiver = await startReceiver((_delivery, i) => (i === 0 ? 500 : 200));
    receivers.push(receiver);
    const mock = await startVirtual();
    const id = await submit(mock.url, "k", { callback_url: receiver.url });
    await mock.clock.advance(0);
    await expect.poll(() => receiver.received.length).toBe(1);
    await call(mock.url, "POST", `/__mock/tasks/${id}/state`, {
      body: { status: "failed", reason: "nope" },
    });
    for (let i = 0; i < 20 && receiver.received.length < 4; i++) {
      await mock.clock.advance(1_000);
      await new Promise((r) => setTimeout(r, 20));
    }
    const statuses = receiver.received.map((r) => JSON.parse(r.body).task_status);
    expect(statuses).toEqual(["submitted", "submitted", "processing", "failed"]);
    expect(JSON.parse(receiver.received[3]?.body ?? "{}").task_status_msg).toBe("nope");
  });
});

describe("video", () => {
  it("serves a playable H.264 MP4 with Range, matching aspect ratio and duration", async () => {
    const mock = await startVirtual();
    const id = await submit(mock.url, "k", { aspect_ratio: "9:16", duration: "5" });
    const url = `${mock.url}/__mock/videos/${id}.mp4`;
    expect((await fetch(url)).status).toBe(404); // not succeeded yet
    await mock.clock.advance(10_000);
    const q = await call(mock.url, "GET", `${CREATE}/${id}`, { key: "k" });
    expect(q.body.data.data.data.task_result.videos[0].url).toBe(url);

    const full = await fetch(url);
    expect(full.status).toBe(200);
    expect(full.headers.get("content-type")).toBe("video/mp4");
    expect(full.headers.get("accept-ranges")).toBe("bytes");
    const bytes = new Uint8Array(await full.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(4, 8))).toBe("ftyp");

    const part = await fetch(url, { headers: { range: "bytes=0-99" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 0-99/${bytes.length}`);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
    expect((await fetch(url, { headers: { range: `bytes=${bytes.length + 10}-` } })).status).toBe(
      416,
    );
    expect((await fetch(url, { method: "HEAD" })).status).toBe(200);

    let ffprobe = true;
    try {
      execFileSync("ffprobe", ["-version"], { stdio: "ignore" });
    } catch {
      ffprobe = false;
    }
    if (ffprobe) {
      const file = join(mkdtempSync(join(tmpdir(), "kling-mock-")), "v.mp4");
      writeFileSync(file, bytes);
      const out = JSON.parse(
        execFileSync(
          "ffprobe",
          ["-v", "error", "-show_streams", "-show_format", "-of", "json", file],
          { encoding: "utf8" },
        ),
      );
      const stream = out.streams[0];
      expect(stream.codec_name).toBe("h264");
      expect(stream.width / stream.height).toBeCloseTo(9 / 16, 1);
      expect(Number(out.format.duration)).toBeCloseTo(5, 0);
    }
  });

  it("a failed task has no video", async () => {
    const mock = await startVirtual();
    const id = await submit(mock.url, "k", {}, { "x-mock-scenario": "fail" });
    await mock.clock.advance(10_000);
    expect((await fetch(`${mock.url}/__mock/videos/${id}.mp4`)).status).toBe(404);
  });
});
