/** Formatting for people: sizes, durations, speeds, tasks. */
import type { Task } from "@kling-multi-image/client";

/** A byte count in B, kB, MB or GB (powers of 1024, as Kling's "10 MB" limit is). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["kB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** A duration as `4.2 s`, `3 min 05 s` or `1 h 02 min`. */
export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  const m = Math.floor(whole / 60);
  if (m < 60) return `${m} min ${String(whole % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/** The task as printed by `--json`: the client's normalised task without the wire answer. */
export function taskJson(task: Task): Record<string, unknown> {
  const { raw: _raw, ...rest } = task;
  return rest;
}

/** One line about a task's state: `processing 30%`. */
export function taskState(task: Task): string {
  return `${task.status} ${Math.round(task.progress)}%`;
}
