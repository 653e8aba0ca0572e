/** The spec's named examples, for tests that go through all of them. */
import { loadSpec } from "@kling-multi-image/spec";

/**
 * Every named example in the spec's `components.examples`, name to value, in document order.
 * Read afresh on each call (the values are the caller's to change); one example by name is
 * `specExample(name)` from `@kling-multi-image/spec`.
 */
export function specExamples(): Record<string, unknown> {
  const examples = (loadSpec().components.examples ?? {}) as Record<string, { value?: unknown }>;
  return Object.fromEntries(Object.entries(examples).map(([name, e]) => [name, e.value]));
}
