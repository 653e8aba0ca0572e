/**
 * How long a task spends in each state. A task's whole schedule is fixed at submit time, so its
 * state at any moment is derived from its timestamps (no timer per task).
 */

/** Milliseconds after submit at which a task reaches each stage. */
export interface TaskSchedule {
  /** The gateway first refreshes the task: `NOT_START` before this. */
  refreshAt: number;
  /** Kling starts processing. */
  processingAt: number;
  /** Kling finishes (`succeed` or `failed`). */
  finishAt: number;
}

/** A timing profile: the schedule for a task given its mode and duration. */
export interface TimingProfile {
  readonly name: string;
  schedule(mode: "std" | "pro", durationSeconds: number): TaskSchedule;
}

/** Seconds, so a UI sees every state in a few seconds; `pro` and 10 s videos take longer. */
export const fastTiming: TimingProfile = {
  name: "fast",
  schedule(mode, duration) {
    const finish = (2000 + duration * 300) * (mode === "pro" ? 1.5 : 1);
    return { refreshAt: 300, processingAt: 1000, finishAt: Math.round(finish) };
  },
};

/**
 * Minutes, like the real service: the gateway refreshes tasks every ~15 s and Kling takes two to
 * six minutes for a 5-10 s video (longer in `pro`).
 */
export const realisticTiming: TimingProfile = {
  name: "realistic",
  schedule(mode, duration) {
    const finish = (60_000 + duration * 18_000) * (mode === "pro" ? 1.6 : 1);
    return { refreshAt: 15_000, processingAt: 20_000, finishAt: Math.round(finish) };
  },
};

/** Resolves a profile name or object. */
export function timingProfile(
  timing: "fast" | "realistic" | TimingProfile | undefined,
): TimingProfile {
  if (timing === undefined || timing === "fast") return fastTiming;
  if (timing === "realistic") return realisticTiming;
  return timing;
}
