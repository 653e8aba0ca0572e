/** Runs the built `kling` as a user does: `node bin/kling.js ...` in its own process. */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const KLING_BIN = fileURLToPath(new URL("../../bin/kling.js", import.meta.url));

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: no key or base URL of the developer's leaks in; `env` adds to it. */
export function cleanEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = ["PATH", "HOME", "TMPDIR", "SYSTEMROOT"];
  return {
    ...Object.fromEntries(keep.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
    ...env,
  };
}

/** Starts `kling args...`; the caller reads its output and waits for {@link finished}. */
export function start(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): { child: ChildProcessWithoutNullStreams; output: Run; finished: Promise<Run> } {
  const child = spawn(process.execPath, [KLING_BIN, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
  });
  const output: Run = { code: null, signal: null, stdout: "", stderr: "" };
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    output.stdout += s;
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    output.stderr += s;
  });
  const finished = new Promise<Run>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`kling ${args.join(" ")} did not finish in 45 s:\n${output.stderr}`));
    }, 45_000);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      output.code = code;
      output.signal = signal;
      resolve(output);
    });
  });
  return { child, output, finished };
}

/** Runs `kling args...` to its end. */
export function kling(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<Run> {
  return start(args, options).finished;
}
