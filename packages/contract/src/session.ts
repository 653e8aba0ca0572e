/**
 * A run's shared state: the spec model, the oracle, and the tally of what each check examined and
 * found. Every request goes through {@link Session.exchange}, so the five response checks apply to
 * every response whichever scenario sent it, as in Schemathesis.
 */
import { conformance, notAServerErrorCheck, type ResponseCheckName } from "./checks/conformance.js";
import type { Finding } from "./checks/outcome.js";
import { type RecordedRequest, type RecordedResponse, send } from "./http.js";
import type { ResolvedOptions } from "./options.js";
import { Oracle } from "./oracle.js";
import { CREATE_PATH, type OperationId, QUERY_PATH, SpecModel } from "./spec.js";

/** Consecutive unanswered requests after which the run stops sending. */
const SILENCE_LIMIT = 3;

/** The response check that judges a request nothing answered. */
const NO_ANSWER = notAServerErrorCheck.name;

/** The outcome of one exchange: the response (if any) and the failures it produced. */
export interface ExchangeResult {
  request: RecordedRequest;
  response?: RecordedResponse;
  /** Transport error (timeout, refused) when there is no response. */
  error?: string;
  failures: Finding<ResponseCheckName>[];
}

/** Shared state of one run. */
export class Session {
  readonly options: ResolvedOptions;
  readonly spec: SpecModel;
  readonly oracle: Oracle;
  /**
   * How many cases each check examined, by check name. Keyed by plain strings: the registry that
   * defines the names imports the checks, which import this module.
   */
  readonly cases = new Map<string, number>();
  /** A per-run prefix that keeps generated ids (external_task_id, unknown task ids) unique. */
  readonly runId: string;
  /** Requests that got a response, and that did not: a run stops early when nothing answers. */
  answered = 0;
  unanswered = 0;
  #counter = 0;
  #silent = 0;
  #lastError = "";

  constructor(options: ResolvedOptions, spec = new SpecModel(), oracle = new Oracle()) {
    this.options = options;
    this.spec = spec;
    this.oracle = oracle;
    this.runId = `${options.seed.toString(36)}${Date.now().toString(36)}`;
  }

  /** A fresh id, unique within this run. */
  uniqueId(prefix: string): string {
    this.#counter += 1;
    return `${prefix}-${this.runId}-${this.#counter}`;
  }

  /** Answers to `check`'s requests that were a documented, transient 429/503: not judged. */
  readonly inconclusive = new Map<string, number>();

  /**
   * True (and counted) when `response` is a 429 or 503: documented and transient (rate limit,
   * concurrency, no channel, maintenance), so it says nothing about what `check` asks. The response
   * checks still judged it like any other answer.
   */
  transient(check: string, response: RecordedResponse): boolean {
    if (response.status !== 429 && response.status !== 503) return false;
    this.inconclusive.set(check, (this.inconclusive.get(check) ?? 0) + 1);
    return true;
  }

  /** Counts one case examined by `check`. */
  count(check: string, n = 1): void {
    this.cases.set(check, (this.cases.get(check) ?? 0) + n);
  }

  /** The full URL of an operation, with `task_id` substituted. */
  url(operation: OperationId, taskId?: string): string {
    const base = this.options.baseUrl.replace(/\/+$/, "");
    if (operation === "createMultiImageVideoTask") return `${base}${CREATE_PATH}`;
    return `${base}${QUERY_PATH.replace("{task_id}", encodeURIComponent(taskId ?? ""))}`;
  }

  /** Headers with the run's API key. */
  authHeaders(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: `Bearer ${this.options.apiKey}`, Accept: "application/json", ...extra };
  }

  /** A submit of `body` (a JSON value, or raw text sent as is) with the run's key. */
  submitRequest(body: unknown, contentType = "application/json"): RecordedRequest {
    return {
      method: "POST",
      url: this.url("createMultiImageVideoTask"),
      headers: this.authHeaders({ "Content-Type": contentType }),
      body: typeof body === "string" ? body : JSON.stringify(body),
    };
  }

  /**
   * Sends `request` and applies the response checks for `operation`. A transport error is a
   * `not_a_server_error` failure: a server that drops the connection has not answered at all.
   */
  async exchange(operation: OperationId, request: RecordedRequest): Promise<ExchangeResult> {
    if (this.#silent >= SILENCE_LIMIT) {
      // A server that stopped answering would otherwise cost a full timeout per generated case and
      // per shrink step. Stop sending until the run ends; the first failures already say why.
      this.count(NO_ANSWER);
      const message = `not sent: the server did not answer the last ${SILENCE_LIMIT} requests (last: ${this.#lastError})`;
      return {
        request,
        error: message,
        failures: [{ check: NO_ANSWER, message, request }],
      };
    }
    const result = await send(request, this.options.timeoutMs);
    if (!result.ok) {
      this.#silent += 1;
      this.#lastError = result.error;
      this.unanswered += 1;
      this.count(NO_ANSWER);
      return {
        request,
        error: result.error,
        failures: [
          {
            check: NO_ANSWER,
            message: `no response to ${request.method} ${new URL(request.url).pathname}: ${result.error}`,
            request,
          },
        ],
      };
    }
    this.answered += 1;
    this.#silent = 0;
    const failures = await conformance(this, operation, request, result.response);
    return { request, response: result.response, failures };
  }
}
