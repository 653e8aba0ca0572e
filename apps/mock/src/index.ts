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
 *
 * The same simulator runs without a server as MSW handlers: `@kling-multi-image/mock/msw`.
 */
export type { DeliveryRecord } from "./core/callbacks/index.js";
export {
  type Clock,
  systemClock,
  type TimerHandle,
  type VirtualClock,
  virtualClock,
} from "./core/clock.js";
export { DEFAULTS, type LogSink, type MockOptions } from "./core/options.js";
export { parseScenario, SCENARIO_NAMES, type Scenario } from "./core/simulator/scenarios.js";
export type { SimulatorSettings } from "./core/simulator/simulator.js";
export type { AspectRatio, GatewayStatus, KlingStatus } from "./core/simulator/task.js";
export {
  fastTiming,
  realisticTiming,
  type TaskSchedule,
  type TimingProfile,
} from "./core/simulator/timing.js";
export type {
  components as ControlApiComponents,
  paths as ControlApiPaths,
} from "./generated/control-api.js";
export {
  controlApiPath,
  createMockServer,
  type MockServer,
  type MockServerOptions,
  type VirtualMockServer,
} from "./server.js";
