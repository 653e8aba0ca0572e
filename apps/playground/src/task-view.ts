import type { Task } from "@kling-multi-image/client";
import { byId, el } from "./dom.js";

const LABELS: Record<Task["status"], string> = {
  submitted: "Submitted",
  processing: "Processing",
  succeed: "Succeeded",
  failed: "Failed",
};

/** The task panel: status, progress, the history of states, then the video or the reason. */
export class TaskView {
  readonly #empty = byId("task-empty");
  readonly #facts = byId("task-facts");
  readonly #id = byId("task-id");
  readonly #status = byId("task-status");
  readonly #progress = byId<HTMLProgressElement>("task-progress");
  readonly #states = byId<HTMLOListElement>("task-states");
  readonly #error = byId("task-error");
  readonly #figure = byId("task-video");
  readonly #video = byId<HTMLVideoElement>("video");
  readonly #download = byId<HTMLAnchorElement>("download");

  /** Clears the panel for a new task. */
  start(taskId: string): void {
    this.#reset();
    this.#empty.hidden = true;
    this.#facts.hidden = false;
    this.#progress.hidden = false;
    this.#id.textContent = taskId;
  }

  /**
   * Empties the panel, saying why: after a refused submit nothing of the previous task may stay
   * on screen to be taken for the refused one.
   */
  clear(message: string): void {
    this.#reset();
    this.#empty.textContent = message;
    this.#empty.hidden = false;
    this.#facts.hidden = true;
    this.#progress.hidden = true;
  }

  #reset(): void {
    this.#figure.hidden = true;
    if (this.#video.hasAttribute("src")) {
      this.#video.removeAttribute("src");
      this.#video.load(); // stops playback and drops the previous video
    }
    this.#download.href = "#task-video";
    this.#states.replaceChildren();
    this.#error.textContent = "";
    this.#id.textContent = "";
    this.#status.textContent = "";
    delete this.#status.dataset.status;
    this.#progress.value = 0;
  }

  /** Shows one update of the task. */
  update(task: Task): void {
    this.#status.textContent = `${LABELS[task.status]} (${task.progress}%)`;
    this.#status.dataset.status = task.status;
    this.#progress.value = task.progress;
    const last = this.#states.lastElementChild as HTMLElement | null;
    if (last?.dataset.status !== task.status) {
      this.#states.append(el("li", LABELS[task.status], { "data-status": task.status }));
    }
    if (task.status === "failed") {
      this.#error.textContent = `The task failed: ${task.failReason || "no reason given"}`;
    }
    if (task.status === "succeed" && task.video) {
      this.#video.src = task.video.url;
      this.#download.href = task.video.url;
      this.#figure.hidden = false;
    }
  }

  /** Shows an error that ended the watch (not a failed task). */
  fail(message: string): void {
    this.#error.textContent = message;
  }
}
