/**
 * `defineCheck`: how a check that runs on its own declares itself (name, cost, stage, what it
 * needs and what it provides) next to how it runs. The runner reads these declarations from the
 * registry (`registry.ts`) and decides from them alone (`plan.ts`) which checks run, in which order
 * and with what.
 */
import type { Receiver } from "../callbacks/receiver.js";
import type { Session } from "../session.js";
import type { CheckMetadata, Stage } from "./metadata.js";
import type { LifecycleOutcome, Outcome } from "./outcome.js";

/** Where this run's callbacks go. */
export interface CallbackInbox {
  /** The local receiver that records every delivery. */
  readonly receiver: Receiver;
  /** The path reserved for this run's deliveries. */
  readonly path: string;
  /** The URL the server under test posts to: the receiver's, or the public one given. */
  readonly url: string;
}

/** What a run can be given besides the session, by the name a check `needs` it by. */
export interface Resources {
  /**
   * A callback receiver for this run. The runner starts one only when a check that needs it runs,
   * never with `callbacks: false`, and before the check that creates the task it waits on.
   */
  inbox: CallbackInbox;
  /** The task submitted and followed to its end, from the check that `provides` it. */
  task: LifecycleOutcome;
}

/** A resource a check can need or provide. */
export type Need = keyof Resources;

/** What a run is given: the session, and the resources the run has so far. */
export interface CheckContext extends Partial<Resources> {
  readonly session: Session;
}

/** A context in which the resources `K` are present. */
export type Supplied<K extends Need> = CheckContext & Pick<Resources, K>;

/** What a run returns: its outcome, and the resources it makes available to later checks. */
export interface StepOutcome<E extends string = string> extends Outcome<E> {
  provided?: Partial<Resources>;
}

/**
 * A check as its module writes it. `N` is its name, `E` the names its findings may carry (its own,
 * those it judges and the response checks'), `K` what it needs.
 */
export interface CheckSpec<N extends string, E extends string, K extends Need>
  extends CheckMetadata<N> {
  readonly stage: Exclude<Stage, "response">;
  /** Resources the run cannot do without; the check is skipped when one cannot be had. */
  readonly needs: readonly K[];
  /** Resources the run makes available; it runs whenever a check that needs one of them does. */
  readonly provides?: readonly Need[];
  /** Checks without a run of their own whose findings this run reports, e.g. its first step. */
  readonly judges?: readonly CheckMetadata[];
  /** Runs the check, given what it needs. */
  run(context: Supplied<K>): Promise<StepOutcome<E>>;
}

/** A check as the runner sees it: every field present, and a run that takes any context. */
export interface CheckDefinition<N extends string = string, E extends string = string>
  extends CheckMetadata<N> {
  readonly stage: Exclude<Stage, "response">;
  readonly needs: readonly Need[];
  readonly provides: readonly Need[];
  readonly judges: readonly CheckMetadata[];
  /** Runs the check. Rejects when a need is missing: the runner must check `needs` first. */
  run(context: CheckContext): Promise<StepOutcome<E>>;
}

/** True when every resource in `needs` is present in `context`. */
function supplies<K extends Need>(
  context: CheckContext,
  needs: readonly K[],
): context is Supplied<K> {
  return needs.every((need) => context[need] !== undefined);
}

/**
 * Declares a check that runs on its own. The name is inferred as a literal, so the registry can
 * derive the set of check names from the definitions, and the runner can prove at compile time
 * that every finding a run returns carries one of them.
 */
export function defineCheck<const N extends string, E extends string, const K extends Need = never>(
  spec: CheckSpec<N, E, K>,
): CheckDefinition<N, E> {
  return {
    ...spec,
    provides: spec.provides ?? [],
    judges: spec.judges ?? [],
    async run(context) {
      if (!supplies(context, spec.needs)) {
        const missing = spec.needs.filter((need) => context[need] === undefined);
        throw new Error(`${spec.name} ran without ${missing.join(", ")}: a bug in the runner`);
      }
      return spec.run(context);
    },
  };
}
