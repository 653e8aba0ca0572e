/**
 * unknown_task: querying a task id that was never issued must be answered as the spec documents it,
 * HTTP 400 with the task envelope `{code: "task_not_exist", data: null}` (ErrorTaskNotExist).
 */
import { parseJson } from "../http.js";
import type { Session } from "../session.js";
import type { ResponseCheckName } from "./conformance.js";
import { defineCheck } from "./define.js";
import { type Finding, type Outcome, responseSummary } from "./outcome.js";

const NAME = "unknown_task";

/** The names this check's findings carry: its own, and the response checks' of its exchanges. */
type Reported = typeof NAME | ResponseCheckName;

/** The `unknown_task` check: free, and run first with `ignored_auth`, probing the server. */
export const unknownTaskCheck = defineCheck({
  name: NAME,
  billable: false,
  stage: "probe",
  needs: [],
  run: ({ session }) => unknownTask(session),
});

/** Runs `unknown_task` with a short and a maximum-length (128 characters) unknown id. */
export async function unknownTask(session: Session): Promise<Outcome<Reported>> {
  const failures: Finding<Reported>[] = [];
  const short = session.uniqueId("contract-unknown");
  const long = `${short}-`.padEnd(128, "x");
  for (const id of [short, long]) {
    const request = {
      method: "GET",
      url: session.url("getMultiImageVideoTask", id),
      headers: session.authHeaders(),
    };
    const result = await session.exchange("getMultiImageVideoTask", request);
    session.count(NAME);
    failures.push(...result.failures);
    const response = result.response;
    if (!response) continue;
    const fail = (message: string) =>
      failures.push({
        check: NAME,
        message,
        request,
        response: responseSummary(response),
      });
    const parsed = parseJson(response.body);
    const body =
      parsed.ok && typeof parsed.value === "object" && parsed.value !== null
        ? (parsed.value as Record<string, unknown>)
        : undefined;
    if (session.transient(NAME, response)) continue;
    if (response.status !== 400) {
      fail(
        `an unknown task id (${id.length} chars) was answered ${response.status}; the spec documents 400 task_not_exist`,
      );
    } else if (body?.code !== "task_not_exist") {
      fail(
        `an unknown task id was answered 400 with code ${JSON.stringify(body?.code)}; the spec documents "task_not_exist"`,
      );
    } else if (body.data !== null) {
      fail(
        `the task_not_exist answer has data ${JSON.stringify(body.data)}; the spec documents null`,
      );
    }
  }
  return { failures, skipped: [] };
}
