/**
 * The publishable packages as a user gets them: each is packed with `pnpm pack` (so `prepack`
 * runs and `workspace:*` becomes a version), the tarballs are installed with npm into one empty
 * project in the system's temp directory (no monorepo around it), and then:
 *
 * - `kling-mock` answers the provider's seed curl body, serves the playground and the API
 *   reference (with its own port in it) and stops cleanly on SIGTERM;
 * - a script in that project imports `@kling-multi-image/client` and submits to it;
 * - `npx kling-contract --help` prints its usage;
 * - the client's `./webhooks` entry and `@kling-multi-image/webhooks` (which the client, the mock
 *   and the contract kit depend on) sign and verify a callback, as one installed copy;
 * - `npx kling submit` turns two PNGs made in that project and a URL into an MP4 downloaded
 *   from `kling-mock`, and `npx kling --help` prints its usage.
 *
 * Turbo builds spec, webhooks, client, cli, contract, mock and playground first (they are devDependencies, so
 * `^build` covers them). KLING_PACKED_KEEP=1 keeps the temp project for a look (run vitest
 * directly for that: turbo does not pass the variable on).
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { specExample } from "@kling-multi-image/spec";
import { freePort, png } from "@kling-multi-image/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const rootLicense = readFileSync(join(repo, "LICENSE"), "utf8");

/** The packages a user installs, in the order they are packed. */
const PACKAGES = [
  { dir: "spec", name: "@kling-multi-image/spec" },
  { dir: "packages/webhooks", name: "@kling-multi-image/webhooks" },
  { dir: "packages/client", name: "@kling-multi-image/client" },
  { dir: "packages/cli", name: "@kling-multi-image/cli" },
  { dir: "packages/contract", name: "@kling-multi-image/contract" },
  { dir: "apps/mock", name: "@kling-multi-image/mock" },
] as const;

/** The repository's own pnpm (a root devDependency, the version packageManager pins). */
const pnpmCli = (() => {
  // pnpm's exports map has only ".", which is its package.json.
  const manifest = createRequire(join(repo, "package.json")).resolve("pnpm");
  const { bin } = JSON.parse(readFileSync(manifest, "utf8")) as { bin: { pnpm: string } };
  return join(dirname(manifest), bin.pnpm);
})();

const timings: string[] = [];
const NPM_FLAGS = ["--prefer-offline", "--no-audit", "--no-fund", "--no-update-notifier"];
const KEY = "any-key";
const CREATE = "/kling/v1/videos/multi-image2video";
const seedBody = specExample("SeedCurlRequest");

/**
 * The environment for npm and the installed tools: pnpm's and turbo's `npm_*` variables removed
 * (npm would read them as its own config), registry, proxy and CA settings kept.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(registry|cafile|ca|strict_ssl|proxy|https_proxy|noproxy|cache)$/i;
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(npm|pnpm)_/i.test(k) || keep.test(k)),
  );
}

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, killing its whole process group if it outlives `timeoutMs`. */
function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<Result & { timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, options.timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** SIGTERM to the whole group (npm then writes its log out), SIGKILL 5 s later if needed. */
function killGroup(child: ChildProcess): void {
  const signal = (name: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, name);
    } catch {
      child.kill(name);
    }
  };
  signal("SIGTERM");
  setTimeout(() => signal("SIGKILL"), 5_000).unref();
}

/** The end of the newest npm debug log in `dir`, for a failure message. */
function npmLogTail(dir: string, lines = 40): string {
  try {
    const newest = readdirSync(dir)
      .filter((name) => name.endsWith(".log"))
      .sort()
      .at(-1);
    if (!newest) return "(npm wrote no debug log)";
    return readFileSync(join(dir, newest), "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(npm wrote no debug log)";
  }
}

/** Fails with the command, its exit and everything it printed unless it exited 0. */
async function mustRun(
  what: string,
  command: string,
  args: readonly string[],
  options: { cwd: string; timeoutMs: number; npmLogs?: string },
): Promise<Result> {
  const started = performance.now();
  const result = await run(command, args, options);
  if (result.code !== 0 || result.timedOut) {
    const how = result.timedOut
      ? `did not finish within ${options.timeoutMs / 1000} s`
      : `exited with ${result.code ?? result.signal}`;
    throw new Error(
      `${what} failed: \`${[command, ...args].join(" ")}\` in ${options.cwd} ${how}\n` +
        `--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}` +
        (options.npmLogs === undefined
          ? ""
          : `\n--- npm's debug log (end) ---\n${npmLogTail(options.npmLogs)}`),
    );
  }
  timings.push(`${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** A free port other than 4010, the spec's default local server. */
async function freePortNot4010(): Promise<number> {
  const port = await freePort();
  // The reference must show another port than the spec's to prove the substitution.
  return port === 4010 ? freePortNot4010() : port;
}

let work = "";
let project = "";

beforeAll(async () => {
  // realpath: macOS's tmpdir is a symlink; the check below must compare real paths.
  work = realpathSync(mkdtempSync(join(tmpdir(), "kling-packed-")));
  if (!relative(repo, work).startsWith("..")) throw new Error(`${work} is inside the repository`);
  const tarballs = join(work, "tarballs");
  project = join(work, "project");
  mkdirSync(tarballs);
  mkdirSync(project);

  const files: string[] = [];
  for (const pkg of PACKAGES) {
    const dir = join(repo, pkg.dir);
    const { version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      version: string;
    };
    await mustRun(
      `pnpm pack (${pkg.name})`,
      process.execPath,
      [pnpmCli, "pack", "--pack-destination", tarballs],
      { cwd: dir, timeoutMs: 60_000 },
    );
    files.push(join(tarballs, `${pkg.name.slice(1).replace("/", "-")}-${version}.tgz`));
  }

  await mustRun("npm init", "npm", ["init", "-y"], { cwd: project, timeoutMs: 60_000 });
  // All in one install: the spec tarball, a direct dependency of the project, satisfies the
  // mock's and the contract kit's `@kling-multi-image/spec` at its exact version (the webhooks
  // tarball their and the client's `@kling-multi-image/webhooks`, and the client tarball the CLI's
  // `@kling-multi-image/client`), so npm never asks the registry for them (they are not published
  // yet); everything else comes from the registry.
  // npm retries a failing registry for minutes; 240 s is ten times a cold install here.
  const npmLogs = join(work, "npm-logs");
  await mustRun(
    "npm install of the tarballs",
    "npm",
    ["install", ...NPM_FLAGS, `--logs-dir=${npmLogs}`, ...files],
    { cwd: project, timeoutMs: 240_000, npmLogs },
  );
});

afterAll(() => {
  console.log(`packed packages, timings:\n  ${timings.join("\n  ")}`);
  if (work && !process.env.KLING_PACKED_KEEP) rmSync(work, { recursive: true, force: true });
  else if (work) console.log(`kept ${work}`);
});

describe("the installed tarballs", () => {
  it("each carries the repository's LICENSE", () => {
    for (const pkg of PACKAGES) {
      const license = readFileSync(join(project, "node_modules", pkg.name, "LICENSE"), "utf8");
      expect(license, `${pkg.name}'s LICENSE`).toBe(rootLicense);
    }
  });

  it("the mock carries the playground page, and packing left no copy of it in the repository", () => {
    const mock = join(project, "node_modules/@kling-multi-image/mock");
    expect(existsSync(join(mock, "ui/index.html"))).toBe(true);
    expect(existsSync(join(mock, "control-api.yaml"))).toBe(true);
    expect(
      existsSync(join(repo, "apps/mock/ui")),
      "apps/mock/ui was left behind (node apps/mock/scripts/bundle-ui.mjs --clean removes it)",
    ).toBe(false);
  });

  it("resolve each other: one copy of the spec, the one packed here", () => {
    const installed = join(project, "node_modules/@kling-multi-image/spec/package.json");
    const packed = join(repo, "spec/package.json");
    expect(JSON.parse(readFileSync(installed, "utf8")).version).toBe(
      JSON.parse(readFileSync(packed, "utf8")).version,
    );
    for (const pkg of ["mock", "contract"]) {
      const nested = `node_modules/@kling-multi-image/${pkg}/node_modules/@kling-multi-image/spec`;
      expect(existsSync(join(project, nested)), nested).toBe(false);
    }
    for (const pkg of ["client", "mock", "contract"]) {
      const nested = `node_modules/@kling-multi-image/${pkg}/node_modules/@kling-multi-image/webhooks`;
      expect(existsSync(join(project, nested)), nested).toBe(false);
    }
  });

  it("sign and verify a callback: the client's ./webhooks entry over @kling-multi-image/webhooks", async () => {
    const script = join(project, "webhooks-check.mjs");
    writeFileSync(
      script,
      `import { signCallback, verifyCallback, WebhookVerificationError } from "@kling-multi-image/client/webhooks";
import { signWebhook, verifyWebhook, WebhookVerificationError as Refused } from "@kling-multi-image/webhooks";
const secret = "whsec_" + btoa("packed-test-secret-0123456789abc");
const body = JSON.stringify({ task_id: "t", task_status: "succeed" });
const timestamp = Math.floor(Date.now() / 1000);
const headers = await signWebhook({ secret, id: "msg_1", timestamp, body });
if (headers["webhook-signature"] !== (await signCallback(secret, "msg_1", timestamp, body))) throw new Error("signatures differ");
const payload = await verifyCallback({ body, headers, secret });
const verified = await verifyWebhook({ body, headers, secret });
const refused = await verifyCallback({ body: body + " ", headers, secret }).catch((e) => e);
if (!(refused instanceof WebhookVerificationError)) throw new Error("a tampered body passed: " + refused);
const reason = await verifyWebhook({ body: body + " ", headers, secret }).catch((e) => e instanceof Refused && e.reason);
console.log(JSON.stringify({ status: payload.task_status, id: verified.id, message: refused.message, reason }));
`,
    );
    const result = await mustRun("webhooks script", process.execPath, [script], {
      cwd: project,
      timeoutMs: 30_000,
    });
    expect(JSON.parse(result.stdout.trim())).toEqual({
      status: "succeed",
      id: "msg_1",
      message: "no matching signature",
      reason: "no matching signature",
    });
  });
});

describe("kling-mock, installed", () => {
  let mock: ChildProcess | undefined;
  let url = "";
  let port = 0;
  let output = "";

  beforeAll(async () => {
    // npx finds the bin the install linked (and would not fetch anything: --no).
    const help = await mustRun(
      "npx kling-mock --help",
      "npx",
      ["--no", "--", "kling-mock", "--help"],
      {
        cwd: project,
        timeoutMs: 30_000,
      },
    );
    expect(help.stdout).toMatch(/kling-mock/i);

    // The server itself is that same bin started directly: npx's wrapper does not pass SIGTERM
    // on to its child, so a signal sent to npx would leave the mock running.
    port = await freePortNot4010();
    const started = performance.now();
    mock = spawn(
      process.execPath,
      [join(project, "node_modules/.bin/kling-mock"), "--port", String(port), "--quiet"],
      { cwd: project, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] },
    );
    const child = mock;
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`kling-mock did not start within 30 s:\n${output}`)),
        30_000,
      );
      const check = () => {
        const found = /listening on (http:\/\/\S+)/.exec(output);
        if (found?.[1]) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      };
      child.stdout?.on("data", check);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`kling-mock exited (${code ?? signal}) before listening:\n${output}`));
      });
    });
    timings.push(`kling-mock ready: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });

  afterAll(() => {
    if (mock && mock.exitCode === null && mock.signalCode === null) mock.kill("SIGKILL");
  });

  it("listens where it was told", () => {
    expect(url).toBe(`http://127.0.0.1:${port}`);
  });

  it("accepts the provider's seed curl body, answers the query and plays the video", async () => {
    const auth = { authorization: `Bearer ${KEY}` };
    const created = await fetch(`${url}${CREATE}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify(seedBody),
    });
    const body = (await created.json()) as { data?: { task_id?: string } };
    expect(created.status, JSON.stringify(body)).toBe(200);
    const taskId = body.data?.task_id;
    expect(taskId).toMatch(/\S/);

    const query = await fetch(`${url}${CREATE}/${taskId}`, { headers: auth });
    const task = (await query.json()) as { data?: { task_id?: string } };
    expect(query.status, JSON.stringify(task)).toBe(200);
    expect(task.data?.task_id).toBe(taskId);

    // The video is generated from data compiled into the package: no file of the repo is needed.
    const forced = await fetch(`${url}/__mock/tasks/${taskId}/state`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: "succeed" }),
    });
    expect(forced.status, await forced.clone().text()).toBe(200);
    const video = await fetch(`${url}/__mock/videos/${taskId}.mp4`);
    expect(video.status).toBe(200);
    expect(video.headers.get("content-type")).toBe("video/mp4");
    const bytes = Buffer.from(await video.arrayBuffer());
    expect(bytes.subarray(4, 8).toString("latin1")).toBe("ftyp");
  });

  it("serves the playground page from the package, and its assets", async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<title>Kling multi-image-to-video playground</title>");
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, "the page's script").toBeDefined();
    const asset = await fetch(`${url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("javascript");
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    const icon = await fetch(`${url}/favicon.ico`);
    expect(icon.status).toBe(200);
  });

  it("serves the API reference with its own address as the local server", async () => {
    const page = await fetch(`${url}/reference`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Kling");
    expect(html).toContain(url);
    // A free port such as 40101 starts with 4010, so the match stops at a digit.
    expect(html).not.toMatch(/127\.0\.0\.1:4010(?!\d)/);
  });

  it("lets an installed @kling-multi-image/client submit to it (ESM import)", async () => {
    const script = join(project, "client-check.mjs");
    writeFileSync(
      script,
      `import { createKlingClient } from "@kling-multi-image/client";
if (typeof createKlingClient !== "function") throw new Error("createKlingClient is " + typeof createKlingClient);
const kling = createKlingClient({ apiKey: ${JSON.stringify(KEY)}, baseUrl: process.argv[2], maxRetries: 0 });
const { taskId } = await kling.submit(JSON.parse(process.argv[3]));
const task = await kling.getTask(taskId);
console.log(JSON.stringify({ taskId, status: task.status }));
`,
    );
    const result = await mustRun(
      "client script",
      process.execPath,
      [script, url, JSON.stringify(seedBody)],
      { cwd: project, timeoutMs: 30_000 },
    );
    const printed = JSON.parse(result.stdout.trim()) as { taskId: string; status: string };
    expect(printed.taskId).toMatch(/\S/);
    expect(typeof printed.status).toBe("string");
  });

  it("lets an installed kling turn local images into a downloaded MP4 (npx kling submit)", async () => {
    const images = [png(640, 360), png(400, 400)].map((bytes, i) => {
      const path = join(project, `photo-${i}.png`);
      writeFileSync(path, bytes);
      return path;
    });
    const out = join(project, "v.mp4");
    // The mock's default timing: done after 3.5 s, polled every 0.2 s.
    const result = await mustRun(
      "npx kling submit",
      "npx",
      [
        ...["--no", "--", "kling", "submit", "--api-key", KEY, "--base-url", url],
        ...["--image", images[0] ?? "", "--image", images[1] ?? ""],
        ...["--image", "https://example.com/c.png", "--prompt", "Two friends walk on the beach"],
        ...["--interval", "0.2", "--out", out, "--json"],
      ],
      { cwd: project, timeoutMs: 60_000 },
    );
    const doc = JSON.parse(result.stdout) as {
      task: { taskId: string; status: string };
      file: { path: string; bytes: number };
    };
    expect(doc.task.status).toBe("succeed");
    expect(doc.file.path).toBe(out);
    const video = readFileSync(out);
    expect(video.subarray(4, 8).toString("latin1")).toBe("ftyp");
    expect(video.length).toBe(doc.file.bytes);
    const served = await fetch(`${url}/__mock/videos/${doc.task.taskId}.mp4`);
    expect(video.length).toBe((await served.arrayBuffer()).byteLength);
  });

  it("stops cleanly on SIGTERM", async () => {
    const child = mock as ChildProcess;
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once("exit", (code, signal) => resolve([code, signal])),
    );
    child.kill("SIGTERM");
    const outcome = await Promise.race([
      exited,
      new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 10_000)),
    ]);
    expect(outcome, `kling-mock's output:\n${output}`).toEqual([0, null]);
  });
});

describe("kling, installed", () => {
  it("prints its usage for --help (through npx)", async () => {
    const result = await mustRun("npx kling --help", "npx", ["--no", "--", "kling", "--help"], {
      cwd: project,
      timeoutMs: 30_000,
    });
    expect(result.stdout).toContain("Usage: kling");
    expect(result.stdout).toContain("Exit codes:");
  });
});

describe("kling-contract, installed", () => {
  it("prints its usage for --help (through npx)", async () => {
    const result = await mustRun(
      "npx kling-contract --help",
      "npx",
      ["--no", "--", "kling-contract", "--help"],
      { cwd: project, timeoutMs: 30_000 },
    );
    expect(result.stdout).toContain("Usage: kling-contract");
  });
});
