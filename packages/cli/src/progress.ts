/**
 * What a person sees while a command runs, on stderr: a live display redrawn in place on a
 * terminal (cli-progress), plain lines elsewhere (CI logs, pipes, `--json`), nothing with
 * `--quiet`. The result itself goes to stdout, never through here.
 */
import type { Task } from "@kling-multi-image/client";
import type { DownloadProgress } from "@kling-multi-image/client/download";
import cliProgress from "cli-progress";
import { formatBytes, formatDuration, taskState } from "./format.js";

/** Where the CLI writes: `process.stdout`/`process.stderr`, or a stand-in in tests. */
export interface Output {
  write(text: string): unknown;
  /** Whether this is a terminal (live display). */
  isTTY?: boolean | undefined;
  /** The terminal's width, when it is one. */
  columns?: number | undefined;
}

/** Receives what happens during a command. */
export interface Reporter {
  /** A line for people (never for scripts). */
  info(line: string): void;
  /** The task's status or progress changed. */
  task(task: Task): void;
  /** The download started (0 bytes) or received more. */
  download(progress: DownloadProgress): void;
  /** Ends any live display, leaving its last state on screen. */
  stop(): void;
}

/** `--quiet`: nothing. */
export const silentReporter: Reporter = {
  info() {},
  task() {},
  download() {},
  stop() {},
};

/** Plain lines, one per change (download: at the start, then at most every 5 s). */
export function lineReporter(err: Output, now: () => number = Date.now): Reporter {
  const started = now();
  let downloadStarted = 0;
  let lastLine = 0;
  return {
    info: (line) => err.write(`kling: ${line}\n`),
    task(task) {
      err.write(
        `kling: task ${task.taskId} ${taskState(task)} (${formatDuration(now() - started)})\n`,
      );
    },
    download({ receivedBytes, totalBytes }) {
      const t = now();
      if (receivedBytes === 0) downloadStarted = t;
      else if (t - lastLine < 5000 && receivedBytes !== totalBytes) return;
      lastLine = t;
      const size = totalBytes === undefined ? "" : ` of ${formatBytes(totalBytes)}`;
      const speed = receivedBytes > 0 ? `, ${rate(receivedBytes, t - downloadStarted)}` : "";
      err.write(`kling: downloading: ${formatBytes(receivedBytes)}${size}${speed}\n`);
    },
    stop() {},
  };
}

function rate(bytes: number, ms: number): string {
  return `${formatBytes(Math.round(bytes / Math.max(ms / 1000, 0.001)))}/s`;
}

/**
 * The live display: one bar while the task runs (status, progress %, elapsed time), then one for
 * the download (bytes, size, speed), each redrawn in place.
 */
export function terminalReporter(err: Output, now: () => number = Date.now): Reporter {
  let bar: cliProgress.SingleBar | undefined;
  let phase: "task" | "download" | undefined;
  let downloadStarted = 0;
  const stop = () => {
    bar?.stop();
    bar = undefined;
    phase = undefined;
  };
  const start = (format: string, total: number, value: number, payload: object) => {
    stop();
    bar = new cliProgress.SingleBar(
      {
        stream: err as NodeJS.WritableStream,
        format,
        barsize: 24,
        hideCursor: true,
        linewrap: false,
        clearOnComplete: false,
        gracefulExit: false,
        emptyOnZero: true,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, value, payload);
  };
  return {
    info(line) {
      // A line printed under a live bar would be overwritten: end the bar first.
      stop();
      err.write(`${line}\n`);
    },
    task(task) {
      const payload = { status: task.status.padEnd(10) };
      if (phase === "task" && bar) bar.update(task.progress, payload);
      else {
        start("{status} {bar} {percentage}% | {duration_formatted}", 100, task.progress, payload);
        phase = "task";
      }
    },
    download({ receivedBytes, totalBytes }) {
      const t = now();
      const fresh = phase !== "download" || !bar;
      if (fresh) downloadStarted = t;
      const payload = {
        got: formatBytes(receivedBytes),
        size: totalBytes === undefined ? "?" : formatBytes(totalBytes),
        speed: receivedBytes > 0 ? rate(receivedBytes, t - downloadStarted) : "-",
      };
      if (fresh) {
        const format = "download   {bar} {percentage}% | {got} of {size} | {speed}";
        start(format, totalBytes ?? 0, receivedBytes, payload);
        phase = "download";
      } else bar?.update(receivedBytes, payload);
    },
    stop,
  };
}
