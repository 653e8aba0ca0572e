/**
 * A real `redis-server` (Debian's package; `.ci/run` installs it) on a free loopback port, with
 * no persistence, for the Redis store's tests. It can be stopped and started again on the same
 * port, to test a Redis lost at run time.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { freePort } from "./http-server.js";

/** A running redis-server. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops it (SIGKILL: a crash, not a clean shutdown). */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: nothing is persisted). */
  start(): Promise<void>;
}

/** Starts a redis-server; fails (never skips) when the binary is missing. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const proc = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let out = "";
      let ready = false;
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new Error(why));
      };
      const timer = setTimeout(() => fail(`redis-server did not start: ${out}`), 10_000);
      proc.once("error", (error) =>
        fail(`cannot run redis-server (apt-get install redis-server): ${error.message}`),
      );
      // A server that exits before it is ready (port taken, bad argument) says so at once.
      proc.once("exit", (code, signal) => {
        if (!ready) fail(`redis-server exited (${code ?? signal}) before it was ready: ${out}`);
      });
      // Read to the end so the pipes never fill; kept only until the server is ready.
      proc.stderr?.on("data", (chunk: Buffer) => {
        if (!ready) out += chunk.toString();
      });
      proc.stdout?.on("data", (chunk: Buffer) => {
        if (ready) return;
        out += chunk.toString();
        if (out.includes("Ready to accept connections")) {
          ready = true;
          clearTimeout(timer);
          resolve();
        }
      });
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    async stop() {
      const proc = child;
      if (proc === undefined || proc.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        proc.once("exit", () => resolve());
        proc.kill("SIGKILL");
      });
    },
  };
}
