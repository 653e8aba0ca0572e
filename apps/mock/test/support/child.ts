/** Starts the built mock in a child process, optionally under a lower open-file limit. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { MockServerOptions } from "../../src/index.js";

const script = fileURLToPath(new URL("../fixtures/mock-child.mjs", import.meta.url));

/** A mock running in a child process. */
export interface ChildMock {
  url: string;
  child: ChildProcess;
  /** What the child wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `dist/` in a child; with `fdLimit`, under `ulimit -n <fdLimit>`. */
export async function startChildMock(
  options: MockServerOptions,
  fdLimit?: number,
): Promise<ChildMock> {
  const args = [script, JSON.stringify(options)];
  const child =
    fdLimit === undefined
      ? spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] })
      : spawn("bash", ["-c", `ulimit -n ${fdLimit} && exec "$0" "$@"`, process.execPath, ...args], {
          stdio: ["ignore", "pipe", "pipe"],
        });
  let err = "";
  child.stderr?.on("data", (d) => {
    err += String(d);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d) => {
      out += String(d);
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) resolve(line.trim());
    });
    child.once("exit", (code) => reject(new Error(`mock child exited ${code}: ${err}`)));
  });
  return {
    url,
    child,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }),
  };
}
