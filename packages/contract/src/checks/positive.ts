/**
 * positive_data_acceptance: generated valid bodies (every enum, length bounds, one to four images)
 * must be accepted with a 2xx. Each accepted body is a task, billable on a real gateway.
 */
import { finalize, readRules, validBody } from "../generate/index.js";
import { runProperty } from "../property.js";
import type { Session } from "../session.js";
import type { ResponseCheckName } from "./conformance.js";
import { defineCheck } from "./define.js";
import { type Finding, type Outcome, responseSummary } from "./outcome.js";

const NAME = "positive_data_acceptance";

/** The names this check's findings carry: its own, and the response checks' of its exchanges. */
type Reported = typeof NAME | ResponseCheckName;

/** The `positive_data_acceptance` check: every accepted body is a task, so it is billable. */
export const positiveDataAcceptanceCheck = defineCheck({
  name: NAME,
  billable: true,
  stage: "main",
  needs: [],
  run: ({ session }) => positiveDataAcceptance(session),
});

/** Runs `positive_data_acceptance` over `session.options.validCases` generated bodies. */
export async function positiveDataAcceptance(session: Session): Promise<Outcome<Reported>> {
  const rules = readRules(session.spec);
  const outcome = await runProperty(
    validBody(rules, session.options.imageUrls ? { imageUrls: session.options.imageUrls } : {}),
    {
      numRuns: session.options.validCases,
      seed: session.options.seed,
      runSeed: session.options.seed,
      rule: "valid",
    },
    async (value) => {
      const body = finalize(value, () => session.uniqueId("contract"));
      const request = session.submitRequest(body);
      const result = await session.exchange("createMultiImageVideoTask", request);
      session.count(NAME);
      const found: Finding<Reported>[] = [...result.failures];
      const response = result.response;
      if (response && session.transient(NAME, response)) return found;
      if (response && (response.status < 200 || response.status >= 300)) {
        found.push({
          check: NAME,
          message: `a valid body was answered ${response.status}; the spec says it must be accepted with 200`,
          request,
          response: responseSummary(response),
        });
      }
      return found;
    },
  );
  return { failures: outcome.failures, skipped: [], generated: outcome.runs };
}
