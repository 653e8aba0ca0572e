// The live display in a real pseudo-terminal: tmux runs `kling` (its own server on a private
// socket, no user config), capture-pane reads the screen as a person sees it, send-keys types.
// tmux comes from Debian (.ci/run installs it); without it the test fails in CI and is skipped
// elsewhere.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMockServer, type VirtualMockServer } from "@kling-multi-image/mock";
import { png } from "@kling-multi-image/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { file } from "./support/images.js";
import { KLING_BIN, kling } from "./support/run.js";

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
if (!hasTmux && process.env.CI)
  throw new Error("tmux is missing: .ci/run installs it (apt-get install tmux)");

const SOCKET = `kling-cli-test-${process.pid}`;

function tmux(...args: string[]): string {
  const run = spawnSync("tmux", ["-L", SOCKET, "-f", "/dev/null", ...args], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

/** The screen of a session with its history, trailing blank lines dropped. */
function screen(session: string): string {
  return tmux("capture-pane", "-p", "-S", "-", "-t", session).trimEnd();
}

/**
 * Starts `kling args` in a new 100x24 terminal. A shell around it prints its exit status and
 * keeps the pane open, so the screen can be read after it ended.
 */
function open(session: string, server: { url: string }, args: string[]): void {
  tmux(
    "new-session",
    "-d",
    "-s",
    session,
    "-x",
    "100",
    "-y",
    "24",
    "sh",
    "-c",
    // The trap (a handler, not an ignore: the child gets the default back) keeps the shell
    // alive through Ctrl-C, which the terminal sends to its whole foreground group.
    'trap : INT; "$@"; echo "[exit $?]"; exec sleep 600',
    "sh",
    "env",
    `PATH=${process.env.PATH ?? ""}`,
    "KLING_API_KEY=tty-key",
    `KLING_BASE_URL=${server.url}`,
    process.execPath,
    KLING_BIN,
    ...args,
  );
}

/** The exit status once the program ended. */
function exitStatus(session: string): string | undefined {
  return /^\[exit (\d+)\]$/m.exec(screen(session))?.[1];
}

describe.skipIf(!hasTmux)("the progress display in a terminal (tmux)", () => {
  let server: VirtualMockServer;
  const dir = mkdtempSync(join(tmpdir(), "kling-tty-"));
  const image = file(join(dir, "a.png"), png(640, 360));

  beforeAll(async () => {
    server = await createMockServer({ clock: "virtual", log: false });
  });
  afterAll(async () => {
    const socket = spawnSync("tmux", ["-L", SOCKET, "display-message", "-p", "#{socket_path}"], {
      encoding: "utf8",
    }).stdout.trim();
    spawnSync("tmux", ["-L", SOCKET, "kill-server"]);
    if (socket) rmSync(socket, { force: true });
    await server.close();
  });

  it("shows the status and a percentage redrawn in place, then the download and the file", async () => {
    const out = join(dir, "v.mp4");
    open("submit", server, [
      "submit",
      "-i",
      image,
      "-p",
      "A dog runs",
      "--interval",
      "0.1",
      "-o",
      out,
    ]);
    await expect.poll(() => screen("submit")).toMatch(/^submitted task \S+ \(external_task_id /m);
    await server.clock.advance(1_500); // fast timing: processing (30%) from 1 s
    await expect.poll(() => screen("submit")).toMatch(/^processing +[█░]+ 30% \| \d+s$/m);
    const waiting = screen("submit");
    // Redrawn in place: one line for the task, however many polls, and no stray escapes.
    expect(waiting.split("\n").filter((line) => /\d+%/.test(line))).toHaveLength(1);
    expect(waiting).not.toContain("\x1b");

    await server.clock.advance(10_000);
    await expect.poll(() => exitStatus("submit")).toBe("0");
    const done = screen("submit");
    expect(done).toMatch(/^succeed +█+ 100% \| \d+s$/m);
    expect(done).toMatch(/^download +█+ 100% \| \d+\.\d kB of \d+\.\d kB \| [\d.]+ [kMG]?B\/s$/m);
    expect(done).toMatch(new RegExp(`^saved ${out} \\(\\d+\\.\\d kB\\)$`, "m"));
    expect(readFileSync(out).subarray(4, 8).toString("latin1")).toBe("ftyp");
  });

  it("Ctrl-C while waiting stops, prints the task id and how to resume (exit 130)", async () => {
    // Not spawnSync: the mock answers from this process's event loop.
    const submitted = await kling(["submit", "-i", image, "-p", "x", "-q"], {
      env: { KLING_API_KEY: "tty-key", KLING_BASE_URL: server.url },
    });
    const taskId = submitted.stdout.trim();
    expect(taskId).toMatch(/\S/);
    open("wait", server, ["wait", taskId, "--interval", "0.1"]);
    await expect.poll(() => screen("wait")).toMatch(/submitted +[█░]+ 0% \|/);
    tmux("send-keys", "-t", "wait", "C-c");
    await expect.poll(() => exitStatus("wait")).toBe("130");
    const text = screen("wait");
    expect(text).toContain(`following task ${taskId}`);
    expect(text).toContain(
      `kling: interrupted: task ${taskId} (submitted 0%) goes on on the server`,
    );
    expect(text).toContain(`kling: resume with: kling wait ${taskId}`);
  });
});
