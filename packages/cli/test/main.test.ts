// `main()` in process against a small recording gateway on 127.0.0.1: the request `kling submit`
// sends, where the key and base URL come from, and Ctrl-C during a submit.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Handler,
  json,
  png,
  startServer,
  type TestServer,
} from "@kling-multi-image/test-support";
import { afterEach, describe, expect, it } from "vitest";
import { type CliIo, main } from "../src/index.js";
import { file, jpeg } from "./support/images.js";

const dir = mkdtempSync(join(tmpdir(), "kling-cli-main-"));
const PNG = png(500, 400);
const JPG = jpeg(400, 600);
const pngPath = file(join(dir, "a.png"), PNG);
const jpgPath = file(join(dir, "b.jpg"), JPG);

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A gateway that records each request; `answer` replies (default: a documented create). */
async function gateway(answer?: Handler) {
  const server = await startServer(
    answer ??
      ((_hit, res) =>
        json(res, 200, {
          code: 0,
          message: "SUCCEED",
          request_id: "r1",
          data: { task_id: "T1", task_status: "submitted", created_at: 1764021600000 },
        })),
  );
  servers.push(server);
  return server;
}

function io(env: Record<string, string>, extra: Partial<CliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env,
    onInterrupt: () => () => {},
    exit: (code) => {
      throw new Error(`exit ${code}`);
    },
    ...extra,
  };
  return { io: value, out: () => out.join(""), err: () => err.join("") };
}

describe("kling submit's request", () => {
  it("sends local files as raw Base64, URLs as they are, and every option as the spec types it", async () => {
    const gw = await gateway();
    const { io: streams, out } = io({ KLING_API_KEY: "k1", KLING_BASE_URL: gw.url });
    const code = await main(
      [
        "submit",
        ...["-i", pngPath, "-i", "https://example.com/c.png", "-i", jpgPath],
        ...["-p", "Two friends", "--negative-prompt", "blur", "--mode", "pro", "-d", "10"],
        ...["-a", "1:1", "--callback-url", "https://hooks.example/k", "--external-task-id", "e-1"],
      ],
      streams,
    );
    expect(code).toBe(0);
    expect(out()).toBe("task T1 submitted (external_task_id e-1)\n");
    expect(gw.hits).toHaveLength(1);
    const [hit] = gw.hits;
    expect(hit?.method).toBe("POST");
    expect(hit?.url).toBe("/kling/v1/videos/multi-image2video");
    expect(hit?.headers.authorization).toBe("Bearer k1");
    expect(JSON.parse(hit?.body ?? "")).toEqual({
      model: "kling-v1-6",
      prompt: "Two friends",
      negative_prompt: "blur",
      image_list: [
        { image: PNG.toString("base64") },
        { image: "https://example.com/c.png" },
        { image: JPG.toString("base64") },
      ],
      mode: "pro",
      duration: "10",
      aspect_ratio: "1:1",
      callback_url: "https://hooks.example/k",
      external_task_id: "e-1",
    });
  });

  it("sends the defaults explicitly (16:9, not the gateway's own 1:1) and a UUID external_task_id", async () => {
    const gw = await gateway();
    const { io: streams } = io({ KLING_API_KEY: "k1", KLING_BASE_URL: gw.url });
    expect(await main(["submit", "-i", pngPath, "-p", "x"], streams)).toBe(0);
    const body = JSON.parse(gw.hits[0]?.body ?? "");
    expect(body).toMatchObject({
      model: "kling-v1-6",
      mode: "std",
      duration: "5",
      aspect_ratio: "16:9",
    });
    expect(body.external_task_id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("the prompt, checked as the spec does", () => {
  it("counts characters as code points and treats Go's whitespace as empty", async () => {
    const gw = await gateway();
    const env = { KLING_API_KEY: "k", KLING_BASE_URL: gw.url };
    const emoji = "\u{1F3D6}".repeat(2500); // 2500 characters, 5000 UTF-16 units
    expect(await main(["submit", "-i", pngPath, "-p", emoji, "-q"], io(env).io)).toBe(0);
    const tooLong = io(env);
    expect(await main(["submit", "-i", pngPath, "-p", `${emoji}!`], tooLong.io)).toBe(2);
    expect(tooLong.err()).toBe("kling: --prompt is 2501 characters; Kling takes at most 2500\n");
    const blank = io(env);
    expect(await main(["submit", "-i", pngPath, "-p", " \u0085\u3000\t"], blank.io)).toBe(2);
    expect(blank.err()).toBe("kling: --prompt is empty; Kling needs a prompt\n");
    expect(gw.hits).toHaveLength(1);
  });
});

describe("the key and the base URL", () => {
  it("take --api-key over KLING_API_KEY over EZMODEL_API_KEY, and --base-url over KLING_BASE_URL", async () => {
    const gw = await gateway();
    const other = await gateway();
    const args = ["submit", "-i", pngPath, "-p", "x", "-q"];
    await main(args, io({ EZMODEL_API_KEY: "ez", KLING_BASE_URL: gw.url }).io);
    await main(args, io({ KLING_API_KEY: "kl", EZMODEL_API_KEY: "ez", KLING_BASE_URL: gw.url }).io);
    await main(
      [...args, "--api-key", "flag"],
      io({ KLING_API_KEY: "kl", KLING_BASE_URL: gw.url }).io,
    );
    await main(
      [...args, "--base-url", other.url],
      io({ KLING_API_KEY: "kl", KLING_BASE_URL: gw.url }).io,
    );
    expect(gw.hits.map((h) => h.headers.authorization)).toEqual([
      "Bearer ez",
      "Bearer kl",
      "Bearer flag",
    ]);
    expect(other.hits).toHaveLength(1);
  });

  it("refuses a base URL that is not http(s) before any request", async () => {
    const { io: streams, err } = io({ KLING_API_KEY: "k" });
    expect(await main(["status", "T1", "--base-url", "ftp://x"], streams)).toBe(2);
    expect(err()).toMatch(/^kling: baseUrl must be an absolute http\(s\) URL/);
  });
});

describe("Ctrl-C during a submit", () => {
  it("before the request (while the images are read) sends nothing and exits 130", async () => {
    const gw = await gateway();
    const { io: streams, err } = io(
      { KLING_API_KEY: "k", KLING_BASE_URL: gw.url },
      {
        onInterrupt: (handler) => {
          handler(); // pressed as the command starts
          return () => {};
        },
      },
    );
    expect(await main(["submit", "-i", pngPath, "-p", "x", "--wait"], streams)).toBe(130);
    expect(err()).toBe("kling: interrupted before the submit: nothing was sent\n");
    expect(gw.hits).toEqual([]);
  });

  it("waits for the submit's answer, then prints the task id and exits 130 (no wait)", async () => {
    let interrupt = () => {};
    const gw = await gateway((_hit, res) => {
      interrupt(); // Ctrl-C while the submit is in flight
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            code: 0,
            message: "",
            data: { task_id: "T9", task_status: "submitted" },
          }),
        );
      }, 100);
    });
    const { io: streams, err } = io(
      { KLING_API_KEY: "k", KLING_BASE_URL: gw.url },
      {
        onInterrupt: (handler) => {
          interrupt = handler;
          return () => {};
        },
      },
    );
    const code = await main(["submit", "-i", pngPath, "-p", "x", "--wait"], streams);
    expect(code).toBe(130);
    expect(err()).toContain("Ctrl-C: waiting for the submit's answer");
    expect(err()).toContain("kling: interrupted: task T9 (submitted 0%) goes on on the server");
    expect(err()).toContain("kling: resume with: kling wait T9");
    expect(gw.hits).toHaveLength(1); // never polled, never re-submitted
  });

  it("a second Ctrl-C quits at once, printing the external_task_id to reconcile with", async () => {
    let interrupt = () => {};
    const gw = await gateway(() => {
      interrupt();
      interrupt(); // and no answer
    });
    const exits: number[] = [];
    const { io: streams, err } = io(
      { KLING_API_KEY: "k", KLING_BASE_URL: gw.url },
      {
        onInterrupt: (handler) => {
          interrupt = handler;
          return () => {};
        },
        exit: (code) => {
          exits.push(code);
          for (const s of servers.splice(0)) s.close(); // the process would be gone
        },
      },
    );
    await main(["submit", "-i", pngPath, "-p", "x", "--external-task-id", "mine-1"], streams);
    expect(exits).toEqual([130]);
    expect(err()).toContain(
      "kling: interrupted during the submit: a task may have been created; reconcile by external_task_id mine-1",
    );
  });
});
