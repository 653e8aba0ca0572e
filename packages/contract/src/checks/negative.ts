/**
 * negative_data_rejection: every generated invalid body must be answered with a 4xx in one of the
 * gateway's error envelopes, never a 2xx (accepted, possibly billed) and never a 5xx.
 */
import { MUTATIONS, type Mutation, readRules } from "../generate/index.js";
import { parseJson } from "../http.js";
import { describeErrors, pointer } from "../oracle.js";
import { runProperty } from "../property.js";
import type { Session } from "../session.js";
import type { ResponseCheckName } from "./conformance.js";
import { defineCheck } from "./define.js";
import { type Finding, type Outcome, responseSummary } from "./outcome.js";

const NAME = "negative_data_rejection";

/** The names this check's findings carry: its own, and the response checks' of its exchanges. */
type Reported = typeof NAME | ResponseCheckName;

/**
 * The `negative_data_rejection` check: free (rules whose bodies a wrong server would bill are left
 * out without `allowBillable`), run once the probes showed the server answers.
 */
export const negativeDataRejectionCheck = defineCheck({
  name: NAME,
  billable: false,
  stage: "main",
  needs: [],
  run: ({ session }) => negativeDataRejection(session),
});

/** The mutation rules that run under the given billing permission. */
export function activeMutations(allowBillable: boolean): { run: Mutation[]; skipped: Mutation[] } {
  const run = MUTATIONS.filter((m) => allowBillable || !m.billableIfAccepted);
  const skipped = MUTATIONS.filter((m) => !run.includes(m));
  return { run, skipped };
}

/** Runs `negative_data_rejection` over `session.options.cases` generated bodies. */
export async function negativeDataRejection(session: Session): Promise<Outcome<Reported>> {
  const rules = readRules(session.spec);
  const { run, skipped } = activeMutations(session.options.allowBillable);
  const envelope = session.spec.schemaPointer("ErrorResponse");
  const perRule = Math.max(1, Math.ceil(session.options.cases / run.length));
  const failures: Finding<Reported>[] = [];
  let generated = 0;
  for (const [index, mutation] of run.entries()) {
    const outcome = await runProperty(
      mutation.arbitrary(rules),
      {
        numRuns: perRule,
        seed: session.options.seed + index,
        runSeed: session.options.seed,
        rule: mutation.rule,
      },
      async (input) => {
        const request = session.submitRequest(input.body, input.contentType);
        const result = await session.exchange("createMultiImageVideoTask", request);
        session.count(NAME);
        const found: Finding<Reported>[] = [...result.failures];
        const response = result.response;
        if (!response) return found;
        const fail = (message: string) =>
          found.push({
            check: NAME,
            message,
            request,
            response: responseSummary(response),
          });
        const what = `an invalid body (${mutation.rule}: ${mutation.description})`;
        if (response.status < 400) {
          fail(`${what} was answered ${response.status}; it must be rejected with a 4xx`);
        } else if (response.status >= 500) {
          fail(
            `${what} was answered ${response.status}, a server error; it must be rejected with a 4xx`,
          );
        } else {
          const parsed = parseJson(response.body);
          const verdict = parsed.ok
            ? await session.oracle.check(envelope, parsed.value)
            : undefined;
          if (!verdict?.valid) {
            fail(
              `${what} was answered ${response.status} but not in either of the gateway's error envelopes (#${pointer(envelope)}): ${verdict ? describeErrors(verdict.errors) : "body is not JSON"}`,
            );
          }
        }
        return found;
      },
    );
    generated += outcome.runs;
    failures.push(...outcome.failures);
  }
  return {
    failures,
    generated,
    skipped: skipped.map(
      (m) =>
        `${NAME} rule ${m.rule}: a server that wrongly accepted it would bill a task (pass allowBillable)`,
    ),
  };
}
