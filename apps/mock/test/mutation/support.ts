/**
 * A simulator in process for the mutation tests: a virtual clock, a callback sink that records
 * what it is given, and literal expectations. No server, no Prism, no MSW: Stryker re-runs these
 * for every mutant, so they must import only the core.
 */
import { type VirtualClock, virtualClock } from "../../src/core/clock.js";
import type { Scenario } from "../../src/core/simulator/scenarios.js";
import {
  type CallbackSink,
  type CreateBody,
  Simulator,
  type SimulatorSettings,
} from "../../src/core/simulator/simulator.js";
import { fastTiming, type TimingProfile } from "../../src/core/simulator/timing.js";

/** 2026-01-01T00:00:00.123Z: not a whole second, so a wrong rounding of times shows. */
export const T0 = 1_767_225_600_123;

/** Kling's reason for a drawn or forced failure without a reason of its own. */
export const FAIL_REASON = "Video generation failed due to an internal error, please try again";

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const TASK_ID = /^[A-Za-z0-9_-]{22}$/;
export const VIDEO_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/;

export const BODY = {
  model: "kling-v1-6",
  image_list: [{ image: "https://example.com/a.jpg" }, { image: "https://example.com/b.jpg" }],
  prompt: "two friends walk",
} as CreateBody;

export const SETTINGS: SimulatorSettings = {
  createShape: "documented",
  scenario: {},
  scenarioText: "",
  failureRate: 0,
  seed: 1,
  concurrencyLimit: 0,
  retryAfterSeconds: 7,
};

export interface Sent {
  owner: string;
  taskId: string;
  url: string;
  // biome-ignore lint/suspicious/noExplicitAny: payloads are compared with literals
  payload: any;
}

export interface Rig {
  sim: Simulator;
  clock: VirtualClock;
  sent: Sent[];
  /** URLs the simulator asked the sink about. */
  checked: string[];
  create(body?: Partial<CreateBody>, scenario?: Scenario, owner?: string): Promise<string>;
  // biome-ignore lint/suspicious/noExplicitAny: query bodies are compared with literals
  query(id: string, owner?: string): Promise<any>;
}

/** A simulator on a virtual clock at {@link T0}; the sink refuses URLs containing "refuse". */
export function rig(
  options: {
    settings?: Partial<SimulatorSettings>;
    timing?: TimingProfile;
    ttlMs?: number;
    maxTasks?: number;
    models?: readonly string[];
  } = {},
): Rig {
  const clock = virtualClock(T0);
  const sent: Sent[] = [];
  const checked: string[] = [];
  const callbacks: CallbackSink = {
    check(url) {
      checked.push(url);
      return url.includes("refuse") ? `refused ${url}` : undefined;
    },
    enqueue(owner, taskId, url, payload) {
      sent.push({ owner, taskId, url, payload });
    },
  };
  const sim = new Simulator({
    clock,
    timing: options.timing ?? fastTiming,
    settings: { ...SETTINGS, ...options.settings },
    models: options.models ?? ["kling-v1-6", "kling-v2-1"],
    ttlMs: options.ttlMs ?? 86_400_000,
    maxTasks: options.maxTasks ?? 1_000,
    callbacks,
    videoUrl: (id) => `http://mock.test/v/${id}.mp4`,
  });
  return {
    sim,
    clock,
    sent,
    checked,
    async create(body = {}, scenario = {}, owner = "k") {
      const reply = await sim.create(owner, { ...BODY, ...body } as CreateBody, scenario);
      if (reply.status !== 200) throw new Error(`create: ${reply.status} ${JSON.stringify(reply)}`);
      const b = reply.body as { data?: { task_id: string }; task_id?: string };
      return (b.data?.task_id ?? b.task_id) as string;
    },
    async query(id, owner = "k") {
      const reply = await sim.query(owner, id, {});
      if (reply.status !== 200) throw new Error(`query: ${reply.status} ${JSON.stringify(reply)}`);
      return reply.body;
    },
  };
}

/** A fixed schedule, whatever the mode and duration. */
export function fixedTiming(refreshAt: number, processingAt: number, finishAt: number) {
  const calls: [string, number][] = [];
  const timing: TimingProfile = {
    name: "fixed",
    schedule(mode, duration) {
      calls.push([mode, duration]);
      return { refreshAt, processingAt, finishAt };
    },
  };
  return { timing, calls };
}

/** `JSON.parse` of a Kling error's message (the gateway passes Kling's body through as text). */
export function klingMessage(reply: { body: unknown }): unknown {
  return JSON.parse((reply.body as { message: string }).message);
}
