/**
 * Which of an operation's documented responses describes a status, as Prism's
 * `findOperationResponse` decides it. Both validation engines read it: Prism's planned checks
 * (`src/prism/plans.ts`) and the compiled engine (`src/validation/compiled-engine.ts`), so it has
 * no Node import and runs in a browser.
 */

/** A response as an OpenAPI operation documents it: its code is a status, `4XX` or `default`. */
export interface DocumentedResponse {
  readonly code: string;
}

/** Whether `code` (`200`, `4XX`, `default`) covers `status`. */
function covers(code: string, status: number): boolean {
  return code === "default" || new RegExp(`^${code.replace(/X/g, "\\d")}$`).test(String(status));
}

/** The response for `status`: the exact code, then the one with the fewest `X`, then `default`. */
export function findResponse<R extends DocumentedResponse>(
  responses: readonly R[],
  status: number,
): R | undefined {
  return responses
    .filter((r) => covers(r.code, status))
    .sort((a, b) =>
      a.code === "default"
        ? 1
        : b.code === "default"
          ? -1
          : a.code.split("X").length - b.code.split("X").length,
    )[0];
}
