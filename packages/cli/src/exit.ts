/** The exit codes of `kling`, documented in `kling --help` and the README. */
export const EXIT = {
  /** The command did what it was asked (a task read, submitted, finished, a video saved). */
  ok: 0,
  /** The task failed (Kling's reason is printed). */
  taskFailed: 1,
  /** Bad input: an option, an image, a missing key; or the server refused the request (400). */
  badInput: 2,
  /** The API or the network failed (HTTP errors, lost connections, a failed download). */
  apiError: 3,
  /** The wait ran out (`--timeout`) before the task finished. */
  timeout: 4,
  /** A submit whose outcome is unknown: reconcile by the printed `external_task_id`. */
  submitUnknown: 5,
  /** Interrupted (Ctrl-C): the task is left running on the server. */
  interrupted: 130,
} as const;

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line and an exit code (no stack trace). */
export class CliError extends Error {
  override name = "CliError";
  /** Creates the error. */
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

/** A {@link CliError} for bad input (exit 2). */
export function badInput(message: string): CliError {
  return new CliError(message, EXIT.badInput);
}
