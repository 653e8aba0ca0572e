// The generator's exports as the spec's tests use them (the generator itself is plain JavaScript,
// run by node without a build step).

/** The spec as a plain object, parsed from openapi.yaml as it is now. */
export function loadSpec(): Record<string, unknown>;

/** Renders src/generated/facts.ts from a spec; throws when the spec's facts disagree. */
export function renderFacts(doc?: unknown): string;

/** Renders src/generated/departures.ts from a spec; throws on a departure it cannot carry. */
export function renderDepartures(doc?: unknown): string;

/** The departures as data; throws when the spec says something this cannot turn into data. */
export function departures(doc: unknown): { departures: unknown[]; checked: unknown[] };
