/**
 * Prism's router (`router/index.js`, `router/matchPath.js`) for requests without a base URL, as
 * the mock routes them: operations sorted by how well their path matches, then the first one
 * whose path and method match, preferring concrete paths over templated ones.
 */
import type { RouteResult } from "../core/engine.js";
import type { CompiledOperation } from "./types.js";

const CONCRETE = 1;
const TEMPLATED = 2;
const NO_MATCH = 0;

const isTemplated = (fragment: string) => /{(.+)}/.test(fragment);

function decodeFragment(fragment: string): string {
  try {
    return fragment && decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

function fragmentize(path: string): string[] {
  if (path.length === 0 || !path.startsWith("/")) throw new Error(`Malformed path '${path}'`);
  return path.split("/").slice(1).map(decodeFragment);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A compiled matcher for one operation path (`matchPath`, with the per-call work done once). */
export function pathMatcher(operationPath: string): (requestPath: string) => number {
  const fragments = fragmentize(operationPath).map((fragment) =>
    isTemplated(fragment)
      ? new RegExp(escapeRegExp(fragment).replace(/\\\{[^\\]+\\\}/g, "(.*)"))
      : fragment,
  );
  return (requestPath) => {
    const request = fragmentize(requestPath);
    if (fragments.length !== request.length) return NO_MATCH;
    let templated = false;
    for (let i = 0; i < request.length; i++) {
      const expected = fragments[i] as string | RegExp;
      if (typeof expected === "string") {
        if (expected !== request[i]) return NO_MATCH;
        continue;
      }
      if (expected.exec(request[i] as string) === null) return NO_MATCH;
      templated = true;
    }
    return templated ? TEMPLATED : CONCRETE;
  };
}

function matchScore(endpoint: string, request: string): number {
  const endpointParts = endpoint.split("/");
  const requestParts = request.split("/");
  let score = 0;
  for (let i = 0; i < endpointParts.length; i++) {
    if (endpointParts[i] === requestParts[i]) score++;
    else if (isTemplated(endpointParts[i] as string)) score += 0.5;
    else break;
  }
  return score;
}

/** Builds Prism's routing decision for a list of operations. */
export function createRouter(operations: readonly CompiledOperation[]) {
  const matchers = new Map(operations.map((op) => [op, pathMatcher(op.path)]));
  return (method: string, path: string): RouteResult => {
    try {
      // fp-ts `A.sort` (stable, ascending) then `reverse`.
      const sorted = operations
        .map((op) => ({ op, score: matchScore(op.path, path) }))
        .sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : 0))
        .reverse()
        .map(({ op }) => op);
      if (!path.startsWith("/")) return { status: 404, detail: "no route" };
      if (sorted.length === 0) {
        return {
          status: 404,
          detail: "The current document does not have any resource to match with.",
        };
      }
      const lowerMethod = method.toLowerCase();
      const matches: { op: CompiledOperation; pathMatch: number; methodMatch: boolean }[] = [];
      for (const op of sorted) {
        const pathMatch = (matchers.get(op) as (p: string) => number)(path);
        matches.push({
          op,
          pathMatch,
          methodMatch: pathMatch !== NO_MATCH && op.method.toLowerCase() === lowerMethod,
        });
      }
      const pathMatches = matches.filter((m) => m.pathMatch !== NO_MATCH);
      if (pathMatches.length === 0) {
        return {
          status: 404,
          detail: `The route ${path} hasn't been found in the specification file`,
        };
      }
      const methodMatches = pathMatches.filter((m) => m.methodMatch);
      if (methodMatches.length === 0) {
        return {
          status: 405,
          detail: `The route ${path} has been matched, but it does not have "${lowerMethod}" method defined`,
        };
      }
      const chosen =
        methodMatches.find((m) => m.pathMatch === CONCRETE) ??
        methodMatches.find((m) => m.pathMatch === TEMPLATED) ??
        (methodMatches[0] as (typeof methodMatches)[number]);
      return { operation: chosen.op };
    } catch {
      return { status: 404, detail: "unparseable path" };
    }
  };
}
