// The generator's exports as the spec's tests use them (the generator itself is plain JavaScript,
// run by node without a build step).

/** Renders src/generated/facts.ts from a spec; throws when the spec's facts disagree. */
export function renderFacts(doc?: unknown): string;

/** Renders src/generated/departures.ts from a spec; throws on a departure it cannot carry. */
export function renderDepartures(doc?: unknown): string;
