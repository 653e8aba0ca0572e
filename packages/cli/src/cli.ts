/**
 * `kling`: submit a Kling multi-image-to-video task from local images or URLs, follow it, and
 * download the video. Built on `@kling-multi-image/client`'s public API only.
 */
import { stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import {
  AuthenticationError,
  type CreateTaskRequest,
  createKlingClient,
  DEFAULT_BASE_URL,
  InvalidRequestError,
  KlingApiError,
  type KlingClient,
  KlingError,
  ServerError,
  SubmitOutcomeUnknownError,
  type Task,
  TaskFailedError,
  WaitTimeoutError,
} from "@kling-multi-image/client";
import { downloadVideoToFile } from "@kling-multi-image/client/node";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { badInput, CliError, EXIT, type ExitCode } from "./exit.js";
import { formatBytes, taskJson, taskState } from "./format.js";
import { loadImages } from "./images.js";
import {
  lineReporter,
  type Output,
  type Reporter,
  silentReporter,
  terminalReporter,
} from "./progress.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

/** What the CLI talks to; `process`'s by default, stand-ins in tests. */
export interface CliIo {
  /** Results: one line, or one JSON document with `--json`. */
  stdout?: Output | undefined;
  /** Progress, information and errors. */
  stderr?: Output | undefined;
  /** The environment (`KLING_API_KEY`, `EZMODEL_API_KEY`, `KLING_BASE_URL`). */
  env?: Record<string, string | undefined> | undefined;
  /** Subscribes to Ctrl-C and returns the unsubscribe. Default: `SIGINT` on `process`. */
  onInterrupt?: ((handler: () => void) => () => void) | undefined;
  /** Ends the process at once (a second Ctrl-C during a submit). Default: `process.exit`. */
  exit?: ((code: number) => void) | undefined;
}

/** {@link CliIo} with its defaults applied. */
type Io = { [K in keyof CliIo]-?: NonNullable<CliIo[K]> };

/** Options every command that calls the API takes. */
interface CommonOptions {
  apiKey?: string;
  baseUrl?: string;
  json?: boolean;
  quiet?: boolean;
}

interface FollowOptions extends CommonOptions {
  out?: string;
  interval: number;
  /** Whether `--interval` was given: then polls keep that pace instead of slowing down. */
  fixedInterval?: boolean;
  timeout: number;
}

interface SubmitOptions extends FollowOptions {
  image?: string[];
  prompt: string;
  negativePrompt?: string;
  model: string;
  mode: "std" | "pro";
  duration: "5" | "10";
  aspectRatio: "16:9" | "9:16" | "1:1";
  callbackUrl?: string;
  externalTaskId?: string;
  wait?: boolean;
}

const EXIT_HELP = `Exit codes:
  0    done: the task was read, submitted or finished, the video saved
  1    the task failed (Kling's reason is printed)
  2    bad input: an option, an image, a missing API key, or a request the server refused (400)
  3    API, network or file error
  4    timeout: the task did not finish within --timeout (it goes on: kling wait <task_id>)
  5    a submit's outcome is unknown: a task may exist; reconcile by the printed external_task_id
  130  interrupted (Ctrl-C): polling stopped, the task goes on (kling wait <task_id>)`;

const ROOT_HELP = `
Environment:
  KLING_API_KEY, else EZMODEL_API_KEY   the API key, when --api-key is not given
  KLING_BASE_URL                        the API's base URL, when --base-url is not given
                                        (default ${DEFAULT_BASE_URL})

Output: progress goes to stderr (redrawn in place on a terminal, plain lines elsewhere); the
result goes to stdout: a line, or with --json one JSON document. --quiet prints only the result.
Kling deletes videos 30 days after they are made: download what you keep.

${EXIT_HELP}

Examples:
  $ export KLING_API_KEY=sk-...
  $ kling submit --image a.jpg --image b.png --prompt "The two friends walk along the beach" --out beach.mp4
  $ kling submit -i a.jpg -i https://example.com/b.png -p "A dog runs" --json > task.json
  $ kling wait 8473625 --out dog.mp4
  $ kling status 8473625 --json`;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function seconds(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(value.trim() !== "" && Number.isFinite(n) && n > 0)) {
      throw new InvalidArgumentError(`${name} takes a number of seconds above 0.`);
    }
    return n;
  };
}

function addCommon(command: Command): Command {
  return command
    .option("--api-key <key>", "API key (default: $KLING_API_KEY, else $EZMODEL_API_KEY)")
    .option("--base-url <url>", `API base URL (default: $KLING_BASE_URL, else ${DEFAULT_BASE_URL})`)
    .option("--json", "print one JSON document (the task, the file written) for scripts", false)
    .option("-q, --quiet", "print only the result (the task id, the video URL or the file)", false);
}

function addFollow(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--interval <seconds>",
        "wait between polls; the default one grows 1.25x per poll up to 15 s, a given one is kept",
      )
        .argParser(seconds("--interval"))
        .default(5),
    )
    .addOption(
      new Option("--timeout <seconds>", "give up waiting after this long (exit 4)")
        .argParser(seconds("--timeout"))
        .default(900),
    );
}

/** Single-quotes a word for a shell when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** Ctrl-C during a command; the reason polling or a download was stopped with. */
class Interrupted extends Error {
  override name = "Interrupted";
}

/** One run of a command: its output, its display and its Ctrl-C handling. */
class Session {
  readonly out: Output;
  readonly err: Output;
  readonly reporter: Reporter;
  readonly json: boolean;
  readonly quiet: boolean;
  /** Aborted by Ctrl-C while polling or downloading. */
  readonly stopper = new AbortController();
  /** Ctrl-C presses so far. */
  interrupts = 0;
  /** During a submit: a first Ctrl-C waits for its answer, a second one exits at once. */
  submitting: string | undefined;
  /** The last task seen. */
  task: Task | undefined;
  /** More fields for an error's JSON document. */
  readonly errorFields: Record<string, unknown> = {};
  /** The command to resume with, once a task id is known. */
  resume: ((taskId: string) => string) | undefined;

  constructor(
    readonly io: Io,
    readonly options: CommonOptions,
  ) {
    this.out = io.stdout;
    this.err = io.stderr;
    this.json = options.json === true;
    this.quiet = options.quiet === true;
    const live = io.stderr.isTTY === true && io.env.TERM !== "dumb";
    this.reporter = this.quiet
      ? silentReporter
      : live && !this.json
        ? terminalReporter(io.stderr)
        : lineReporter(io.stderr);
  }

  /** The client, from the key and base URL given or in the environment. */
  client(): KlingClient {
    const env = this.io.env;
    const apiKey = this.options.apiKey || env.KLING_API_KEY || env.EZMODEL_API_KEY;
    if (!apiKey) {
      throw badInput("no API key: pass --api-key, or set KLING_API_KEY (or EZMODEL_API_KEY)");
    }
    const baseUrl = this.options.baseUrl || env.KLING_BASE_URL || DEFAULT_BASE_URL;
    try {
      return createKlingClient({ apiKey, baseUrl });
    } catch (error) {
      // The client names the option at fault (baseUrl, apiKey) and never repeats a key.
      throw badInput(error instanceof Error ? error.message : String(error));
    }
  }

  /** Handles Ctrl-C until `release` is called. */
  listen(): () => void {
    return this.io.onInterrupt(() => {
      this.interrupts++;
      if (this.submitting === undefined) {
        this.stopper.abort(new Interrupted("interrupted"));
      } else if (this.interrupts === 1) {
        this.reporter.info(
          "Ctrl-C: waiting for the submit's answer to print the task id (Ctrl-C again to quit now)",
        );
      } else {
        this.reporter.stop();
        this.err.write(
          `kling: interrupted during the submit: a task may have been created; reconcile by external_task_id ${this.submitting} before submitting again\n`,
        );
        this.io.exit(EXIT.interrupted);
      }
    });
  }

  /** Prints the result: one JSON document, the quiet line, or the line for people. */
  result(doc: Record<string, unknown>, quiet: string, human: string): void {
    this.reporter.stop();
    if (this.json) this.out.write(`${JSON.stringify(doc)}\n`);
    else this.out.write(`${this.quiet ? quiet : human}\n`);
  }

  /** Reports a failure and returns its exit code. */
  fail(error: unknown): ExitCode {
    this.reporter.stop();
    const { code, message } = describe(error, this.task);
    const lines = message.split("\n");
    this.err.write(lines.map((line) => `kling: ${line}\n`).join(""));
    if (this.json) {
      const doc: Record<string, unknown> = {
        error: { message, exitCode: code, ...this.errorFields, ...errorFields(error) },
      };
      if (this.task) doc.task = taskJson(this.task);
      this.out.write(`${JSON.stringify(doc)}\n`);
    }
    return code;
  }

  /** After Ctrl-C: says how to resume and returns 130. */
  interrupted(taskId: string | undefined, reason = "interrupted"): ExitCode {
    this.reporter.stop();
    if (taskId === undefined) {
      this.err.write(`kling: ${reason}\n`);
      if (this.json) this.out.write(`${JSON.stringify({ interrupted: true })}\n`);
      return EXIT.interrupted;
    }
    const resume = this.resume?.(taskId) ?? `kling wait ${taskId}`;
    const state = this.task ? ` (${taskState(this.task)})` : "";
    this.err.write(
      `kling: interrupted: task ${taskId}${state} goes on on the server; nothing was cancelled.\nkling: resume with: ${resume}\n`,
    );
    if (this.json) {
      const doc: Record<string, unknown> = { interrupted: true, taskId, resume };
      if (this.task) doc.task = taskJson(this.task);
      this.out.write(`${JSON.stringify(doc)}\n`);
    } else if (this.quiet) {
      this.out.write(`${taskId}\n`);
    }
    return EXIT.interrupted;
  }
}

/** The exit code and message for an error. */
function describe(error: unknown, task: Task | undefined): { code: ExitCode; message: string } {
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof CliError) return { code: error.exitCode, message: error.message };
  if (error instanceof TaskFailedError) {
    return {
      code: EXIT.taskFailed,
      message: `task ${error.task.taskId} failed: ${error.task.failReason || "no reason given"}`,
    };
  }
  if (error instanceof WaitTimeoutError) {
    const id = error.task?.taskId ?? task?.taskId ?? "";
    return {
      code: EXIT.timeout,
      message: `${reason}\nthe task goes on on the server: kling wait ${id} to keep waiting`,
    };
  }
  if (error instanceof SubmitOutcomeUnknownError) {
    return {
      code: EXIT.submitUnknown,
      message: `the submit's outcome is unknown (${error.cause instanceof Error ? error.cause.message : reason}): a task may have been created and billed.\nreconcile by external_task_id ${error.externalTaskId} (echoed in callbacks and in the task's task_info) before submitting again`,
    };
  }
  if (error instanceof InvalidRequestError) {
    return { code: EXIT.badInput, message: `the server refused the request: ${reason}` };
  }
  if (error instanceof AuthenticationError) {
    return { code: EXIT.apiError, message: `the server refused the API key: ${reason}` };
  }
  if (error instanceof KlingError) return { code: EXIT.apiError, message: reason };
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && error instanceof Error && "syscall" in error) {
    return { code: EXIT.apiError, message: `file error: ${reason}` };
  }
  return {
    code: EXIT.apiError,
    message: `unexpected error: ${error instanceof Error ? (error.stack ?? reason) : reason}`,
  };
}

/** The fields of an error a script may want, for `--json`. */
function errorFields(error: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    name: error instanceof Error ? error.name : typeof error,
  };
  if (error instanceof KlingApiError) {
    fields.status = error.status;
    fields.code = error.code;
    fields.klingCode = error.klingCode;
    fields.requestId = error.requestId;
  }
  if (error instanceof SubmitOutcomeUnknownError) fields.externalTaskId = error.externalTaskId;
  return fields;
}

/** Where `--out` writes for a task: the file, or `<task_id>.mp4` inside a folder. */
async function outPath(out: string): Promise<{ path: string; folder: boolean }> {
  const info = await stat(out).catch(() => undefined);
  if (info?.isDirectory()) return { path: out, folder: true };
  const parent = await stat(dirname(resolve(out))).catch(() => undefined);
  if (!parent?.isDirectory()) {
    throw badInput(`--out ${out}: the folder ${dirname(out)} does not exist`);
  }
  return { path: out, folder: false };
}

/** Polls until the task finishes (and downloads its video with `--out`); returns the exit code. */
async function follow(
  session: Session,
  client: KlingClient,
  taskId: string,
  options: FollowOptions,
  out: { path: string; folder: boolean } | undefined,
): Promise<ExitCode> {
  const { stopper, reporter } = session;
  let done: Task;
  try {
    done = await client.waitForTask(taskId, {
      intervalMs: options.interval * 1000,
      maxIntervalMs: options.fixedInterval ? options.interval * 1000 : 15_000,
      timeoutMs: options.timeout * 1000,
      signal: stopper.signal,
      onUpdate: (task) => {
        session.task = task;
        reporter.task(task);
      },
    });
    session.task = done;
  } catch (error) {
    if (error instanceof Interrupted) return session.interrupted(taskId);
    if (error instanceof TaskFailedError) session.task = error.task;
    return session.fail(error);
  }
  if (!out) {
    const url = done.videos[0]?.url ?? "";
    reporter.info(
      `Kling deletes videos 30 days after they are made: kling download ${taskId} --out video.mp4`,
    );
    session.result({ task: taskJson(done) }, url, `task ${taskId} succeed: ${url}`);
    return EXIT.ok;
  }
  return save(session, done, out);
}

/** Downloads a succeeded task's video to `out`; returns the exit code. */
async function save(
  session: Session,
  task: Task,
  out: { path: string; folder: boolean },
): Promise<ExitCode> {
  const path = out.folder ? join(out.path, `${task.taskId}.mp4`) : out.path;
  session.resume = (id) => `kling download ${id} --out ${shellWord(out.path)}`;
  try {
    const file = await downloadVideoToFile(task, path, {
      signal: session.stopper.signal,
      onProgress: (progress) => session.reporter.download(progress),
    });
    session.result(
      {
        task: taskJson(task),
        file: { path: resolve(path), bytes: file.bytes, url: file.url },
      },
      path,
      `saved ${path} (${formatBytes(file.bytes)})`,
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof Interrupted) return session.interrupted(task.taskId);
    return session.fail(error);
  }
}

/** `kling submit`. */
async function submit(session: Session, options: SubmitOptions): Promise<ExitCode> {
  const client = session.client();
  const out = options.out === undefined ? undefined : await outPath(options.out);
  // The spec's pattern: the gateway trims Go's `unicode.IsSpace` before its emptiness check.
  if (
    !/[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/.test(
      options.prompt,
    )
  ) {
    throw badInput("--prompt is empty; Kling needs a prompt");
  }
  for (const [flag, text] of [
    ["--prompt", options.prompt],
    ["--negative-prompt", options.negativePrompt ?? ""],
  ] as const) {
    // Characters as JSON Schema counts them (code points, not UTF-16 units).
    const length = [...text].length;
    if (length > 2500) {
      throw badInput(`${flag} is ${length} characters; Kling takes at most 2500`);
    }
  }
  if (options.callbackUrl !== undefined && !/^https?:\/\/\S+$/.test(options.callbackUrl)) {
    throw badInput(`--callback-url must be an http(s) URL, got ${options.callbackUrl}`);
  }
  const externalTaskId = options.externalTaskId ?? globalThis.crypto.randomUUID();
  if (externalTaskId.length < 1 || externalTaskId.length > 128) {
    throw badInput("--external-task-id takes 1 to 128 characters");
  }
  const image_list = (await loadImages(options.image ?? [])) as CreateTaskRequest["image_list"];
  const body: CreateTaskRequest = {
    model: options.model,
    prompt: options.prompt,
    image_list,
    mode: options.mode,
    duration: options.duration,
    aspect_ratio: options.aspectRatio,
    external_task_id: externalTaskId,
  };
  if (options.negativePrompt !== undefined) body.negative_prompt = options.negativePrompt;
  if (options.callbackUrl !== undefined) body.callback_url = options.callbackUrl;

  // Ctrl-C while the images were read: nothing has been sent yet, so nothing is.
  if (session.stopper.signal.aborted) {
    throw new Interrupted("interrupted before the submit: nothing was sent");
  }
  session.submitting = externalTaskId;
  let task: Task;
  try {
    task = await client.submit(body);
  } catch (error) {
    session.errorFields.externalTaskId = externalTaskId;
    if (error instanceof ServerError) {
      session.reporter.info(
        `a 500 may still have created the task: reconcile by external_task_id ${externalTaskId} before submitting again`,
      );
    }
    return session.fail(error);
  } finally {
    session.submitting = undefined;
  }
  session.task = task;
  const extra = [
    options.baseUrl ? ` --base-url ${shellWord(options.baseUrl)}` : "",
    options.out ? ` --out ${shellWord(options.out)}` : "",
  ].join("");
  session.resume = (id) => `kling wait ${id}${extra}`;
  if (session.interrupts > 0) return session.interrupted(task.taskId);
  if (!options.wait && !out) {
    session.reporter.info(`follow it with: kling wait ${task.taskId}${extra}`);
    session.result(
      { task: taskJson(task) },
      task.taskId,
      `task ${task.taskId} submitted (external_task_id ${task.externalTaskId ?? externalTaskId})`,
    );
    return EXIT.ok;
  }
  session.reporter.info(
    `submitted task ${task.taskId} (external_task_id ${task.externalTaskId ?? externalTaskId})`,
  );
  return follow(session, client, task.taskId, options, out);
}

/** `kling status`. */
async function status(session: Session, taskId: string): Promise<ExitCode> {
  const client = session.client();
  const task = await client.getTask(taskId, { signal: session.stopper.signal });
  session.task = task;
  const video = task.videos[0]?.url;
  const human = [
    `task ${task.taskId}: ${taskState(task)}`,
    task.status === "failed" ? ` (${task.failReason || "no reason given"})` : "",
    video ? `\nvideo: ${video}` : "",
  ].join("");
  session.result({ task: taskJson(task) }, `${task.status}`, human);
  return task.status === "failed" ? EXIT.taskFailed : EXIT.ok;
}

/** `kling wait`. */
async function waitCommand(
  session: Session,
  taskId: string,
  options: FollowOptions,
): Promise<ExitCode> {
  const client = session.client();
  const out = options.out === undefined ? undefined : await outPath(options.out);
  const extra = [
    options.baseUrl ? ` --base-url ${shellWord(options.baseUrl)}` : "",
    options.out ? ` --out ${shellWord(options.out)}` : "",
  ].join("");
  session.resume = (id) => `kling wait ${id}${extra}`;
  session.reporter.info(`following task ${taskId} (Ctrl-C stops following; the task goes on)`);
  return follow(session, client, taskId, options, out);
}

/** `kling download`. */
async function download(
  session: Session,
  taskId: string,
  options: CommonOptions & { out: string },
): Promise<ExitCode> {
  const client = session.client();
  const out = await outPath(options.out);
  session.resume = (id) => `kling download ${id} --out ${shellWord(options.out)}`;
  let task: Task;
  try {
    task = await client.getTask(taskId, { signal: session.stopper.signal });
  } catch (error) {
    if (error instanceof Interrupted) return session.interrupted(taskId);
    throw error;
  }
  session.task = task;
  if (task.status === "failed") throw new TaskFailedError(task);
  if (task.status !== "succeed" || task.videos.length === 0) {
    throw badInput(
      `task ${taskId} has no video yet (${taskState(task)}): kling wait ${taskId} --out ${shellWord(options.out)}`,
    );
  }
  return save(session, task, out);
}

function defaults(io: CliIo): Io {
  return {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    onInterrupt:
      io.onInterrupt ??
      ((handler) => {
        process.on("SIGINT", handler);
        return () => process.off("SIGINT", handler);
      }),
    exit: io.exit ?? ((code) => process.exit(code)),
  };
}

/** Builds the `kling` program; `run` receives each command's work. */
function program(
  io: Io,
  run: (options: CommonOptions, work: (session: Session) => Promise<ExitCode>) => void,
): Command {
  const root = new Command("kling")
    .description(
      "Turn images into a video with Kling multi-image-to-video (ezmodel gateway): submit a task from local images or URLs, follow it, download the MP4.",
    )
    .version(version, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help (kling <command> --help: a command's options)")
    .helpCommand("help [command]", "show help for a command")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`kling: ${text.replace(/^error: /, "")}`),
    })
    .showHelpAfterError("(add --help for usage)")
    .addHelpText("after", ROOT_HELP);

  const submitCommand = root
    .command("submit")
    .description(
      "Submit a task (billable) from 1 to 4 images and a prompt; --wait follows it, --out downloads its video. Local images are checked first (JPEG or PNG, at most 10 MB, at least 300 px a side, aspect ratio 1:2.5 to 2.5:1) and sent as Base64; URLs are passed through.",
    )
    .addOption(
      new Option(
        "-i, --image <file|url>",
        "a reference image: a local .jpg/.jpeg/.png file or an http(s) URL; repeat for up to 4 (required)",
      ).argParser(collect),
    )
    .requiredOption("-p, --prompt <text>", "what the video shows (at most 2500 characters)")
    .option("--negative-prompt <text>", "what the video should avoid (at most 2500 characters)")
    .option("-m, --model <name>", "the model", "kling-v1-6")
    .addOption(
      new Option("--mode <mode>", "std (faster, cheaper) or pro")
        .choices(["std", "pro"])
        .default("std"),
    )
    .addOption(
      new Option("-d, --duration <seconds>", "video length in seconds")
        .choices(["5", "10"])
        .default("5"),
    )
    .addOption(
      new Option(
        "-a, --aspect-ratio <ratio>",
        "width:height of the video (sent explicitly: the gateway's own default is 1:1)",
      )
        .choices(["16:9", "9:16", "1:1"])
        .default("16:9"),
    )
    .option("--callback-url <url>", "where Kling posts the task on each status change")
    .addOption(
      new Option(
        "--external-task-id <id>",
        "your own id for the task, to reconcile a submit whose answer was lost (default: a random UUID)",
      ),
    )
    .option("-w, --wait", "follow the task until it finishes", false)
    .option(
      "-o, --out <file>",
      "download the video to this file, or into this folder as <task_id>.mp4 (implies --wait)",
    );
  addFollow(submitCommand);
  addCommon(submitCommand)
    .addHelpText(
      "after",
      `
Examples:
  $ kling submit -i a.jpg -i b.png -p "The two friends walk along the beach at sunset" --out beach.mp4
  $ kling submit -i https://example.com/a.jpg -i b.png -p "A dog runs" -d 10 -a 9:16 --mode pro --wait
  $ kling submit -i a.jpg -p "A dog runs" --json    # prints {"task":{"taskId":...}} and exits`,
    )
    .action((options: SubmitOptions, command: Command) => {
      options.fixedInterval = command.getOptionValueSource("interval") !== "default";
      run(options, (session) => submit(session, options));
    });

  const statusCmd = root
    .command("status")
    .description("Print a task's status, progress and video URL (exit 1 when the task failed)")
    .argument("<task_id>", "the task id submit printed")
    .addHelpText(
      "after",
      `
Examples:
  $ kling status 8473625
  $ kling status 8473625 --json | jq -r .task.status`,
    )
    .action((taskId: string, options: CommonOptions) => {
      run(options, (session) => status(session, taskId));
    });
  addCommon(statusCmd);

  const waitCmd = root
    .command("wait")
    .description("Follow a task until it finishes; with --out, download its video")
    .argument("<task_id>", "the task id submit printed")
    .option(
      "-o, --out <file>",
      "download the video to this file, or into this folder as <task_id>.mp4",
    )
    .addHelpText(
      "after",
      `
Examples:
  $ kling wait 8473625
  $ kling wait 8473625 --out dog.mp4 --timeout 1800`,
    )
    .action((taskId: string, options: FollowOptions, command: Command) => {
      options.fixedInterval = command.getOptionValueSource("interval") !== "default";
      run(options, (session) => waitCommand(session, taskId, options));
    });
  addFollow(waitCmd);
  addCommon(waitCmd);

  const downloadCmd = root
    .command("download")
    .description("Download a finished task's video (Kling deletes it 30 days after it was made)")
    .argument("<task_id>", "the task id submit printed")
    .requiredOption(
      "-o, --out <file>",
      "the file to write, or a folder to write <task_id>.mp4 into",
    )
    .addHelpText(
      "after",
      `
Examples:
  $ kling download 8473625 --out dog.mp4
  $ kling download 8473625 --out videos/ --json`,
    )
    .action((taskId: string, options: CommonOptions & { out: string }) => {
      run(options, (session) => download(session, taskId, options));
    });
  addCommon(downloadCmd);

  for (const command of root.commands) {
    command
      .exitOverride()
      .configureOutput({
        writeOut: (text) => io.stdout.write(text),
        writeErr: (text) => io.stderr.write(text),
        outputError: (text, write) => write(`kling: ${text.replace(/^error: /, "")}`),
      })
      .showHelpAfterError(`(add --help for usage: kling ${command.name()} --help)`)
      .addHelpText("after", `\n${EXIT_HELP}`);
  }
  return root;
}

/**
 * Runs `kling` with `argv` (the arguments after the program name) and returns the exit code;
 * see {@link EXIT}. Output goes to `io.stdout`/`io.stderr` (the process's by default).
 */
export async function main(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const full = defaults(io);
  let work: { options: CommonOptions; run: (session: Session) => Promise<ExitCode> } | undefined;
  const root = program(full, (options, run) => {
    work = { options, run };
  });
  try {
    await root.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      const ok = ["commander.helpDisplayed", "commander.version"].includes(error.code);
      return ok ? EXIT.ok : EXIT.badInput;
    }
    if (error instanceof CliError) {
      full.stderr.write(`kling: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
  if (!work) return EXIT.badInput;
  const session = new Session(full, work.options);
  const release = session.listen();
  try {
    return await work.run(session);
  } catch (error) {
    if (error instanceof Interrupted) {
      return session.interrupted(session.task?.taskId, error.message);
    }
    return session.fail(error);
  } finally {
    release();
    session.reporter.stop();
  }
}
