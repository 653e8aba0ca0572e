// `kling` as a user runs it: `node bin/kling.js ...` in its own process, against the real mock
// (@kling-multi-image/mock) over loopback. Exit codes, stdout and stderr are the process's own.
import { mkdirSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createMockServer,
  type MockServer,
  type MockServerOptions,
  type TimingProfile,
  type VirtualMockServer,
} from "@kling-multi-image/mock";
import { png, startServer } from "@kling-multi-image/test-support";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { file, GIF } from "./support/images.js";
import { kling, start } from "./support/run.js";

const KEY = "cli-test-key";
/** Real time, but quick: NOT_START, then SUBMITTED, processing at 150 ms, done at 600 ms. */
const quick: TimingProfile = {
  name: "quick",
  schedule: () => ({ refreshAt: 50, processingAt: 150, finishAt: 600 }),
};

const work = mkdtempSync(join(tmpdir(), "kling-cli-"));
const A = file(join(work, "a.png"), png(640, 360));
const B = file(join(work, "b.png"), png(400, 400));
const URL_IMAGE = "https://example.com/c.png";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function mock(options: Omit<MockServerOptions, "port" | "host"> = {}): Promise<MockServer> {
  const server = await createMockServer({ log: false, timing: quick, ...options });
  open.push(server);
  return server;
}

/** A mock whose time moves only when the test advances it (fast timing: done at 3.5 s). */
async function virtualMock(): Promise<VirtualMockServer> {
  const server = await createMockServer({ log: false, clock: "virtual" });
  open.push(server);
  return server;
}

/** The mock's stored tasks (every key's). */
async function tasks(
  server: MockServer,
): Promise<{ task_id: string; external_task_id?: string }[]> {
  const res = await fetch(`${server.url}/__mock/tasks`);
  return ((await res.json()) as { tasks: { task_id: string; external_task_id?: string }[] }).tasks;
}

function env(server: { url: string }, extra: Record<string, string> = {}) {
  return { KLING_API_KEY: KEY, KLING_BASE_URL: server.url, ...extra };
}

/** A fresh folder for one test's output. */
function folder(): string {
  return mkdtempSync(join(work, "out-"));
}

function isMp4(path: string): boolean {
  return readFileSync(path).subarray(4, 8).toString("latin1") === "ftyp";
}

async function videoLength(server: MockServer, taskId: string): Promise<number> {
  const res = await fetch(`${server.url}/__mock/videos/${taskId}.mp4`);
  return (await res.arrayBuffer()).byteLength;
}

describe("kling submit, the whole path", () => {
  it("turns two local PNGs and a URL into a downloaded, playable MP4 (exit 0)", async () => {
    const server = await mock();
    const out = join(folder(), "v.mp4");
    const run = await kling(
      [
        "submit",
        "--image",
        A,
        "--image",
        B,
        "--image",
        URL_IMAGE,
        "--prompt",
        "Two friends walk",
      ].concat(["--interval", "0.05", "--out", out]),
      { env: env(server) },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(isMp4(out)).toBe(true);
    const [task] = await tasks(server);
    expect(statSync(out).size).toBe(await videoLength(server, task?.task_id ?? ""));
    expect(run.stdout).toMatch(new RegExp(`^saved ${out} \\(\\d+\\.\\d kB\\)\\n$`));
    // Not a terminal: plain lines, no redraws.
    expect(run.stderr).not.toContain("\r");
    expect(run.stderr).not.toContain("\u001b[");
    expect(run.stderr).toContain(`submitted task ${task?.task_id}`);
    expect(run.stderr).toMatch(/processing 30%/);
    expect(run.stderr).toMatch(/succeed 100%/);
    expect(run.stderr).toMatch(/downloading: \d+\.\d kB of \d+\.\d kB/);
  });

  it("--json prints one JSON document naming the task and the file", async () => {
    const server = await mock();
    const out = join(folder(), "v.mp4");
    const run = await kling(
      ["submit", "-i", A, "-i", URL_IMAGE, "-p", "A dog runs", "-d", "10", "-a", "9:16"].concat([
        "--external-task-id",
        "json-1",
        "--interval",
        "0.05",
        "--out",
        out,
        "--json",
      ]),
      { env: env(server) },
    );
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      task: { taskId: string; status: string; externalTaskId: string; videos: { url: string }[] };
      file: { path: string; bytes: number; url: string };
    };
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    expect(doc.task.status).toBe("succeed");
    expect(doc.task.externalTaskId).toBe("json-1");
    expect(doc.task).not.toHaveProperty("raw");
    expect(doc.file).toEqual({
      path: out,
      bytes: statSync(out).size,
      url: `${server.url}/__mock/videos/${doc.task.taskId}.mp4`,
    });
    expect(isMp4(out)).toBe(true);
  });

  it("--quiet prints only the result: the file, the task id", async () => {
    const server = await mock();
    const out = join(folder(), "q.mp4");
    const saved = await kling(
      ["submit", "-i", B, "-p", "x", "--interval", "0.05", "-o", out, "-q"],
      {
        env: env(server),
      },
    );
    expect(saved).toMatchObject({ code: 0, stdout: `${out}\n`, stderr: "" });
    const submitted = await kling(["submit", "-i", B, "-p", "x", "--quiet"], { env: env(server) });
    expect(submitted.code).toBe(0);
    expect(submitted.stdout).toMatch(/^[\w-]+\n$/);
    expect(submitted.stderr).toBe("");
  });
});

describe("kling status, wait and download", () => {
  it("follow a task submitted earlier, and save into a folder as <task_id>.mp4", async () => {
    const server = await virtualMock();
    const submitted = await kling(["submit", "-i", A, "-p", "x", "--json"], { env: env(server) });
    expect(submitted.code, submitted.stderr).toBe(0);
    const { taskId } = (JSON.parse(submitted.stdout) as { task: { taskId: string } }).task;

    const early = await kling(["download", taskId, "--out", folder()], { env: env(server) });
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(
      new RegExp(`task ${taskId} has no video yet .*kling wait ${taskId}`),
    );

    await server.clock.advance(10_000);
    const dir = folder();
    const waited = await kling(["wait", taskId, "--interval", "0.05", "--out", dir], {
      env: env(server),
    });
    expect(waited.code, waited.stderr).toBe(0);
    expect(isMp4(join(dir, `${taskId}.mp4`))).toBe(true);

    const status = await kling(["status", taskId], { env: env(server) });
    expect(status.code).toBe(0);
    expect(status.stdout).toBe(
      `task ${taskId}: succeed 100%\nvideo: ${server.url}/__mock/videos/${taskId}.mp4\n`,
    );
    const json = await kling(["status", taskId, "--json"], { env: env(server) });
    expect(JSON.parse(json.stdout)).toMatchObject({ task: { taskId, status: "succeed" } });

    const out = join(folder(), "again.mp4");
    const downloaded = await kling(["download", taskId, "-o", out, "--json"], { env: env(server) });
    expect(downloaded.code, downloaded.stderr).toBe(0);
    expect(JSON.parse(downloaded.stdout)).toMatchObject({ file: { path: out } });
    expect(readFileSync(out)).toEqual(readFileSync(join(dir, `${taskId}.mp4`)));
  });

  it("exit 1 when the task fails, with Kling's reason", async () => {
    const server = await mock({ scenario: "fail" });
    const run = await kling(
      ["submit", "-i", A, "-p", "x", "--wait", "--interval", "0.05", "--json"],
      {
        env: env(server),
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/kling: task \S+ failed: \S/);
    const doc = JSON.parse(run.stdout) as {
      error: { exitCode: number };
      task: { taskId: string; status: string };
    };
    expect(doc.error.exitCode).toBe(1);
    expect(doc.task.status).toBe("failed");
    const status = await kling(["status", doc.task.taskId], { env: env(server) });
    expect(status.code, status.stderr).toBe(1);
    expect(status.stdout).toMatch(/failed 100% \(\S/);
  });

  it("exit 4 when the wait times out, saying how to keep waiting", async () => {
    const server = await virtualMock();
    const submitted = await kling(["submit", "-i", A, "-p", "x", "-q"], { env: env(server) });
    const taskId = submitted.stdout.trim();
    const run = await kling(["wait", taskId, "--timeout", "0.4", "--interval", "0.1"], {
      env: env(server),
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/did not finish within 400 ms/);
    expect(run.stderr).toContain(`kling wait ${taskId} to keep waiting`);
  });

  it("exit 3 for an API error (a refused key), 2 for a request the server refused, naming the field", async () => {
    const server = await mock({ keys: ["the-only-key"] });
    const denied = await kling(["status", "abc"], { env: env(server) });
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/^kling: the server refused the API key: 401 /);

    const refused = await kling(["submit", "-i", A, "-p", "x", "--callback-url", "http://%zz"], {
      env: env(server, { KLING_API_KEY: "the-only-key" }),
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /kling: the server refused the request: 400 callback_url must match format "uri"/,
    );
  });

  it("exit 5 when the submit's outcome is unknown, printing the external_task_id", async () => {
    // `disconnect`: the mock creates the task, then drops the connection unanswered.
    const server = await mock({ scenario: "disconnect" });
    const run = await kling(
      ["submit", "-i", A, "-p", "x", "--external-task-id", "lost-1", "--json"],
      {
        env: env(server),
      },
    );
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/outcome is unknown/);
    expect(run.stderr).toContain("reconcile by external_task_id lost-1");
    expect(JSON.parse(run.stdout)).toMatchObject({
      error: { exitCode: 5, externalTaskId: "lost-1", name: "SubmitOutcomeUnknownError" },
    });
    // The task does exist: that is what the id is for.
    expect((await tasks(server)).map((t) => t.external_task_id)).toEqual(["lost-1"]);
  });
});

describe("bad input: exit 2, the rule named, no request made", () => {
  let server: MockServer;
  let dir: string;
  beforeAll(async () => {
    server = await createMockServer({ log: false });
    dir = folder();
  });
  afterAll(() => server.close());
  afterEach(async () => {
    expect(await tasks(server), "the mock's task list").toEqual([]);
  });

  const cases: [string, () => string[], RegExp, Record<string, string>?][] = [
    [
      "a 100x100 PNG",
      () => ["-i", file(join(dir, "small.png"), png(100, 100))],
      /small\.png is 100x100 px; Kling needs at least 300 px on each side/,
    ],
    [
      "an 11 MB file",
      () => {
        const big = Buffer.alloc(11 * 1024 * 1024);
        png(400, 400).copy(big);
        return ["-i", file(join(dir, "big.png"), big)];
      },
      /big\.png is 11\.0 MB; Kling takes images of at most 10 MB/,
    ],
    [
      "a 1:3 image",
      () => ["-i", file(join(dir, "tall.png"), png(300, 900))],
      /tall\.png is 300x900 px \(1:3\); Kling needs an aspect ratio between 1:2\.5 and 2\.5:1/,
    ],
    [
      "a GIF",
      () => ["-i", file(join(dir, "anim.gif"), GIF)],
      /anim\.gif is a GIF image; Kling takes JPEG \(\.jpg, \.jpeg\) or PNG only/,
    ],
    [
      "five images",
      () => ["-i", A, "-i", B, "-i", A, "-i", B, "-i", URL_IMAGE],
      /5 images given; Kling takes at most 4/,
    ],
    [
      "a missing key",
      () => ["-i", A],
      /^kling: no API key: pass --api-key, or set KLING_API_KEY \(or EZMODEL_API_KEY\)\n$/,
      { KLING_API_KEY: "" },
    ],
    [
      "a numeric duration",
      () => ["-i", A, "--duration", "7"],
      /'-d, --duration <seconds>' argument '7' is invalid\. Allowed choices are 5, 10\./,
    ],
    [
      "a fractional duration",
      () => ["-i", A, "--duration", "5.0"],
      /argument '5\.0' is invalid\. Allowed choices are 5, 10\./,
    ],
    ["no image", () => [], /--image is|no --image given/],
    [
      "an --out folder that does not exist",
      () => ["-i", A, "--out", join(dir, "nowhere", "v.mp4")],
      /--out .*v\.mp4: the folder .*nowhere does not exist/,
    ],
    ["an empty prompt", () => ["-i", A, "-p", " "], /--prompt is empty/],
    [
      "a prompt over 2500 characters",
      () => ["-i", A, "-p", "x".repeat(2501)],
      /--prompt is 2501 characters; Kling takes at most 2500/,
    ],
    ["an unknown mode", () => ["-i", A, "--mode", "ultra"], /Allowed choices are std, pro/],
  ];

  it.each(cases)("%s", async (_name, args, rule, extraEnv) => {
    const argv = ["submit", "-p", "a prompt", ...args()];
    const run = await kling(argv, { env: env(server, extraEnv) });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(rule);
    expect(run.stdout).toBe("");
  });

  it("with --json, the error is a JSON document too", async () => {
    const small = file(join(dir, "small2.png"), png(100, 300));
    const run = await kling(["submit", "-p", "x", "-i", small, "--json"], { env: env(server) });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      error: {
        message: `${small} is 100x300 px; Kling needs at least 300 px on each side`,
        exitCode: 2,
        name: "CliError",
      },
    });
  });
});

describe("Ctrl-C while waiting", () => {
  it("stops polling, prints the task id and how to resume, exits 130; the task goes on", async () => {
    const server = await virtualMock();
    const out = join(folder(), "v.mp4");
    const { child, output, finished } = start(
      ["submit", "-i", A, "-p", "x", "--interval", "0.1", "--out", out],
      { env: env(server) },
    );
    // The first poll has answered: polling is under way.
    await expect.poll(() => output.stderr).toMatch(/kling: task \S+ submitted 0%/);
    child.kill("SIGINT");
    const run = await finished;
    expect(run.code, run.stderr).toBe(130);
    const [task, ...others] = await tasks(server);
    expect(others).toEqual([]); // never re-submitted
    const id = task?.task_id ?? "";
    expect(run.stderr).toContain(
      `kling: interrupted: task ${id} (submitted 0%) goes on on the server`,
    );
    expect(run.stderr).toContain(`kling: resume with: kling wait ${id} --out ${out}`);

    // Not cancelled: it completes on the mock, and the printed command picks it up.
    await server.clock.advance(10_000);
    const status = await kling(["status", id, "--json"], { env: env(server) });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ task: { status: "succeed" } });
    const resumed = await kling(["wait", id, "--out", out, "-q"], { env: env(server) });
    expect(resumed).toMatchObject({ code: 0, stdout: `${out}\n` });
    expect(isMp4(out)).toBe(true);
  });
});

describe("a download cut mid-way", () => {
  it("resumes with Range and the file is complete", async () => {
    // A front for the mock's videos that cuts its first answer after 3000 bytes.
    let target = "";
    const front = await startServer(async ({ url, headers: { range } }, res, n) => {
      const upstream = await fetch(`${target}${url}`, { headers: range ? { range } : {} });
      const bytes = Buffer.from(await upstream.arrayBuffer());
      res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
      // The cut comes a moment after the bytes: a stream drops what it holds unread when it errors.
      if (n === 0) {
        res.write(bytes.subarray(0, 3000), () => setTimeout(() => res.socket?.destroy(), 1000));
      } else res.end(bytes);
    });
    open.push(front);
    const server = await mock({ publicUrl: front.url });
    target = server.url;

    const out = join(folder(), "cut.mp4");
    const run = await kling(
      ["submit", "-i", A, "-p", "x", "--interval", "0.05", "--out", out, "--json"],
      { env: env(server) },
    );
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { task: { taskId: string }; file: { bytes: number } };
    expect(front.hits.map((hit) => hit.headers.range)).toEqual([undefined, "bytes=3000-"]);
    const whole = await fetch(`${server.url}/__mock/videos/${doc.task.taskId}.mp4`);
    expect(readFileSync(out)).toEqual(Buffer.from(await whole.arrayBuffer()));
    expect(doc.file.bytes).toBe(statSync(out).size);
    expect(isMp4(out)).toBe(true);
  });
});

describe("help", () => {
  it("kling --help lists the commands, the environment, the exit codes and examples", async () => {
    const run = await kling(["--help"]);
    expect(run.code).toBe(0);
    for (const text of [
      "submit",
      "status",
      "wait",
      "download",
      "KLING_API_KEY",
      "EZMODEL_API_KEY",
    ]) {
      expect(run.stdout).toContain(text);
    }
    expect(run.stdout).toMatch(
      /Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 .*\n {2}4 .*\n {2}5 .*\n {2}130 /,
    );
    expect(run.stdout).toContain("Examples:\n  $ ");
  });

  it.each([
    [
      "submit",
      [
        "--image",
        "--prompt",
        "--negative-prompt",
        "--model",
        "--mode",
        "--duration",
        "--aspect-ratio",
        "--callback-url",
        "--external-task-id",
        "--wait",
        "--out",
      ],
    ],
    ["status", []],
    ["wait", ["--out"]],
    ["download", ["--out"]],
  ])("kling %s --help lists every option with its default and an example", async (command, own) => {
    const run = await kling([command, "--help"]);
    expect(run.code).toBe(0);
    const common = ["--api-key", "--base-url", "--json", "--quiet"];
    const follow = command === "submit" || command === "wait" ? ["--interval", "--timeout"] : [];
    for (const option of [...own, ...follow, ...common]) expect(run.stdout).toContain(option);
    const defaults: Record<string, string> = {
      "--model": '"kling-v1-6"',
      "--mode": '"std"',
      "--duration": '"5"',
      "--aspect-ratio": '"16:9"',
      "--interval": "5",
      "--timeout": "900",
      "--json": "false",
      "--api-key": "$KLING_API_KEY",
      "--base-url": "$KLING_BASE_URL",
    };
    const flat = run.stdout.replace(/\s+/g, " ");
    for (const option of [...own, ...follow, ...common]) {
      const value = defaults[option];
      if (value === undefined) continue;
      expect(flat).toMatch(
        new RegExp(`${option} [^-]*?default: ${value.replace(/[$"]/g, "\\$&")}`),
      );
    }
    expect(run.stdout).toContain(`Examples:\n  $ kling ${command}`);
  });

  it("a usage error is exit 2 with a pointer to --help", async () => {
    const run = await kling(["status", "abc", "--nope"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^kling: unknown option '--nope'/);
    expect(run.stderr).toContain("kling status --help");
    expect((await kling(["frobnicate"])).code).toBe(2);
    expect((await kling([])).code).toBe(2);
  });
});

describe("the launcher", () => {
  it("prints the version", async () => {
    const run = await kling(["--version"]);
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(run).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it("names the missing build in one line when dist/ is absent", async () => {
    const copy = mkdtempSync(join(tmpdir(), "kling-unbuilt-"));
    mkdirSync(join(copy, "bin"));
    const launcher = readFileSync(new URL("../bin/kling.js", import.meta.url), "utf8");
    file(join(copy, "bin", "kling.js"), Buffer.from(launcher));
    const { spawnSync } = await import("node:child_process");
    const run = spawnSync(process.execPath, [join(copy, "bin", "kling.js"), "--help"], {
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^kling: dist\/cli\.js is missing \(the package is not built\)\. Build it first: .*\n$/,
    );
  });
});
