/**
 * The request side of the oracle: is a request one the spec documents? Used by the capture server
 * to check what a client sends (route, method, bearer key, path parameter, content type, body).
 */
import { mediaType, parseJson, type RecordedRequest } from "./http.js";
import { describeErrors, type Oracle } from "./oracle.js";
import { CREATE_PATH, type OperationId, QUERY_PATH, type SpecModel } from "./spec.js";

/** The operation a request is for, with its path parameter. */
export interface RequestMatch {
  operation: OperationId;
  taskId?: string;
}

/** Finds the documented operation for a method and path (without the base URL), if any. */
export function matchOperation(method: string, pathname: string): RequestMatch | undefined {
  const m = method.toUpperCase();
  if (pathname === CREATE_PATH)
    return m === "POST" ? { operation: "createMultiImageVideoTask" } : undefined;
  const prefix = `${QUERY_PATH.slice(0, QUERY_PATH.indexOf("{"))}`;
  if (m === "GET" && pathname.startsWith(prefix)) {
    const rest = pathname.slice(prefix.length);
    if (rest.length > 0 && !rest.includes("/"))
      return { operation: "getMultiImageVideoTask", taskId: decodeURIComponent(rest) };
  }
  return undefined;
}

/**
 * Every way `request` departs from the spec, as sentences; empty when it conforms. `request.url`
 * may be absolute or a path.
 */
export async function checkRequest(
  spec: SpecModel,
  oracle: Oracle,
  request: RecordedRequest,
): Promise<string[]> {
  const problems: string[] = [];
  const url = new URL(request.url, "http://placeholder.invalid");
  const match = matchOperation(request.method, url.pathname);
  const label = `${request.method.toUpperCase()} ${url.pathname}`;
  if (!match) return [`${label} is not an operation in the spec`];
  const header = (name: string) =>
    Object.entries(request.headers).find(([k]) => k.toLowerCase() === name)?.[1];

  const auth = header("authorization");
  if (!auth || !/^Bearer \S+$/.test(auth))
    problems.push(`${label} lacks "Authorization: Bearer <key>" (bearerAuth)`);

  if (match.operation === "getMultiImageVideoTask") {
    const verdict = await oracle.check(
      ["components", "parameters", "TaskId", "schema"],
      match.taskId,
    );
    if (!verdict.valid)
      problems.push(
        `${label}: task_id ${JSON.stringify(match.taskId)} breaks TaskId (${describeErrors(verdict.errors)})`,
      );
    if (request.body) problems.push(`${label} carries a body; the operation takes none`);
    return problems;
  }

  const op = spec.operation(match.operation);
  const content = ["paths", op.path, op.method, "requestBody", "content"];
  const type = mediaType(header("content-type"));
  if (type !== "application/json") {
    problems.push(
      `${label} has Content-Type ${JSON.stringify(header("content-type") ?? "(none)")}; the spec documents application/json`,
    );
  }
  if (!request.body) {
    problems.push(`${label} has no body; the request body is required`);
    return problems;
  }
  const parsed = parseJson(request.body);
  if (!parsed.ok) {
    problems.push(`${label} body is not JSON (${parsed.error})`);
    return problems;
  }
  const verdict = await oracle.check([...content, "application/json", "schema"], parsed.value);
  if (!verdict.valid)
    problems.push(`${label} body breaks CreateTaskRequest: ${describeErrors(verdict.errors)}`);
  return problems;
}
