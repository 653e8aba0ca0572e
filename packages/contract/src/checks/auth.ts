/** ignored_auth: a request with no key, or a wrong one, must be refused with 401 on every operation. */
import { specExample } from "@kling-multi-image/spec";
import type { RecordedRequest } from "../http.js";
import type { Session } from "../session.js";
import type { OperationId } from "../spec.js";
import type { Failure } from "../types.js";
import { responseSummary } from "./conformance.js";
import type { CheckOutcome } from "./negative.js";

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
export async function ignoredAuth(session: Session): Promise<CheckOutcome> {
  const failures: Failure[] = [];
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
      session.count("ignored_auth");
      failures.push(...result.failures);
      const response = result.response;
      if (response && response.status !== 401 && !session.transient("ignored_auth", response)) {
        failures.push({
          check: "ignored_auth",
          message: `${request.method} ${new URL(request.url).pathname} with ${variant.label} was answered ${response.status}; it must be refused with 401`,
          request,
          response: responseSummary(response),
        });
      }
    }
  }
  return { failures, skipped: [] };
}
