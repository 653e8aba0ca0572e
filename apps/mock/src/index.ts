/**
 * `@kling-multi-image/mock`: a stateful mock of the Kling multi-image-to-video API (ezmodel
 * gateway) with Prism's validation inside. Start one per test file:
 *
 * ```ts
 * const mock = await createMockServer({ clock: "virtual" });
 * // ... submit to `${mock.url}/kling/v1/videos/multi-image2video`, then:
 * await mock.clock.advance(10_000);
 * await mock.close();
 * ```
 */
export {
  type Clock,
  systemClock,
  type TimerHandle,
  type VirtualClock,
  virtualClock,
} from "./clock.js";
export type {
  components as ControlApiComponents,
  paths as ControlApiPaths,
} from "./generated/control-api.js";
export type { LogSink, MockServerOptions } from "./options.js";
export { DEFAULTS } from "./options.js";
export {
  controlApiPath,
  createMockServer,
  type MockServer,
  type VirtualMockServer,
} from "./server.js";
export { parseScenario, SCENARIO_NAMES, type Scenario } from "./simulator/scenarios.js";
export type { SimulatorSettings } from "./simulator/simulator.js";
export type { AspectRatio, GatewayStatus, KlingStatus } from "./simulator/task.js";
export {
  fastTiming,
  realisticTiming,
  type TaskSchedule,
  type TimingProfile,
} from "./simulator/timing.js";
