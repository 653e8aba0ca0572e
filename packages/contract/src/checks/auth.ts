/** ignored_auth: a request with no key, or a wrong one, must be refused with 401 on every operation. */
import { specExample } from "@kling-multi-image/spec";
import type { RecordedRequest } from "../http.js";
import type { Session } from "../session.js";
import type { OperationId } from "../spec.js";
import type { ResponseCheckName } from "./conformance.js";
import { defineCheck } from "./define.js";
import { type Finding, type Outcome, responseSummary } from "./outcome.js";

const NAME = "ignored_auth";

/** The names this check's findings carry: its own, and the response checks' of its exchanges. */
type Reported = typeof NAME | ResponseCheckName;

/** The `ignored_auth` check: free, and run first with `unknown_task`, probing the server. */
export const ignoredAuthCheck = defineCheck({
  name: NAME,
  billable: false,
  stage: "probe",
  needs: [],
  run: ({ session }) => ignoredAuth(session),
});

/**
 * The provider's curl body (the spec's `SeedCurlRequest` example): valid in every respect but the
 * key, so only authentication can refuse it. Read from the spec, not copied, so there is one source.
 */
export const SEED_BODY: Readonly<Record<string, unknown>> = Object.freeze(
  specExample("SeedCurlRequest") as Record<string, unknown>,
);

/** The seed body, with the run's own images when it has some. */
export function seedBody(imageUrls?: readonly string[]): Record<string, unknown> {
  if (!imageUrls || imageUrls.length === 0) return { ...SEED_BODY };
  return { ...SEED_BODY, image_list: imageUrls.slice(0, 4).map((image) => ({ image })) };
}

/** Runs `ignored_auth`. */
export async function ignoredAuth(session: Session): Promise<Outcome<Reported>> {
  const failures: Finding<Reported>[] = [];
  const wrongKey = `sk-contract-wrong-${session.runId}`;
  const variants: { label: string; headers: Record<string, string> }[] = [
    { label: "no Authorization header", headers: {} },
    { label: "a wrong API key", headers: { Authorization: `Bearer ${wrongKey}` } },
    { label: "an empty bearer token", headers: { Authorization: "Bearer " } },
  ];
  const operations: { operation: OperationId; build: () => Omit<RecordedRequest, "headers"> }[] = [
    {
      operation: "createMultiImageVideoTask",
      build: () => ({
        method: "POST",
        url: session.url("createMultiImageVideoTask"),
        body: JSON.stringify(seedBody(session.options.imageUrls)),
      }),
    },
    {
      operation: "getMultiImageVideoTask",
      build: () => ({
        method: "GET",
        url: session.url("getMultiImageVideoTask", session.uniqueId("contract-auth")),
      }),
    },
  ];
  for (const { operation, build } of operations) {
    for (const variant of variants) {
      const partial = build();
      const headers: Record<string, string> = { Accept: "application/json", ...variant.headers };
      if (partial.body !== undefined) headers["Content-Type"] = "application/json";
      const request: RecordedRequest = { ...partial, headers };
      const result = await session.exchange(operation, request);
      session.count(NAME);
      failures.push(...result.failures);
      const response = result.response;
      if (response && response.status !== 401 && !session.transient(NAME, response)) {
        failures.push({
          check: NAME,
          message: `${request.method} ${new URL(request.url).pathname} with ${variant.label} was answered ${response.status}; it must be refused with 401`,
          request,
          response: responseSummary(response),
        });
      }
    }
  }
  return { failures, skipped: [] };
}
