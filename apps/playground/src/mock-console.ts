import type { ControlApiComponents, ControlApiPaths } from "@kling-multi-image/mock";
import createClient from "openapi-fetch";
import { byId, el } from "./dom.js";

type TaskSummary = ControlApiComponents["schemas"]["TaskSummary"];
type KlingStatus = ControlApiComponents["schemas"]["KlingStatus"];

/**
 * The mock console: drives the mock through its control API (`/__mock/`), with the types the mock
 * generates from that API's spec (a type-only import: no mock code reaches the page).
 */
export class MockConsole {
  readonly #api = createClient<ControlApiPaths>({ baseUrl: location.origin });
  readonly #tasks = byId<HTMLTableSectionElement>("tasks");
  readonly #callbacks = byId<HTMLTableSectionElement>("callbacks");
  readonly #error = byId("console-error");
  readonly #clock = byId("clock-state");
  readonly #apiKey: () => string;

  constructor(apiKey: () => string) {
    this.#apiKey = apiKey;
    byId("refresh").addEventListener("click", () => void this.refresh());
    byId("advance").addEventListener("click", () => void this.advance());
  }

  #headers() {
    return { Authorization: `Bearer ${this.#apiKey()}` };
  }

  /** Reloads the task list, the callback log and the clock. */
  async refresh(): Promise<void> {
    const [tasks, callbacks, health] = await Promise.all([
      this.#api.GET("/__mock/tasks", {
        headers: this.#headers(),
        params: { query: { limit: 20 } },
      }),
      this.#api.GET("/__mock/callbacks", { headers: this.#headers() }),
      this.#api.GET("/__mock/health"),
    ]);
    if (tasks.error || callbacks.error || health.error) {
      this.#error.textContent = "The mock's control API did not answer as expected.";
      return;
    }
    this.#error.textContent = "";
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
  }

  /** Moves the mock's virtual clock; the mock refuses (409) when it runs on real time. */
  async advance(): Promise<void> {
    const ms = Number(byId<HTMLInputElement>("advance-ms").value);
    const { error } = await this.#api.POST("/__mock/clock/advance", { body: { ms } });
    this.#error.textContent = error ? `Could not advance the clock: ${error.error.message}` : "";
    await this.refresh();
  }

  async #force(task: TaskSummary, status: KlingStatus): Promise<void> {
    const body =
      status === "failed" ? { status, reason: "Forced from the playground" } : { status };
    const { error } = await this.#api.POST("/__mock/tasks/{task_id}/state", {
      params: { path: { task_id: task.task_id } },
      body,
    });
    this.#error.textContent = error
      ? `Could not force ${task.task_id}: ${error.error.message}`
      : "";
    await this.refresh();
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
