/** The simulator's settings: what the control API may change at run time. */
import type { Fidelity } from "../errors/gateway.js";
import type { Scenario } from "./scenarios.js";

/** Settings that the control API may change at run time. */
export interface SimulatorSettings {
  /**
   * `"gateway"` answers as the gateway's code does (the spec's `x-gateway-departure`s); absent or
   * `"documented"`, as its docs say.
   */
  fidelity?: Fidelity;
  createShape: "documented" | "observed";
  /** Scenario applied to every request (a request's header wins field by field). */
  scenario: Scenario;
  /** `scenario` as it was written (`fail,slow:200`), for the control API to show back. */
  scenarioText: string;
  /** Probability in [0, 1] that an accepted task ends `failed`. */
  failureRate: number;
  /** Seed of the PRNG that draws failures. */
  seed: number;
  /** Unfinished tasks allowed per key; 0 = no limit. */
  concurrencyLimit: number;
  /** Seconds in `Retry-After` of 429/503 answers. */
  retryAfterSeconds: number;
}
