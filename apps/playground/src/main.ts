import {
  type CreateTaskRequest,
  createKlingClient,
  type ImageInput,
  KlingApiError,
  type Task,
  TaskFailedError,
} from "@kling-multi-image/client";
import { byId, setFieldError } from "./dom.js";
import { ImagePicker } from "./image-picker.js";
import { MAX_PROMPT_CHARS } from "./limits.js";
import { MockConsole } from "./mock-console.js";
import { TaskView } from "./task-view.js";
import { charCount, validateForm } from "./validation.js";

const form = byId<HTMLFormElement>("create-form");
const apiKey = byId<HTMLInputElement>("api-key");
const fileInput = byId<HTMLInputElement>("images");
const prompt = byId<HTMLTextAreaElement>("prompt");
const negativePrompt = byId<HTMLTextAreaElement>("negative-prompt");
const externalTaskId = byId<HTMLInputElement>("external-task-id");
const scenario = byId<HTMLSelectElement>("scenario");
const submit = byId<HTMLButtonElement>("submit");
const formError = byId("form-error");
const imagesField = byId("images-field");
const imagesError = byId("images-error");

const picker = new ImagePicker(byId<HTMLUListElement>("previews"), (message) =>
  setFieldError(imagesField, imagesError, message),
);
const view = new TaskView();
const mockConsole = new MockConsole(() => apiKey.value.trim());
let watching: AbortController | undefined;

function showCount(textarea: HTMLTextAreaElement, counter: HTMLElement) {
  const update = () => {
    const n = charCount(textarea.value);
    counter.textContent = `${n} / ${MAX_PROMPT_CHARS}`;
    counter.classList.toggle("over", n > MAX_PROMPT_CHARS);
  };
  textarea.addEventListener("input", update);
  update();
}
showCount(prompt, byId("prompt-count"));
showCount(negativePrompt, byId("negative-prompt-count"));

fileInput.addEventListener("change", async () => {
  await picker.add(fileInput.files ?? []);
  fileInput.value = "";
});
const dropZone = byId("drop-zone");
dropZone.addEventListener("dragover", (event) => {
  event.preventDefault();
  dropZone.classList.add("over");
});
dropZone.addEventListener("dragleave", () => dropZone.classList.remove("over"));
dropZone.addEventListener("drop", async (event) => {
  event.preventDefault();
  dropZone.classList.remove("over");
  await picker.add(event.dataTransfer?.files ?? []);
});

/** An error as the page shows it: API errors with their HTTP status and code. */
function describeError(error: unknown): string {
  if (error instanceof KlingApiError) {
    return `The API refused the request (HTTP ${error.status}, ${String(error.code)}): ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The spec types `image_list` as one to four entries; the picker and validation enforce it. */
function asImageList(inputs: ImageInput[]): CreateTaskRequest["image_list"] {
  return inputs as CreateTaskRequest["image_list"];
}

function readBody(): CreateTaskRequest {
  const body: CreateTaskRequest = {
    model: "kling-v1-6",
    image_list: asImageList(picker.inputs),
    prompt: prompt.value,
    mode: byId<HTMLSelectElement>("mode").value as "std" | "pro",
    aspect_ratio: byId<HTMLSelectElement>("aspect-ratio").value as "16:9" | "9:16" | "1:1",
    duration: byId<HTMLSelectElement>("duration").value as "5" | "10",
  };
  if (negativePrompt.value) body.negative_prompt = negativePrompt.value;
  if (externalTaskId.value.trim()) body.external_task_id = externalTaskId.value.trim();
  return body;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  formError.textContent = "";
  const errors = validateForm({
    imageCount: picker.count,
    prompt: prompt.value,
    negativePrompt: negativePrompt.value,
    externalTaskId: externalTaskId.value.trim(),
  });
  setFieldError(imagesField, imagesError, errors.images);
  setFieldError(prompt, byId("prompt-error"), errors.prompt);
  setFieldError(negativePrompt, byId("negative-prompt-error"), errors.negativePrompt);
  setFieldError(externalTaskId, byId("external-task-id-error"), errors.externalTaskId);
  const firstInvalid = form.querySelector<HTMLElement>("[aria-invalid=true]");
  if (firstInvalid) {
    (firstInvalid === imagesField ? fileInput : firstInvalid).focus();
    return;
  }
  if (!apiKey.value.trim()) {
    formError.textContent = "An API key is required.";
    apiKey.focus();
    return;
  }

  watching?.abort();
  watching = new AbortController();
  const headers: Record<string, string> = scenario.value
    ? { "X-Mock-Scenario": scenario.value }
    : {};
  const kling = createKlingClient({
    apiKey: apiKey.value.trim(),
    baseUrl: location.origin,
    headers,
    maxRetries: 0,
  });
  submit.disabled = true;
  mockConsole.clearActionError();
  const { signal } = watching;
  try {
    let task: Task;
    try {
      task = await kling.submit(readBody(), { signal });
    } catch (error) {
      if (signal.aborted) return;
      // No task was created: the previous one must not stay on screen as if it were this one.
      view.clear(
        error instanceof KlingApiError
          ? "No task: the API refused the last submit (the reason is under the form)."
          : "No task: the last submit failed (the reason is under the form).",
      );
      formError.textContent = describeError(error);
      void mockConsole.refresh();
      return;
    }
    view.start(task.taskId);
    view.update(task);
    void mockConsole.refresh();
    try {
      for await (const update of kling.watchTask(task.taskId, {
        intervalMs: 500,
        maxIntervalMs: 1_000,
        signal,
      })) {
        view.update(update);
        void mockConsole.refresh();
      }
    } catch (error) {
      if (error instanceof TaskFailedError) view.fail(`The task failed: ${error.task.failReason}`);
      else if (!signal.aborted) view.fail(`Stopped watching the task: ${describeError(error)}`);
    }
  } finally {
    submit.disabled = false;
  }
});

void mockConsole.refresh();
