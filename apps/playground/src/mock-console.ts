import type { ControlApiComponents, ControlApiPaths } from "@kling-multi-image/mock";
import createClient from "openapi-fetch";
import { byId, el } from "./dom.js";

type TaskSummary = ControlApiComponents["schemas"]["TaskSummary"];
type KlingStatus = ControlApiComponents["schemas"]["KlingStatus"];

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The mock console: drives the mock through its control API (`/__mock/`), with the types the mock
 * generates from that API's spec (a type-only import: no mock code reaches the page).
 *
 * Two kinds of error show under it: the last action's (Advance, Force), which stays until the
 * next action even though every action ends with a refresh, and the last refresh's, which the
 * next successful refresh clears.
 */
export class MockConsole {
  readonly #api = createClient<ControlApiPaths>({ baseUrl: location.origin });
  readonly #tasks = byId<HTMLTableSectionElement>("tasks");
  readonly #callbacks = byId<HTMLTableSectionElement>("callbacks");
  readonly #error = byId("console-error");
  readonly #clock = byId("clock-state");
  readonly #section = byId("mock-console");
  readonly #apiKey: () => string;
  #busy = 0;
  #actionError = "";
  #refreshError = "";

  constructor(apiKey: () => string) {
    this.#apiKey = apiKey;
    byId("refresh").addEventListener("click", () => {
      this.clearActionError();
      void this.refresh();
    });
    byId("advance").addEventListener("click", () => void this.advance());
  }

  #headers() {
    return { Authorization: `Bearer ${this.#apiKey()}` };
  }

  #showErrors() {
    this.#error.textContent = [this.#actionError, this.#refreshError].filter(Boolean).join(" ");
  }

  /** Forgets the last action's error: a new action (here or a submit) is starting. */
  clearActionError(): void {
    this.#actionError = "";
    this.#showErrors();
  }

  /** Marks the console busy (`aria-busy`) while `work` runs; tests and assistive tech wait on it. */
  async #whileBusy(work: () => Promise<void>): Promise<void> {
    this.#busy += 1;
    this.#section.setAttribute("aria-busy", "true");
    try {
      await work();
    } finally {
      this.#busy -= 1;
      if (this.#busy === 0) this.#section.setAttribute("aria-busy", "false");
    }
  }

  /** Runs an action: clears the previous action's error, shows this one's, then refreshes. */
  #action(work: () => Promise<string | undefined>): Promise<void> {
    return this.#whileBusy(async () => {
      this.clearActionError();
      let failure: string | undefined;
      try {
        failure = await work();
      } catch (error) {
        failure = reason(error);
      }
      this.#actionError = failure ?? "";
      this.#showErrors();
      await this.#load();
    });
  }

  /** Reloads the task list, the callback log and the clock. */
  refresh(): Promise<void> {
    return this.#whileBusy(() => this.#load());
  }

  async #load(): Promise<void> {
    try {
      this.#refreshError = await this.#render();
    } catch (error) {
      this.#refreshError = `The mock's control API is unreachable: ${reason(error)}`;
    }
    this.#showErrors();
  }

  /** Fetches and shows the console's tables; answers the error to show, or "". */
  async #render(): Promise<string> {
    const [tasks, callbacks, health] = await Promise.all([
      this.#api.GET("/__mock/tasks", {
        headers: this.#headers(),
        params: { query: { limit: 20 } },
      }),
      this.#api.GET("/__mock/callbacks", { headers: this.#headers() }),
      this.#api.GET("/__mock/health"),
    ]);
    if (tasks.error || callbacks.error || health.error) {
      return "The mock's control API did not answer as expected.";
    }
    this.#clock.textContent = `Clock: ${health.data.clock}, ${new Date(health.data.now).toISOString()}`;
    this.#tasks.replaceChildren(...tasks.data.tasks.map((t) => this.#taskRow(t)));
    this.#callbacks.replaceChildren(
      ...callbacks.data.deliveries.map((d) => {
        const row = el("tr");
        row.append(
          el("td", d.task_id),
          el("td", d.task_status),
          el("td", d.outcome),
          el("td", String(d.attempt)),
        );
        return row;
      }),
    );
    return "";
  }

  /** Moves the mock's virtual clock; the mock refuses (409) when it runs on real time. */
  advance(): Promise<void> {
    return this.#action(async () => {
      const ms = Number(byId<HTMLInputElement>("advance-ms").value);
      const { error } = await this.#api.POST("/__mock/clock/advance", {
        body: { ms },
        headers: this.#headers(),
      });
      return error ? `Could not advance the clock: ${error.error.message}` : undefined;
    });
  }

  #force(task: TaskSummary, status: KlingStatus): Promise<void> {
    return this.#action(async () => {
      const body =
        status === "failed" ? { status, reason: "Forced from the playground" } : { status };
      const { error } = await this.#api.POST("/__mock/tasks/{task_id}/state", {
        params: { path: { task_id: task.task_id } },
        body,
        headers: this.#headers(),
      });
      return error ? `Could not force ${task.task_id}: ${error.error.message}` : undefined;
    });
  }

  #taskRow(task: TaskSummary): HTMLTableRowElement {
    const row = el("tr");
    const actions = el("td");
    const finished = task.task_status === "succeed" || task.task_status === "failed";
    for (const status of ["succeed", "failed"] as const) {
      const button = el("button", status, {
        type: "button",
        "aria-label": `Force ${task.task_id} to ${status}`,
      });
      button.disabled = finished;
      button.addEventListener("click", () => void this.#force(task, status));
      actions.append(button);
    }
    row.append(
      el("td", task.task_id),
      el("td", `${task.task_status} (${task.gateway_status})`),
      actions,
    );
    return row;
  }
}
